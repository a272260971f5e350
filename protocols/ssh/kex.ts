/**
 * Key exchange (RFC 4253 §7-8): KEXINIT messages, algorithm negotiation,
 * `curve25519-sha256` (RFC 8731, also as `curve25519-sha256@libssh.org`) and
 * `ecdh-sha2-nistp256` (RFC 5656), the exchange hash and the derivation of
 * the keys of both directions.
 *
 * @module
 */
import {
  CIPHERS,
  type DirectionKeys,
  isAEAD,
  keySizes,
  MACS,
} from "./cipher.ts";
import { MSG } from "./constants.ts";
import { NegotiationError, SSHProtocolError } from "./errors.ts";
import { SSHReader, SSHWriter } from "./wire.ts";
import { concatChunks } from "../../reactor/bytes.ts";

/**
 * The key exchange methods we offer, most preferred first.
 *
 * @example Usage
 * ```ts
 * import { KEX_ALGORITHMS } from "@spindle/spindle/protocols/ssh";
 * console.assert(KEX_ALGORITHMS[0] === "curve25519-sha256");
 * ```
 */
export const KEX_ALGORITHMS: readonly string[] = [
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
  "ecdh-sha2-nistp256",
];

/**
 * The host key algorithms a client accepts, most preferred first.
 *
 * @example Usage
 * ```ts
 * import { HOST_KEY_ALGORITHMS } from "@spindle/spindle/protocols/ssh";
 * console.assert(HOST_KEY_ALGORITHMS.includes("rsa-sha2-256"));
 * ```
 */
export const HOST_KEY_ALGORITHMS: readonly string[] = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "rsa-sha2-512",
  "rsa-sha2-256",
];

/** The pseudo-algorithms of strict key exchange (the Terrapin countermeasure). */
const STRICT_CLIENT = "kex-strict-c-v00@openssh.com";
const STRICT_SERVER = "kex-strict-s-v00@openssh.com";
const EXT_INFO_CLIENT = "ext-info-c";

/**
 * A KEXINIT message's algorithm lists (RFC 4253 §7.1).
 *
 * @example Usage
 * ```ts
 * import { decodeKexInit, encodeKexInit, type KexInit } from "@spindle/spindle/protocols/ssh";
 * const init: KexInit = {
 *   kex: ["curve25519-sha256"], hostKey: ["ssh-ed25519"],
 *   cipherClientToServer: ["aes128-ctr"], cipherServerToClient: ["aes128-ctr"],
 *   macClientToServer: ["hmac-sha2-256"], macServerToClient: ["hmac-sha2-256"],
 *   firstKexFollows: false,
 * };
 * console.assert(decodeKexInit(encodeKexInit(init)).kex[0] === "curve25519-sha256");
 * ```
 */
export interface KexInit {
  /** Key exchange methods (with the `ext-info` and `kex-strict` markers). */
  kex: string[];
  /** Host key algorithms. */
  hostKey: string[];
  /** Ciphers, client to server. */
  cipherClientToServer: string[];
  /** Ciphers, server to client. */
  cipherServerToClient: string[];
  /** MACs, client to server. */
  macClientToServer: string[];
  /** MACs, server to client. */
  macServerToClient: string[];
  /** Whether a guessed key exchange packet follows. */
  firstKexFollows: boolean;
}

/**
 * Encodes a KEXINIT payload with a fresh random cookie; compression is
 * `none` only.
 *
 * @example Usage
 * ```ts
 * import { encodeKexInit } from "@spindle/spindle/protocols/ssh";
 * const bytes = encodeKexInit({
 *   kex: ["curve25519-sha256"], hostKey: ["ssh-ed25519"],
 *   cipherClientToServer: ["aes128-ctr"], cipherServerToClient: ["aes128-ctr"],
 *   macClientToServer: ["hmac-sha2-256"], macServerToClient: ["hmac-sha2-256"],
 *   firstKexFollows: false,
 * });
 * console.assert(bytes[0] === 20);
 * ```
 */
export function encodeKexInit(init: KexInit): Uint8Array<ArrayBuffer> {
  return new SSHWriter().byte(MSG.KEXINIT)
    .raw(crypto.getRandomValues(new Uint8Array(16)))
    .nameList(init.kex).nameList(init.hostKey)
    .nameList(init.cipherClientToServer).nameList(init.cipherServerToClient)
    .nameList(init.macClientToServer).nameList(init.macServerToClient)
    .nameList(["none"]).nameList(["none"]).nameList([]).nameList([])
    .boolean(init.firstKexFollows).uint32(0).finish().slice();
}

/**
 * Decodes a KEXINIT payload.
 *
 * @example Usage
 * ```ts
 * import { decodeKexInit, SSHProtocolError } from "@spindle/spindle/protocols/ssh";
 * try {
 *   decodeKexInit(new Uint8Array([20]));
 * } catch (error) {
 *   console.assert(error instanceof SSHProtocolError);
 * }
 * ```
 */
export function decodeKexInit(payload: Uint8Array): KexInit & {
  compressionClientToServer: string[];
  compressionServerToClient: string[];
} {
  const reader = new SSHReader(payload, 17);
  const init = {
    kex: reader.nameList(),
    hostKey: reader.nameList(),
    cipherClientToServer: reader.nameList(),
    cipherServerToClient: reader.nameList(),
    macClientToServer: reader.nameList(),
    macServerToClient: reader.nameList(),
    compressionClientToServer: reader.nameList(),
    compressionServerToClient: reader.nameList(),
    firstKexFollows: false,
  };
  reader.nameList();
  reader.nameList();
  init.firstKexFollows = reader.boolean();
  reader.uint32();
  return init;
}

/**
 * What a key exchange settled on.
 *
 * @example Usage
 * ```ts
 * import type { Negotiated } from "@spindle/spindle/protocols/ssh";
 * const n: Partial<Negotiated> = { kex: "curve25519-sha256" };
 * console.assert(n.kex === "curve25519-sha256");
 * ```
 */
export interface Negotiated {
  /** The key exchange method. */
  kex: string;
  /** The host key algorithm. */
  hostKey: string;
  /** Cipher client to server. */
  cipherClientToServer: string;
  /** Cipher server to client. */
  cipherServerToClient: string;
  /** MAC client to server (`null` for AES-GCM). */
  macClientToServer: string | null;
  /** MAC server to client (`null` for AES-GCM). */
  macServerToClient: string | null;
  /** Whether both sides asked for strict key exchange. */
  strict: boolean;
  /** Whether the client wants EXT_INFO (RFC 8308). */
  extInfo: boolean;
  /** Whether the guessed packet that follows the peer's KEXINIT is wrong and must be skipped. */
  skipGuess: boolean;
}

function choose(
  what: string,
  client: readonly string[],
  server: readonly string[],
): string {
  const found = client.find((name) => server.includes(name));
  if (found === undefined) {
    throw new NegotiationError(
      `no common ${what}: the client offers ${
        client.join(",") || "nothing"
      }, the server ${server.join(",") || "nothing"}`,
    );
  }
  return found;
}

/**
 * Settles the algorithms from the client's and server's KEXINIT (RFC 4253
 * §7.1: the first of the client's that the server also has).
 *
 * @example Usage
 * ```ts
 * import { negotiate, type KexInit } from "@spindle/spindle/protocols/ssh";
 * const init: KexInit = {
 *   kex: ["curve25519-sha256"], hostKey: ["ssh-ed25519"],
 *   cipherClientToServer: ["aes128-ctr"], cipherServerToClient: ["aes128-ctr"],
 *   macClientToServer: ["hmac-sha2-256"], macServerToClient: ["hmac-sha2-256"],
 *   firstKexFollows: false,
 * };
 * console.assert(negotiate(init, init, true).macClientToServer === "hmac-sha2-256");
 * ```
 */
export function negotiate(
  client: KexInit,
  server: KexInit,
  firstExchange: boolean,
): Negotiated {
  const kex = choose("key exchange method", client.kex, server.kex);
  const hostKey = choose("host key algorithm", client.hostKey, server.hostKey);
  const cipherClientToServer = choose(
    "cipher (client to server)",
    client.cipherClientToServer,
    server.cipherClientToServer,
  );
  const cipherServerToClient = choose(
    "cipher (server to client)",
    client.cipherServerToClient,
    server.cipherServerToClient,
  );
  const macClientToServer = isAEAD(cipherClientToServer) ? null : choose(
    "MAC (client to server)",
    client.macClientToServer,
    server.macClientToServer,
  );
  const macServerToClient = isAEAD(cipherServerToClient) ? null : choose(
    "MAC (server to client)",
    client.macServerToClient,
    server.macServerToClient,
  );
  const guessed = client.firstKexFollows || server.firstKexFollows;
  return {
    kex,
    hostKey,
    cipherClientToServer,
    cipherServerToClient,
    macClientToServer,
    macServerToClient,
    strict: firstExchange && client.kex.includes(STRICT_CLIENT) &&
      server.kex.includes(STRICT_SERVER),
    extInfo: client.kex.includes(EXT_INFO_CLIENT),
    skipGuess: guessed &&
      (client.kex[0] !== server.kex[0] ||
        client.hostKey[0] !== server.hostKey[0]),
  };
}

/**
 * Our KEXINIT lists for `role`, with its markers (`ext-info-c` or
 * `kex-strict-*`) and the host key algorithms given.
 *
 * @example Usage
 * ```ts
 * import { ourKexInit } from "@spindle/spindle/protocols/ssh";
 * console.assert(ourKexInit("server", ["ssh-ed25519"]).kex.includes("kex-strict-s-v00@openssh.com"));
 * ```
 */
export function ourKexInit(
  role: "client" | "server",
  hostKeys: readonly string[],
  options: {
    ciphers?: readonly string[];
    macs?: readonly string[];
    kex?: readonly string[];
  } = {},
): KexInit {
  const ciphers = [...(options.ciphers ?? CIPHERS)];
  const macs = [...(options.macs ?? MACS)];
  const markers = role === "client"
    ? [EXT_INFO_CLIENT, STRICT_CLIENT]
    : [STRICT_SERVER];
  return {
    kex: [...(options.kex ?? KEX_ALGORITHMS), ...markers],
    hostKey: [...hostKeys],
    cipherClientToServer: ciphers,
    cipherServerToClient: ciphers,
    macClientToServer: macs,
    macServerToClient: macs,
    firstKexFollows: false,
  };
}

/**
 * One side's ephemeral key of an ECDH exchange.
 *
 * @example Usage
 * ```ts
 * import { EphemeralKey } from "@spindle/spindle/protocols/ssh";
 * const a = await EphemeralKey.generate("curve25519-sha256");
 * const b = await EphemeralKey.generate("curve25519-sha256");
 * const k1 = await a.sharedSecret(b.publicKey);
 * const k2 = await b.sharedSecret(a.publicKey);
 * console.assert(k1.toHex() === k2.toHex());
 * ```
 */
export class EphemeralKey {
  /** Our public value to send (Q_C or Q_S). */
  readonly publicKey: Uint8Array;
  readonly #private: CryptoKey;
  readonly #algorithm: { name: string; namedCurve?: string };
  readonly #bits: number;

  private constructor(
    publicKey: Uint8Array,
    privateKey: CryptoKey,
    algorithm: { name: string; namedCurve?: string },
    bits: number,
  ) {
    this.publicKey = publicKey;
    this.#private = privateKey;
    this.#algorithm = algorithm;
    this.#bits = bits;
  }

  /** A fresh key for the exchange method `kex`. */
  static async generate(kex: string): Promise<EphemeralKey> {
    const algorithm = kex === "ecdh-sha2-nistp256"
      ? { name: "ECDH", namedCurve: "P-256" }
      : { name: "X25519" };
    const pair = await crypto.subtle.generateKey(algorithm, true, [
      "deriveBits",
    ]) as CryptoKeyPair;
    const raw = new Uint8Array(
      await crypto.subtle.exportKey("raw", pair.publicKey),
    );
    return new EphemeralKey(raw, pair.privateKey, algorithm, 256);
  }

  /**
   * The shared secret with the peer's public value, as the big-endian bytes
   * of K. Throws {@linkcode SSHProtocolError} for an invalid public value.
   */
  async sharedSecret(peer: Uint8Array): Promise<Uint8Array> {
    try {
      const publicKey = await crypto.subtle.importKey(
        "raw",
        peer.slice(),
        this.#algorithm,
        false,
        [],
      );
      const secret = new Uint8Array(
        await crypto.subtle.deriveBits(
          { name: this.#algorithm.name, public: publicKey },
          this.#private,
          this.#bits,
        ),
      );
      // RFC 8731 §3: an all-zero X25519 result must be refused.
      if (secret.every((byte) => byte === 0)) throw new Error("all zero");
      return secret;
    } catch {
      throw new SSHProtocolError(
        "the peer's key exchange value is invalid: the exchange cannot go on",
      );
    }
  }
}

/**
 * The inputs of the exchange hash H (RFC 4253 §8, RFC 5656 §4).
 *
 * @example Usage
 * ```ts
 * import type { ExchangeHashInput } from "@spindle/spindle/protocols/ssh";
 * const input: Partial<ExchangeHashInput> = { clientVersion: "SSH-2.0-a" };
 * console.assert(input.clientVersion === "SSH-2.0-a");
 * ```
 */
export interface ExchangeHashInput {
  /** V_C: the client's identification line, without CR LF. */
  clientVersion: string;
  /** V_S: the server's. */
  serverVersion: string;
  /** I_C: the payload of the client's KEXINIT. */
  clientKexInit: Uint8Array;
  /** I_S: the payload of the server's KEXINIT. */
  serverKexInit: Uint8Array;
  /** K_S: the server's public host key blob. */
  hostKey: Uint8Array;
  /** Q_C. */
  clientPublic: Uint8Array;
  /** Q_S. */
  serverPublic: Uint8Array;
  /** K, big-endian. */
  secret: Uint8Array;
}

/**
 * The exchange hash H, with SHA-256 (every method we offer uses it).
 *
 * @example Usage
 * ```ts
 * import { exchangeHash } from "@spindle/spindle/protocols/ssh";
 * const h = await exchangeHash({
 *   clientVersion: "SSH-2.0-a", serverVersion: "SSH-2.0-b",
 *   clientKexInit: new Uint8Array(1), serverKexInit: new Uint8Array(1),
 *   hostKey: new Uint8Array(1), clientPublic: new Uint8Array(32),
 *   serverPublic: new Uint8Array(32), secret: new Uint8Array([1]),
 * });
 * console.assert(h.length === 32);
 * ```
 */
export async function exchangeHash(
  input: ExchangeHashInput,
): Promise<Uint8Array<ArrayBuffer>> {
  const data = new SSHWriter(0, 2048).string(input.clientVersion)
    .string(input.serverVersion).string(input.clientKexInit)
    .string(input.serverKexInit).string(input.hostKey)
    .string(input.clientPublic).string(input.serverPublic)
    .mpint(input.secret).finish();
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

/**
 * The keys of both directions (RFC 4253 §7.2), from K, H and the session id.
 *
 * @example Usage
 * ```ts
 * import { deriveKeys } from "@spindle/spindle/protocols/ssh";
 * const keys = await deriveKeys(new Uint8Array([1]), new Uint8Array(32), new Uint8Array(32), {
 *   cipherClientToServer: "aes128-gcm@openssh.com", cipherServerToClient: "aes128-gcm@openssh.com",
 *   macClientToServer: null, macServerToClient: null,
 * });
 * console.assert(keys.clientToServer.key.length === 16);
 * ```
 */
export async function deriveKeys(
  secret: Uint8Array,
  hash: Uint8Array,
  sessionId: Uint8Array,
  negotiated: Pick<
    Negotiated,
    | "cipherClientToServer"
    | "cipherServerToClient"
    | "macClientToServer"
    | "macServerToClient"
  >,
): Promise<{ clientToServer: DirectionKeys; serverToClient: DirectionKeys }> {
  const k = new SSHWriter().mpint(secret).finish();
  const derive = async (letter: string, size: number) => {
    if (size === 0) return new Uint8Array(0);
    const first = new Uint8Array(
      await crypto.subtle.digest(
        "SHA-256",
        concatChunks([k, hash, new TextEncoder().encode(letter), sessionId]),
      ),
    );
    const parts: Uint8Array[] = [first];
    let have = first.length;
    while (have < size) {
      const next = new Uint8Array(
        await crypto.subtle.digest(
          "SHA-256",
          concatChunks([k, hash, ...parts]),
        ),
      );
      parts.push(next);
      have += next.length;
    }
    return concatChunks(parts).slice(0, size);
  };
  const direction = async (
    cipher: string,
    mac: string | null,
    letters: [string, string, string],
  ): Promise<DirectionKeys> => {
    const sizes = keySizes(cipher, mac);
    return {
      cipher,
      mac,
      iv: await derive(letters[0], sizes.iv),
      key: await derive(letters[1], sizes.key),
      macKey: await derive(letters[2], sizes.macKey),
    };
  };
  return {
    clientToServer: await direction(
      negotiated.cipherClientToServer,
      negotiated.macClientToServer,
      ["A", "C", "E"],
    ),
    serverToClient: await direction(
      negotiated.cipherServerToClient,
      negotiated.macServerToClient,
      ["B", "D", "F"],
    ),
  };
}
