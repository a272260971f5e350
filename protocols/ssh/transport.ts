/**
 * The SSH transport layer (RFC 4253): version exchange, key exchange with
 * strict KEX (OpenSSH's Terrapin countermeasure), rekeying from either side,
 * EXT_INFO with `server-sig-algs` (RFC 8308), ignore/debug/unimplemented
 * and disconnect. It hands every message of the layers above (service
 * requests, authentication, channels) to {@linkcode SSHTransport.onMessage}.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { getLogger } from "../../log/mod.ts";
import { verifySSHSignature } from "../../cred/ssh_key.ts";
import { PacketCipher } from "./cipher.ts";
import { DISCONNECT, MSG } from "./constants.ts";
import {
  HostKeyMismatchError,
  MACError,
  SSHDisconnectError,
  SSHProtocolError,
} from "./errors.ts";
import {
  decodeKexInit,
  deriveKeys,
  encodeKexInit,
  EphemeralKey,
  exchangeHash,
  HOST_KEY_ALGORITHMS,
  type KexInit,
  negotiate,
  type Negotiated,
  ourKexInit,
} from "./kex.ts";
import type { SSHPrivateKey } from "./keys.ts";
import {
  DEFAULT_REKEY_BYTES,
  DEFAULT_REKEY_INTERVAL,
  MAX_PACKET_SIZE,
} from "./limits.ts";
import { PacketReader, PacketWriter } from "./packet.ts";
import { SSHReader, SSHWriter } from "./wire.ts";

const logger = getLogger("spindle.ssh");

/**
 * Our identification line (RFC 4253 §4.2).
 *
 * @example Usage
 * ```ts
 * import { SSH_VERSION } from "@spindle/spindle/protocols/ssh";
 * console.assert(SSH_VERSION.startsWith("SSH-2.0-"));
 * ```
 */
export const SSH_VERSION = "SSH-2.0-Spindle_0.1";

/**
 * The signature algorithms a server lists in `server-sig-algs` (RFC 8308
 * §3.1): those it verifies for public-key logins.
 *
 * @example Usage
 * ```ts
 * import { SERVER_SIG_ALGS } from "@spindle/spindle/protocols/ssh";
 * console.assert(SERVER_SIG_ALGS.includes("rsa-sha2-512"));
 * ```
 */
export const SERVER_SIG_ALGS: readonly string[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
];

/**
 * Decides whether to trust a server's host key: the blob and the host key
 * algorithm. Resolve to `false` to refuse.
 *
 * @example Usage
 * ```ts
 * import type { HostKeyVerifier } from "@spindle/spindle/protocols/ssh";
 * const trustAll: HostKeyVerifier = () => true;
 * console.assert(trustAll(new Uint8Array(0), "ssh-ed25519") === true);
 * ```
 */
export type HostKeyVerifier = (
  blob: Uint8Array,
  algorithm: string,
) => boolean | Promise<boolean>;

/**
 * The options of {@linkcode SSHTransport}.
 *
 * @example Usage
 * ```ts
 * import type { SSHTransportOptions } from "@spindle/spindle/protocols/ssh";
 * const options: SSHTransportOptions = { role: "client", verifyHostKey: () => true };
 * console.assert(options.role === "client");
 * ```
 */
export interface SSHTransportOptions {
  /** Which side we are. */
  role: "client" | "server";
  /** The server's host keys (a server needs one). */
  hostKeys?: readonly SSHPrivateKey[];
  /** How a client checks the server's host key (it needs one). */
  verifyHostKey?: HostKeyVerifier;
  /** Our identification line; {@linkcode SSH_VERSION} by default. */
  version?: string;
  /** Bytes (either way) under one set of keys before rekeying; 1 GiB by default. */
  rekeyBytes?: number;
  /** Milliseconds under one set of keys before rekeying; one hour by default. */
  rekeyInterval?: number;
  /** The largest packet accepted; {@linkcode MAX_PACKET_SIZE} by default. */
  maxPacketSize?: number;
  /** Ciphers to offer, preferred first; all by default. */
  ciphers?: readonly string[];
  /** MACs to offer, preferred first; all by default. */
  macs?: readonly string[];
  /** Key exchange methods to offer, preferred first; all by default. */
  kex?: readonly string[];
  /** The clock of the rekey timer; the reactor by default. */
  clock?: IReactorTime;
}

/**
 * Handles a message of the layers above the transport; resolves `false`
 * when the message is unknown (the transport answers UNIMPLEMENTED).
 *
 * @example Usage
 * ```ts
 * import type { MessageHandler } from "@spindle/spindle/protocols/ssh";
 * const handler: MessageHandler = (payload) => payload[0] === 94;
 * console.assert(handler(new Uint8Array([94])) === true);
 * ```
 */
export type MessageHandler = (
  payload: Uint8Array,
) => boolean | Promise<boolean>;

interface Held {
  payload: Uint8Array;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function isTransportMessage(type: number): boolean {
  return type < 50 && type !== MSG.SERVICE_REQUEST &&
    type !== MSG.SERVICE_ACCEPT;
}

/**
 * One SSH connection's transport layer, either side: it exchanges versions
 * and keys, then carries the messages of the layers above in order,
 * rekeying by itself.
 *
 * @example A client and server over an in-memory connection
 * ```ts
 * import { SSHPrivateKey, SSHTransport } from "@spindle/spindle/protocols/ssh";
 * import { connectedPair } from "@spindle/spindle/reactor";
 * const hostKey = await SSHPrivateKey.generate();
 * const [a, b] = connectedPair();
 * const server = new SSHTransport(a, { role: "server", hostKeys: [hostKey] });
 * const client = new SSHTransport(b, { role: "client", verifyHostKey: () => true });
 * await Promise.all([server.start(), client.start()]);
 * console.assert(server.sessionId!.toHex() === client.sessionId!.toHex());
 * await client.disconnect();
 * await server.closed;
 * ```
 */
export class SSHTransport {
  /** Which side we are. */
  readonly role: "client" | "server";
  /** The connection underneath. */
  readonly conn: Connection;
  /** Handles the messages of the layers above; set before {@linkcode start}. */
  onMessage: MessageHandler = () => false;
  /** Called once when the connection ends, with the error that ended it, if any. */
  onClose: (error: unknown) => void = () => {};
  readonly #options: SSHTransportOptions;
  readonly #reader: PacketReader;
  readonly #writer: PacketWriter;
  readonly #clock: IReactorTime;
  readonly #version: string;
  readonly #rekeyBytes: number;
  #peerVersion = "";
  #sessionId: Uint8Array | null = null;
  #negotiated: Negotiated | null = null;
  #hostKey: Uint8Array | null = null;
  #ourKexInit: Uint8Array | null = null;
  #peerKexInit: Uint8Array | null = null;
  #ephemeral: EphemeralKey | null = null;
  #incoming: PacketCipher | null = null;
  #kexing = false;
  #skipGuess = false;
  #packetsBeforeKexInit = 0;
  #held: Held[] = [];
  #rekeyTimer: DelayedCall | null = null;
  #ready = Promise.withResolvers<void>();
  #closed = Promise.withResolvers<void>();
  #ended = false;
  #error: unknown = null;

  /** Creates the transport over `conn`; nothing happens until {@linkcode start}. */
  constructor(conn: Connection, options: SSHTransportOptions) {
    this.conn = conn;
    this.role = options.role;
    this.#options = options;
    this.#clock = options.clock ?? defaultReactor;
    this.#version = options.version ?? SSH_VERSION;
    this.#rekeyBytes = options.rekeyBytes ?? DEFAULT_REKEY_BYTES;
    this.#reader = new PacketReader(
      conn,
      options.maxPacketSize ?? MAX_PACKET_SIZE,
    );
    this.#writer = new PacketWriter(conn);
    this.#ready.promise.catch(() => {});
    if (options.role === "server" && !options.hostKeys?.length) {
      throw new TypeError("an SSH server needs at least one host key");
    }
    if (options.role === "client" && options.verifyHostKey === undefined) {
      throw new TypeError(
        "an SSH client needs verifyHostKey (known_hosts, or a callback)",
      );
    }
  }

  /** The session identifier (the first exchange hash); `null` before it. */
  get sessionId(): Uint8Array | null {
    return this.#sessionId;
  }

  /** The peer's identification line. */
  get peerVersion(): string {
    return this.#peerVersion;
  }

  /** What the last key exchange settled on. */
  get negotiated(): Negotiated | null {
    return this.#negotiated;
  }

  /** The server's host key blob (both sides know it after the exchange). */
  get hostKey(): Uint8Array | null {
    return this.#hostKey;
  }

  /** Resolves when the connection has ended, however it ended. */
  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  /** What ended the connection, or `null` (a clean end, or not ended). */
  get error(): unknown {
    return this.#error;
  }

  /** Bytes handed to the connection and not yet written. */
  get pendingBytes(): number {
    return this.#writer.pending;
  }

  /**
   * Exchanges versions and runs the first key exchange; resolves when it is
   * done (the read loop goes on in the background until the end).
   */
  start(): Promise<void> {
    this.#run();
    return this.#ready.promise;
  }

  async #run(): Promise<void> {
    try {
      await this.#writer.writeVersion(this.#version);
      this.#peerVersion = await this.#reader.readVersion();
      this.#sendKexInit();
      this.#rekeyTimer = this.#clock.callLater(
        this.#options.rekeyInterval ?? DEFAULT_REKEY_INTERVAL,
        () => this.#timedRekey(),
      );
      for (;;) {
        const payload = await this.#reader.next();
        if (payload === null) break;
        await this.#dispatch(payload);
        if (this.#ended) return;
      }
      if (this.#sessionId === null) {
        throw new SSHProtocolError(
          "the peer closed the connection during the key exchange",
        );
      }
      this.#end(null);
    } catch (error) {
      this.#fail(error);
    }
  }

  #timedRekey(): void {
    this.#rekeyTimer = null;
    this.rekey();
  }

  async #dispatch(payload: Uint8Array): Promise<void> {
    const type = payload[0]!;
    if (this.#skipGuess && type >= 30 && type <= 49) {
      this.#skipGuess = false;
      return;
    }
    if (this.#sessionId === null && this.#peerKexInit === null) {
      if (type !== MSG.KEXINIT) this.#packetsBeforeKexInit++;
    }
    const initialStrict = this.#sessionId === null &&
      this.#negotiated?.strict === true;
    switch (type) {
      case MSG.DISCONNECT: {
        const reader = new SSHReader(payload, 1);
        const reason = reader.uint32();
        const description = reader.text();
        this.#end(
          reason === DISCONNECT.BY_APPLICATION
            ? null
            : new SSHDisconnectError(reason, description),
        );
        return;
      }
      case MSG.IGNORE:
      case MSG.DEBUG:
      case MSG.UNIMPLEMENTED:
        if (initialStrict) break;
        return;
      case MSG.KEXINIT:
        return await this.#onKexInit(payload);
      case MSG.KEX_ECDH_INIT:
        if (this.role === "server" && this.#peerKexInit !== null) {
          return await this.#onEcdhInit(payload);
        }
        break;
      case MSG.KEX_ECDH_REPLY:
        if (this.role === "client" && this.#ephemeral !== null) {
          return await this.#onEcdhReply(payload);
        }
        break;
      case MSG.NEWKEYS:
        if (this.#incoming !== null) return this.#onNewKeys();
        break;
      default:
        if (this.#sessionId === null) break;
        if (this.#reader.bytesRead > this.#rekeyBytes) this.rekey();
        if (!(await this.onMessage(payload))) {
          await this.#sendNow(
            new SSHWriter().byte(MSG.UNIMPLEMENTED).uint32(
              this.#reader.lastSeq,
            ).finish(),
          );
        }
        return;
    }
    throw new SSHProtocolError(
      `message ${type} came at the wrong time (${
        this.#sessionId === null
          ? "during the first key exchange"
          : "during a key exchange"
      })`,
    );
  }

  #sendKexInit(): void {
    const hostKeys = this.role === "server"
      ? [...new Set(this.#options.hostKeys!.flatMap((key) => key.algorithms))]
      : [...HOST_KEY_ALGORITHMS];
    this.#ourKexInit = encodeKexInit(
      ourKexInit(this.role, hostKeys, this.#options),
    );
    this.#kexing = true;
    this.#sendNow(this.#ourKexInit).catch(() => {});
  }

  /**
   * Starts a new key exchange (RFC 4253 §9), unless one is running or the
   * first has not finished. Messages sent meanwhile wait for its end.
   */
  rekey(): void {
    if (this.#kexing || this.#sessionId === null || this.#ended) return;
    logger.debug("rekeying");
    this.#sendKexInit();
  }

  async #onKexInit(payload: Uint8Array): Promise<void> {
    if (this.#peerKexInit !== null) {
      throw new SSHProtocolError(
        "the peer sent KEXINIT twice in one key exchange",
      );
    }
    this.#peerKexInit = payload.slice();
    if (!this.#kexing) this.#sendKexInit();
    const peer: KexInit = decodeKexInit(payload);
    const ours = decodeKexInit(this.#ourKexInit!);
    const [client, server] = this.role === "client"
      ? [ours, peer]
      : [peer, ours];
    const negotiated = negotiate(client, server, this.#sessionId === null);
    if (this.#sessionId !== null) {
      // Strict mode and EXT_INFO are settled by the first exchange only.
      negotiated.strict = this.#negotiated!.strict;
      negotiated.extInfo = false;
    }
    this.#negotiated = negotiated;
    this.#skipGuess = peer.firstKexFollows && negotiated.skipGuess;
    if (
      negotiated.strict && this.#sessionId === null &&
      this.#packetsBeforeKexInit > 0
    ) {
      throw new SSHProtocolError(
        "strict key exchange: the peer sent messages before its KEXINIT (a Terrapin attack?)",
      );
    }
    if (this.role === "client") {
      this.#ephemeral = await EphemeralKey.generate(negotiated.kex);
      await this.#sendNow(
        new SSHWriter().byte(MSG.KEX_ECDH_INIT).string(
          this.#ephemeral.publicKey,
        ).finish(),
      );
    }
  }

  async #onEcdhInit(payload: Uint8Array): Promise<void> {
    const negotiated = this.#negotiated!;
    const clientPublic = new SSHReader(payload, 1).bytes().slice();
    const ephemeral = await EphemeralKey.generate(negotiated.kex);
    const secret = await ephemeral.sharedSecret(clientPublic);
    const hostKey = this.#options.hostKeys!.find((key) =>
      key.algorithms.includes(negotiated.hostKey)
    )!;
    this.#hostKey = hostKey.publicBlob;
    const hash = await exchangeHash({
      clientVersion: this.#peerVersion,
      serverVersion: this.#version,
      clientKexInit: this.#peerKexInit!,
      serverKexInit: this.#ourKexInit!,
      hostKey: hostKey.publicBlob,
      clientPublic,
      serverPublic: ephemeral.publicKey,
      secret,
    });
    const signature = await hostKey.sign(hash, negotiated.hostKey);
    await this.#sendNow(
      new SSHWriter().byte(MSG.KEX_ECDH_REPLY).string(hostKey.publicBlob)
        .string(ephemeral.publicKey).string(signature).finish(),
    );
    await this.#sendNewKeys(secret, hash);
  }

  async #onEcdhReply(payload: Uint8Array): Promise<void> {
    const negotiated = this.#negotiated!;
    const reader = new SSHReader(payload, 1);
    const hostKey = reader.bytes().slice();
    const serverPublic = reader.bytes().slice();
    const signature = reader.bytes().slice();
    const secret = await this.#ephemeral!.sharedSecret(serverPublic);
    const hash = await exchangeHash({
      clientVersion: this.#version,
      serverVersion: this.#peerVersion,
      clientKexInit: this.#ourKexInit!,
      serverKexInit: this.#peerKexInit!,
      hostKey,
      clientPublic: this.#ephemeral!.publicKey,
      serverPublic,
      secret,
    });
    const valid = await verifySSHSignature(hostKey, {
      data: hash,
      signature,
      algorithm: negotiated.hostKey,
    });
    if (!valid) {
      throw new SSHProtocolError(
        "the server's signature of the key exchange does not verify: refusing the connection",
      );
    }
    if (this.#hostKey !== null) {
      if (this.#hostKey.toHex() !== hostKey.toHex()) {
        throw new HostKeyMismatchError(
          "the server changed its host key in a rekey: refusing to go on",
        );
      }
    } else if (
      !(await this.#options.verifyHostKey!(hostKey, negotiated.hostKey))
    ) {
      throw new HostKeyMismatchError(
        "the server's host key is not trusted (not the one known_hosts or the verifier expects): refusing to connect",
      );
    }
    this.#hostKey = hostKey;
    await this.#sendNewKeys(secret, hash);
  }

  async #sendNewKeys(secret: Uint8Array, hash: Uint8Array): Promise<void> {
    const negotiated = this.#negotiated!;
    this.#sessionId ??= hash;
    const keys = await deriveKeys(secret, hash, this.#sessionId, negotiated);
    const [outKeys, inKeys] = this.role === "client"
      ? [keys.clientToServer, keys.serverToClient]
      : [keys.serverToClient, keys.clientToServer];
    const [outgoing, incoming] = await Promise.all([
      PacketCipher.create(outKeys),
      PacketCipher.create(inKeys),
    ]);
    this.#incoming = incoming;
    this.#writer.send(new Uint8Array([MSG.NEWKEYS])).catch(() => {});
    this.#writer.setCipher(outgoing, negotiated.strict);
    this.#writer.bytesWritten = 0;
    this.#kexing = false;
    if (this.role === "server" && negotiated.extInfo) {
      this.#writer.send(
        new SSHWriter().byte(MSG.EXT_INFO).uint32(1).string("server-sig-algs")
          .nameList(SERVER_SIG_ALGS).finish(),
      ).catch(() => {});
    }
    const held = this.#held;
    this.#held = [];
    for (const { payload, resolve, reject } of held) {
      this.#writer.send(payload).then(resolve, reject);
    }
  }

  #onNewKeys(): void {
    const negotiated = this.#negotiated!;
    this.#reader.setCipher(this.#incoming!, negotiated.strict);
    this.#reader.bytesRead = 0;
    this.#incoming = null;
    this.#ephemeral = null;
    this.#ourKexInit = null;
    this.#peerKexInit = null;
    this.#rekeyTimer?.cancel();
    this.#rekeyTimer = this.#clock.callLater(
      this.#options.rekeyInterval ?? DEFAULT_REKEY_INTERVAL,
      () => this.#timedRekey(),
    );
    logger.debug("keys in use: {cipher}, {kex}, {hostKey}", {
      cipher: negotiated.cipherServerToClient,
      kex: negotiated.kex,
      hostKey: negotiated.hostKey,
    });
    this.#ready.resolve();
  }

  #sendNow(payload: Uint8Array): Promise<void> {
    return this.#writer.send(payload);
  }

  /**
   * Sends a message of the layers above. During a key exchange it waits
   * for the new keys; messages keep their order either way.
   */
  send(payload: Uint8Array): Promise<void> {
    if (this.#ended) {
      return Promise.reject(
        this.#error ?? new SSHProtocolError("the SSH connection is closed"),
      );
    }
    if (this.#kexing && !isTransportMessage(payload[0]!)) {
      const { promise, resolve, reject } = Promise.withResolvers<void>();
      this.#held.push({ payload, resolve, reject });
      return promise;
    }
    if (this.#writer.bytesWritten > this.#rekeyBytes) this.rekey();
    if (this.#kexing) return this.send(payload);
    return this.#writer.send(payload);
  }

  /** Resolves once everything sent so far is written. */
  flushed(): Promise<void> {
    return this.#writer.flushed();
  }

  /**
   * Sends DISCONNECT with `reason` and `description` and closes the
   * connection.
   */
  async disconnect(
    reason: number = DISCONNECT.BY_APPLICATION,
    description = "bye",
  ): Promise<void> {
    if (this.#ended) return;
    try {
      await this.#sendNow(
        new SSHWriter().byte(MSG.DISCONNECT).uint32(reason).string(description)
          .string("").finish(),
      );
    } catch {
      // The connection is gone already; closing is all there is to do.
    }
    this.#end(null);
  }

  #fail(error: unknown): void {
    if (this.#ended) return;
    if (error instanceof SSHProtocolError) {
      logger.warn("closing an SSH connection: {message}", {
        message: error.message,
      });
      const reason = error instanceof MACError
        ? DISCONNECT.MAC_ERROR
        : DISCONNECT.PROTOCOL_ERROR;
      this.#sendNow(
        new SSHWriter().byte(MSG.DISCONNECT).uint32(reason)
          .string(error.message).string("").finish(),
      ).catch(() => {}).finally(() => this.#end(error));
      return;
    }
    if (error instanceof HostKeyMismatchError) {
      this.#sendNow(
        new SSHWriter().byte(MSG.DISCONNECT).uint32(
          DISCONNECT.HOST_KEY_NOT_VERIFIABLE,
        )
          .string("host key not trusted").string("").finish(),
      ).catch(() => {}).finally(() => this.#end(error));
      return;
    }
    this.#end(error);
  }

  #end(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#rekeyTimer?.cancel();
    this.#rekeyTimer = null;
    const closing = error === null
      ? this.conn.close()
      : Promise.resolve(this.conn.abort(error));
    closing.catch(() => {}).finally(() => {
      const reason = error ?? new SSHProtocolError("the SSH connection closed");
      this.#ready.reject(reason);
      for (const { reject } of this.#held) reject(reason);
      this.#held = [];
      try {
        this.onClose(error);
      } finally {
        this.#closed.resolve();
      }
    });
  }
}
