/**
 * The SSH server side of one connection: the transport, user authentication
 * (RFC 4252) through `cred/` (a portal, its checkers and the shared
 * `LoginLimiter`), then the connection protocol with session and
 * `direct-tcpip` channels.
 *
 * @module
 */
import type {
  Connection,
  ListeningPort,
  Reactor,
} from "../../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type { DelayedCall } from "../../reactor/time.ts";
import { getLogger } from "../../log/mod.ts";
import type { CredentialsChecker } from "../../cred/checker.ts";
import {
  Anonymous,
  SSHPublicKey,
  UsernamePassword,
} from "../../cred/credentials.ts";
import {
  LoginFailedError,
  TooManyAttemptsError,
  ValidPublicKeyError,
} from "../../cred/errors.ts";
import { LoginLimiter } from "../../cred/login_limiter.ts";
import { Portal } from "../../cred/portal.ts";
import { type Channel, ChannelMux, type ChannelOpener } from "./connection.ts";
import { DISCONNECT, MSG, OPEN_FAILURE } from "./constants.ts";
import { ChannelOpenError, SSHProtocolError } from "./errors.ts";
import type { SSHPrivateKey } from "./keys.ts";
import {
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_AUTH_REQUESTS,
  DEFAULT_MAX_CHANNEL_PACKET,
  DEFAULT_MAX_CHANNELS,
  MAX_REMOTE_FORWARDS,
} from "./limits.ts";
import { serveSession, type SessionOptions } from "./session.ts";
import { SSHTransport, type SSHTransportOptions } from "./transport.ts";
import { SSHReader, SSHWriter } from "./wire.ts";

const logger = getLogger("spindle.ssh");

/**
 * Where `direct-tcpip` channels (`ssh -L`) may connect: `false` refuses them
 * all; `permitOpen` lists the `host:port` pairs allowed (any when absent).
 *
 * @example Usage
 * ```ts
 * import type { ForwardingOptions } from "@spindle/spindle/protocols/ssh";
 * const only: ForwardingOptions = { permitOpen: ["127.0.0.1:8080"] };
 * console.assert(only.permitOpen?.length === 1);
 * ```
 */
export interface ForwardingOptions {
  /** `host:port` pairs a tunnel may reach; any when absent. */
  permitOpen?: readonly string[];
}

/**
 * The options of an SSH server.
 *
 * @example Usage
 * ```ts
 * import { SSHPrivateKey, type SSHServerOptions } from "@spindle/spindle/protocols/ssh";
 * import { InMemoryPasswordChecker } from "@spindle/spindle/cred";
 * const options: SSHServerOptions = {
 *   hostKeys: [await SSHPrivateKey.generate()],
 *   checkers: [new InMemoryPasswordChecker({ alice: "secret" })],
 *   session: () => 0,
 * };
 * console.assert(options.hostKeys.length === 1);
 * ```
 */
export interface SSHServerOptions extends
  SessionOptions,
  Pick<
    SSHTransportOptions,
    | "rekeyBytes"
    | "rekeyInterval"
    | "maxPacketSize"
    | "ciphers"
    | "macs"
    | "kex"
  > {
  /** The host keys (`SSHPrivateKey.generate()`, or loaded from a file). */
  hostKeys: readonly SSHPrivateKey[];
  /** The portal logins go through; built over `checkers` when absent. */
  portal?: Portal<unknown, Connection>;
  /** The checkers of the default portal (avatar: the user name). */
  checkers?: readonly CredentialsChecker[];
  /** The limiter of failed logins, shared by all connections; one per server by default. */
  limiter?: LoginLimiter;
  /** `direct-tcpip` (`ssh -L`): allowed everywhere by default; `false` turns it off. */
  forwarding?: false | ForwardingOptions;
  /** Time to finish the key exchange and login, in ms; {@linkcode DEFAULT_HANDSHAKE_TIMEOUT} by default. */
  handshakeTimeout?: number;
  /** Authentication requests per connection; {@linkcode DEFAULT_MAX_AUTH_REQUESTS} by default. */
  maxAuthRequests?: number;
  /** Channels open at once per connection; {@linkcode DEFAULT_MAX_CHANNELS} by default. */
  maxChannels?: number;
  /** Each channel's receive window; `DEFAULT_WINDOW_SIZE` (2 MiB) by default. */
  windowSize?: number;
  /** The reactor of tunnels and timers; the default reactor by default. */
  reactor?: Reactor;
}

function hostOf(conn: Connection): string {
  const address = conn.remoteAddr;
  return "hostname" in address ? address.hostname : "local";
}

/**
 * Builds the shared parts of a server once (its portal and limiter), then
 * serves each connection: `new SSHServer(options).handleConnection` is a
 * connection handler for `listenTCP` or an endpoint.
 *
 * @example Usage
 * ```ts
 * import { SSHPrivateKey, SSHServer } from "@spindle/spindle/protocols/ssh";
 * import { InMemoryPasswordChecker } from "@spindle/spindle/cred";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 * const server = new SSHServer({
 *   hostKeys: [await SSHPrivateKey.generate()],
 *   checkers: [new InMemoryPasswordChecker({ alice: "secret" })],
 *   session: () => 0,
 * });
 * const reactor = new DenoReactor();
 * const port = await reactor.listenTCP(0, (conn) => server.handleConnection(conn), { interface: "127.0.0.1" });
 * await port.stopListening();
 * ```
 */
export class SSHServer {
  /** The options, as given. */
  readonly options: SSHServerOptions;
  readonly #portal: Portal<unknown, Connection>;
  readonly #limiter: LoginLimiter;
  readonly #connections = new Map<SSHTransport, Promise<void>>();

  /** Creates the server's shared parts. */
  constructor(options: SSHServerOptions) {
    this.options = options;
    this.#portal = options.portal ?? new Portal<unknown, Connection>(
      { requestAvatar: (id) => ({ interface: "ssh", avatar: id }) },
      options.checkers ?? [],
    );
    this.#limiter = options.limiter ??
      new LoginLimiter({ clock: options.reactor });
  }

  /** The login methods offered, from the portal's checkers. */
  get methods(): string[] {
    const methods: string[] = [];
    const types = this.#portal.credentialInterfaces();
    if (types.includes(SSHPublicKey)) methods.push("publickey");
    if (types.includes(UsernamePassword)) methods.push("password");
    // Anonymous logins (an AnonymousChecker in the portal) take
    // keyboard-interactive with no prompt: "none" stays refused.
    if (types.includes(Anonymous)) methods.push("keyboard-interactive");
    return methods;
  }

  /** How many connections are being served. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Serves one connection until it ends. */
  async handleConnection(conn: Connection): Promise<void> {
    const transport = new SSHTransport(conn, {
      ...this.options,
      role: "server",
      clock: this.options.reactor,
    });
    const session = new ServerConnection(
      this,
      transport,
      this.#portal,
      this.#limiter,
    );
    const done = session.run();
    this.#connections.set(transport, done);
    try {
      await done;
    } finally {
      this.#connections.delete(transport);
    }
  }

  /** Disconnects every connection (shutting down). */
  async closeConnections(): Promise<void> {
    await Promise.all(
      [...this.#connections].map(async ([transport, done]) => {
        await transport.disconnect(
          DISCONNECT.BY_APPLICATION,
          "server shutting down",
        );
        await done;
      }),
    );
  }
}

class ServerConnection {
  readonly #server: SSHServer;
  readonly #transport: SSHTransport;
  readonly #portal: Portal<unknown, Connection>;
  readonly #limiter: LoginLimiter;
  readonly #reactor: Reactor;
  #userauth = false;
  #user: { user: string; avatar: unknown; logout: () => Promise<void> } | null =
    null;
  #requests = 0;
  #awaitingInfo = false;
  readonly #forwards = new Map<string, ListeningPort>();
  readonly #remoteTunnels = new Set<Promise<void>>();
  #mux: ChannelMux | null = null;
  #deadline: DelayedCall | null = null;

  constructor(
    server: SSHServer,
    transport: SSHTransport,
    portal: Portal<unknown, Connection>,
    limiter: LoginLimiter,
  ) {
    this.#server = server;
    this.#transport = transport;
    this.#portal = portal;
    this.#limiter = limiter;
    this.#reactor = server.options.reactor ?? defaultReactor;
  }

  async run(): Promise<void> {
    const transport = this.#transport;
    const timeout = this.#server.options.handshakeTimeout ??
      DEFAULT_HANDSHAKE_TIMEOUT;
    this.#deadline = this.#reactor.callLater(timeout, () => {
      this.#deadline = null;
      logger.info("SSH login from {peer} timed out after {ms} ms", {
        peer: hostOf(transport.conn),
        ms: timeout,
      });
      transport.disconnect(DISCONNECT.BY_APPLICATION, "login timed out");
    });
    transport.onMessage = (payload) => this.#handle(payload);
    transport.onClose = (error) => {
      this.#deadline?.cancel();
      this.#deadline = null;
      this.#mux?.abortAll(
        error ?? new SSHProtocolError("the SSH connection closed"),
      );
      this.#user?.logout().catch(() => {});
    };
    transport.start().catch(() => {});
    await transport.closed;
    await Promise.all(
      [...this.#forwards.values()].map((port) => port.stopListening()),
    );
    this.#forwards.clear();
    // Tunnels and sessions still closing their own resources.
    await this.#mux?.settled();
    while (this.#remoteTunnels.size > 0) await Promise.all(this.#remoteTunnels);
  }

  // tcpip-forward and cancel-tcpip-forward (ssh -R, RFC 4254 §7.1). As
  // OpenSSH's GatewayPorts no, the port is opened on loopback whatever
  // address the client names.
  async #globalRequest(
    name: string,
    data: SSHReader,
  ): Promise<Uint8Array | null> {
    if (name !== "tcpip-forward" && name !== "cancel-tcpip-forward") {
      return null;
    }
    if (this.#server.options.forwarding === false) return null;
    const address = data.text();
    const port = data.uint32();
    const key = `${address}:${port}`;
    if (name === "cancel-tcpip-forward") {
      const listening = this.#forwards.get(key);
      if (listening === undefined) return null;
      this.#forwards.delete(key);
      await listening.stopListening();
      return new Uint8Array(0);
    }
    if (this.#forwards.size >= MAX_REMOTE_FORWARDS) return null;
    let listening: ListeningPort;
    try {
      let bound = port;
      listening = await this.#reactor.listenTCP(port, (conn) => {
        const done = this.#forwarded(address, bound, conn);
        this.#remoteTunnels.add(done);
        done.finally(() => this.#remoteTunnels.delete(done));
      }, { interface: address === "::1" ? "::1" : "127.0.0.1" });
      bound = (listening.getHost() as Deno.NetAddr).port;
      this.#forwards.set(port === 0 ? `${address}:${bound}` : key, listening);
      return port === 0
        ? new SSHWriter().uint32(bound).finish()
        : new Uint8Array(0);
    } catch {
      return null;
    }
  }

  async #forwarded(
    address: string,
    port: number,
    conn: Connection,
  ): Promise<void> {
    const peer = conn.remoteAddr as Deno.NetAddr;
    let channel: Channel;
    try {
      channel = await this.#mux!.open(
        "forwarded-tcpip",
        new SSHWriter().string(address).uint32(port)
          .string(peer.hostname ?? "127.0.0.1").uint32(peer.port ?? 0).finish(),
      );
    } catch {
      await conn.close().catch(() => {});
      return;
    }
    await tunnel(channel, conn);
  }

  async #handle(payload: Uint8Array): Promise<boolean> {
    const type = payload[0]!;
    if (this.#mux !== null && type >= 80) {
      return await this.#mux.handle(payload);
    }
    const reader = new SSHReader(payload, 1);
    switch (type) {
      case MSG.SERVICE_REQUEST: {
        const name = reader.text();
        if (name !== "ssh-userauth" || this.#userauth) {
          await this.#transport.disconnect(
            DISCONNECT.SERVICE_NOT_AVAILABLE,
            `service ${name} is not available`,
          );
          return true;
        }
        this.#userauth = true;
        await this.#transport.send(
          new SSHWriter().byte(MSG.SERVICE_ACCEPT).string(name).finish(),
        );
        return true;
      }
      case MSG.USERAUTH_INFO_RESPONSE:
        if (!this.#awaitingInfo || this.#user !== null) {
          throw new SSHProtocolError(
            "the client answered a keyboard-interactive request never made",
          );
        }
        this.#awaitingInfo = false;
        await this.#login(new Anonymous(), "keyboard-interactive", "", false);
        return true;
      case MSG.USERAUTH_REQUEST:
        if (!this.#userauth) {
          throw new SSHProtocolError(
            "the client asked to log in before requesting ssh-userauth",
          );
        }
        if (this.#user === null) await this.#authenticate(reader, payload);
        return true;
    }
    return false;
  }

  #failure(): Promise<void> {
    return this.#transport.send(
      new SSHWriter().byte(MSG.USERAUTH_FAILURE).nameList(this.#server.methods)
        .boolean(false).finish(),
    );
  }

  async #authenticate(reader: SSHReader, payload: Uint8Array): Promise<void> {
    const transport = this.#transport;
    const maxRequests = this.#server.options.maxAuthRequests ??
      DEFAULT_MAX_AUTH_REQUESTS;
    if (++this.#requests > maxRequests) {
      await transport.disconnect(
        DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE,
        "too many authentication requests",
      );
      return;
    }
    const user = reader.text();
    const service = reader.text();
    const method = reader.text();
    if (service !== "ssh-connection") {
      await transport.disconnect(
        DISCONNECT.SERVICE_NOT_AVAILABLE,
        `service ${service} is not available`,
      );
      return;
    }
    let credentials: object;
    let query = false;
    if (method === "publickey" && this.#server.methods.includes("publickey")) {
      const signed = reader.boolean();
      const algorithm = reader.text();
      const blob = reader.bytes().slice();
      if (!signed) {
        query = true;
        credentials = new SSHPublicKey(user, { algorithm, blob });
      } else {
        const signature = reader.bytes().slice();
        const signedData = new SSHWriter().string(transport.sessionId!).raw(
          payload.subarray(0, payload.length - 4 - signature.length),
        ).finish().slice();
        credentials = new SSHPublicKey(user, {
          algorithm,
          blob,
          signature,
          signedData,
        });
      }
    } else if (
      method === "password" && this.#server.methods.includes("password")
    ) {
      if (reader.boolean()) {
        // A password change (RFC 4252 §8) is not offered.
        await this.#failure();
        return;
      }
      credentials = new UsernamePassword(user, reader.text());
    } else if (
      method === "keyboard-interactive" &&
      this.#server.methods.includes("keyboard-interactive")
    ) {
      // No prompt: the client answers at once (RFC 4256 §3.2), then logs in
      // anonymously.
      this.#awaitingInfo = true;
      await transport.send(
        new SSHWriter().byte(MSG.USERAUTH_INFO_REQUEST).string("").string("")
          .string("").uint32(0).finish(),
      );
      return;
    } else {
      // "none" and every method we do not offer.
      await this.#failure();
      return;
    }
    await this.#login(credentials, method, user, query);
  }

  // Logs `credentials` in through the limiter and the portal, answering
  // success, PK_OK (a query for an acceptable key) or failure.
  async #login(
    credentials: object,
    method: string,
    user: string,
    query: boolean,
  ): Promise<void> {
    const transport = this.#transport;
    try {
      const result = await this.#limiter.attempt(
        { connection: this, source: hostOf(transport.conn) },
        () => this.#portal.login(credentials, transport.conn, "ssh"),
      );
      if (query) {
        // A checker that accepts a query would be broken; refuse it.
        await result.logout();
        await this.#failure();
        return;
      }
      this.#loggedIn(result.avatarId, result.avatar, result.logout, method);
    } catch (error) {
      if (error instanceof ValidPublicKeyError && query) {
        const key = credentials as SSHPublicKey;
        await transport.send(
          new SSHWriter().byte(MSG.USERAUTH_PK_OK).string(key.algorithm)
            .string(key.blob).finish(),
        );
        return;
      }
      if (!(error instanceof LoginFailedError)) throw error;
      logger.info("SSH login of {user} from {peer} by {method} refused", {
        user,
        peer: hostOf(transport.conn),
        method,
      });
      if (error instanceof TooManyAttemptsError) {
        await transport.disconnect(
          DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE,
          "too many failed logins",
        );
        return;
      }
      await this.#failure();
    }
  }

  #loggedIn(
    user: string,
    avatar: unknown,
    logout: () => Promise<void>,
    method: string,
  ): void {
    this.#deadline?.cancel();
    this.#deadline = null;
    this.#user = { user, avatar, logout };
    logger.info("SSH login of {user} from {peer} by {method}", {
      user,
      peer: hostOf(this.#transport.conn),
      method,
    });
    const options = this.#server.options;
    this.#mux = new ChannelMux(this.#transport, {
      windowSize: options.windowSize,
      maxPacket: DEFAULT_MAX_CHANNEL_PACKET,
      maxChannels: options.maxChannels ?? DEFAULT_MAX_CHANNELS,
      onOpen: this.#opener({ user, avatar }),
      onGlobalRequest: (name, data) => this.#globalRequest(name, data),
    });
    this.#transport.send(new Uint8Array([MSG.USERAUTH_SUCCESS])).catch(
      () => {},
    );
  }

  #opener(who: { user: string; avatar: unknown }): ChannelOpener {
    const options = this.#server.options;
    return async (open) => {
      if (open.type === "session") {
        return (channel: Channel) => serveSession(channel, who, options);
      }
      if (open.type === "direct-tcpip") {
        const host = open.data.text();
        const port = open.data.uint32();
        const forwarding = options.forwarding ?? {};
        const target = `${host}:${port}`;
        if (
          forwarding === false ||
          (forwarding.permitOpen !== undefined &&
            !forwarding.permitOpen.includes(target))
        ) {
          throw new ChannelOpenError(
            OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED,
            `forwarding to ${target} is not permitted`,
          );
        }
        let conn: Connection;
        try {
          conn = await this.#reactor.connectTCP(host, port);
        } catch (error) {
          throw new ChannelOpenError(
            OPEN_FAILURE.CONNECT_FAILED,
            `cannot connect to ${target}: ${(error as Error).message}`,
          );
        }
        return (channel: Channel) => tunnel(channel, conn);
      }
      throw new ChannelOpenError(
        OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE,
        `${open.type} channels are not supported`,
      );
    };
  }
}

/**
 * Joins a channel and a TCP connection both ways, with half-close, until
 * both directions end.
 *
 * @example Usage
 * ```ts ignore
 * await tunnel(channel, await reactor.connectTCP("127.0.0.1", 8080));
 * ```
 */
export async function tunnel(
  channel: Channel,
  conn: Connection,
): Promise<void> {
  await Promise.allSettled([
    channel.readable.pipeTo(conn.writable),
    conn.readable.pipeTo(channel.writable),
  ]);
  await conn.close().catch(() => {});
  await channel.close().catch(() => {});
}
