/**
 * The SOCKS server (SOCKS 4, 4a and 5: RFC 1928, RFC 1929): CONNECT to
 * IPv4, IPv6 and named destinations, under access rules, with optional
 * username/password logins through `cred/`.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type { Connection, Reactor } from "../../reactor/interfaces.ts";
import {
  ConnectionRefusedError,
  ConnectTimeoutError,
} from "../../reactor/errors.ts";
import type { CredentialsChecker } from "../../cred/checker.ts";
import { UsernamePassword } from "../../cred/credentials.ts";
import { UnauthorizedLoginError } from "../../cred/errors.ts";
import { LoginLimiter } from "../../cred/login_limiter.ts";
import { getLogger } from "../../log/mod.ts";
import { formatAddress } from "../../reactor/connection.ts";
import {
  formatIPv4,
  formatIPv6,
  parseIPv4,
  parseIPv6,
} from "../../reactor/ip_address.ts";
import { splice } from "../portforward/relay.ts";
import { ByteReader } from "./_byte_reader.ts";
import {
  Socks4Reply,
  Socks5AddressType,
  Socks5Method,
  Socks5Reply,
  SOCKS_CONNECT,
} from "./constants.ts";
import { InvalidSocksMessageError } from "./errors.ts";
import {
  DEFAULT_SOCKS_CONNECT_TIMEOUT,
  DEFAULT_SOCKS_HANDSHAKE_TIMEOUT,
  MAX_SOCKS4_STRING,
  type SocksServerLimits,
} from "./limits.ts";
import { AccessPolicy, type Destination } from "./rules.ts";

const log = getLogger("spindle.socks");

/**
 * What the SOCKS server resolves host names with: Spindle's DNS
 * `Resolver` is one (its `getHostByName` gives the first IPv4 address).
 *
 * @example Usage
 * ```ts
 * import type { HostResolver } from "@spindle/spindle/protocols/socks";
 * const resolver: HostResolver = {
 *   getHostByName: (name) => Promise.resolve(name === "localhost" ? "127.0.0.1" : "192.0.2.1"),
 * };
 * console.assert(typeof resolver.getHostByName === "function");
 * ```
 */
export interface HostResolver {
  /** An address of `name`; fails when it has none. */
  getHostByName(name: string): PromiseLike<string>;
}

/**
 * Options of {@linkcode socksHandler}.
 *
 * @example Usage
 * ```ts
 * import { AccessPolicy, type SocksServerOptions } from "@spindle/spindle/protocols/socks";
 * const options: SocksServerOptions = {
 *   policy: new AccessPolicy({ allow: ["127.0.0.1"] }),
 *   resolver: { getHostByName: () => Promise.resolve("127.0.0.1") },
 * };
 * console.assert(options.checker === undefined);
 * ```
 */
export interface SocksServerOptions extends SocksServerLimits {
  /** The host names of SOCKS 4a and 5 requests are resolved with it. */
  resolver: HostResolver;
  /** Which destinations may be reached; default `new AccessPolicy()`. */
  policy?: AccessPolicy;
  /**
   * When given, every client must log in with a username and password
   * (SOCKS 5, RFC 1929) that this checker accepts (such as cred's
   * `FilePasswordChecker` over the user file); SOCKS 4, which has no
   * passwords, is then refused.
   */
  checker?: CredentialsChecker;
  /** The limits on failed logins; default `new LoginLimiter()`. */
  limiter?: LoginLimiter;
  /** The reactor that connects and times the handshake; default: the default reactor. */
  reactor?: Reactor;
}

/** Why a request could not be served, as a SOCKS 5 reply code. */
class Refusal {
  constructor(readonly code: number, readonly reason: string) {}
}

const v4Reply = (code: number) => new Uint8Array([0, code, 0, 0, 0, 0, 0, 0]);

function v5Reply(code: number, bound?: Deno.NetAddr): Uint8Array {
  const v6 = bound === undefined ? null : parseIPv6(bound.hostname);
  const v4 = bound === undefined ? null : parseIPv4(bound.hostname);
  const address = v6 ?? v4 ?? new Uint8Array(4);
  const out = new Uint8Array(6 + address.length);
  out.set([
    5,
    code,
    0,
    v6 !== null ? Socks5AddressType.IPV6 : Socks5AddressType.IPV4,
  ]);
  out.set(address, 4);
  new DataView(out.buffer).setUint16(4 + address.length, bound?.port ?? 0);
  return out;
}

function sourceOf(conn: Connection): string {
  const addr = conn.remoteAddr;
  return "hostname" in addr ? addr.hostname : formatAddress(addr);
}

/**
 * A connection handler that serves SOCKS 4, 4a and 5 CONNECT requests:
 * it reads the handshake (within `handshakeTimeout`), logs the client in
 * when a `checker` is given, resolves a host name with `resolver`, checks
 * the destination against `policy`, connects and then relays both ways
 * with backpressure and half-close. BIND and UDP ASSOCIATE are answered
 * "command not supported".
 *
 * @example Usage
 * ```ts
 * import { AccessPolicy, socksHandler } from "@spindle/spindle/protocols/socks";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * const handler = socksHandler({
 *   resolver: { getHostByName: () => Promise.resolve("127.0.0.1") },
 *   policy: new AccessPolicy({ allow: ["127.0.0.1"] }),
 *   reactor,
 * });
 * const port = await reactor.listenTCP(0, handler, { interface: "127.0.0.1" });
 * await port.stopListening();
 * ```
 */
export function socksHandler(
  options: SocksServerOptions,
): (conn: Connection) => Promise<void> {
  const reactor = options.reactor ?? defaultReactor;
  const policy = options.policy ?? new AccessPolicy();
  const limiter = options.limiter ?? new LoginLimiter({ clock: reactor });
  const handshakeTimeout = options.handshakeTimeout ??
    DEFAULT_SOCKS_HANDSHAKE_TIMEOUT;
  const connectTimeout = options.connectTimeout ??
    DEFAULT_SOCKS_CONNECT_TIMEOUT;

  async function open(destination: Destination): Promise<Connection> {
    if (!policy.allows(destination)) {
      throw new Refusal(Socks5Reply.NOT_ALLOWED, "not allowed by the rules");
    }
    try {
      return await reactor.connectTCP(destination.address, destination.port, {
        timeout: connectTimeout,
      });
    } catch (error) {
      if (error instanceof ConnectionRefusedError) {
        throw new Refusal(Socks5Reply.CONNECTION_REFUSED, "connection refused");
      }
      if (error instanceof ConnectTimeoutError) {
        throw new Refusal(Socks5Reply.HOST_UNREACHABLE, "connect timed out");
      }
      throw new Refusal(Socks5Reply.GENERAL_FAILURE, String(error));
    }
  }

  async function resolve(name: string, port: number): Promise<Destination> {
    if (parseIPv4(name) !== null || parseIPv6(name) !== null) {
      return { name, address: name, port };
    }
    try {
      return {
        name,
        address: await options.resolver.getHostByName(name),
        port,
      };
    } catch {
      throw new Refusal(Socks5Reply.HOST_UNREACHABLE, `cannot resolve ${name}`);
    }
  }

  async function socks4(
    conn: Connection,
    reader: ByteReader,
  ): Promise<Connection | null> {
    const head = await reader.exactly(7);
    await reader.untilNul(MAX_SOCKS4_STRING, "SOCKS 4 user id");
    const port = (head[1]! << 8) | head[2]!;
    const ip = head.subarray(3, 7);
    // SOCKS 4a: an address of 0.0.0.x (x not 0) means a host name follows.
    const named = ip[0] === 0 && ip[1] === 0 && ip[2] === 0 && ip[3] !== 0;
    const name = named
      ? new TextDecoder().decode(
        await reader.untilNul(MAX_SOCKS4_STRING, "SOCKS 4a host name"),
      )
      : undefined;
    try {
      if (options.checker !== undefined) {
        throw new Refusal(Socks5Reply.NOT_ALLOWED, "SOCKS 4 cannot log in");
      }
      if (head[0] !== SOCKS_CONNECT) {
        throw new Refusal(Socks5Reply.COMMAND_NOT_SUPPORTED, "not CONNECT");
      }
      const destination = name !== undefined
        ? await resolve(name, port)
        : { address: formatIPv4(ip), port };
      const upstream = await open(destination);
      await conn.write(
        new Uint8Array([0, Socks4Reply.GRANTED, ...head.subarray(1, 7)]),
      );
      return upstream;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      refused(conn, error);
      await conn.write(v4Reply(Socks4Reply.REJECTED));
      return null;
    }
  }

  async function login(conn: Connection, reader: ByteReader): Promise<boolean> {
    const [version, ulen] = await reader.exactly(2);
    if (version !== 1) {
      throw new InvalidSocksMessageError(`login version ${version} is not 1`);
    }
    const username = new TextDecoder().decode(await reader.exactly(ulen!));
    const [plen] = await reader.exactly(1);
    const password = new TextDecoder().decode(await reader.exactly(plen!));
    try {
      await limiter.attempt(
        { connection: conn, source: sourceOf(conn) },
        () =>
          options.checker!.requestAvatarId(
            new UsernamePassword(username, password),
          ),
      );
    } catch (error) {
      if (!(error instanceof UnauthorizedLoginError)) throw error;
      log.info("{peer}: login failed for {username}", {
        peer: formatAddress(conn.remoteAddr),
        username,
      });
      // RFC 1929 §2: after a failure the server must close the connection.
      await conn.write(new Uint8Array([1, 1]));
      return false;
    }
    await conn.write(new Uint8Array([1, 0]));
    return true;
  }

  async function socks5(
    conn: Connection,
    reader: ByteReader,
  ): Promise<Connection | null> {
    const [count] = await reader.exactly(1);
    const methods = await reader.exactly(count!);
    const wanted = options.checker === undefined
      ? Socks5Method.NO_AUTH
      : Socks5Method.USERNAME_PASSWORD;
    if (!methods.includes(wanted)) {
      await conn.write(new Uint8Array([5, Socks5Method.NO_ACCEPTABLE]));
      return null;
    }
    await conn.write(new Uint8Array([5, wanted]));
    if (
      wanted === Socks5Method.USERNAME_PASSWORD && !(await login(conn, reader))
    ) {
      return null;
    }
    const [version, command, , type] = await reader.exactly(4);
    if (version !== 5) {
      throw new InvalidSocksMessageError(`request version ${version} is not 5`);
    }
    try {
      let name: string;
      if (type === Socks5AddressType.IPV4) {
        name = formatIPv4(await reader.exactly(4));
      } else if (type === Socks5AddressType.IPV6) {
        name = formatIPv6(await reader.exactly(16));
      } else if (type === Socks5AddressType.DOMAIN) {
        const [length] = await reader.exactly(1);
        name = new TextDecoder().decode(await reader.exactly(length!));
      } else {
        throw new Refusal(
          Socks5Reply.ADDRESS_TYPE_NOT_SUPPORTED,
          `address type ${type}`,
        );
      }
      const portBytes = await reader.exactly(2);
      const port = (portBytes[0]! << 8) | portBytes[1]!;
      if (command !== SOCKS_CONNECT) {
        throw new Refusal(
          Socks5Reply.COMMAND_NOT_SUPPORTED,
          `command ${command}`,
        );
      }
      const upstream = await open(await resolve(name, port));
      await conn.write(
        v5Reply(Socks5Reply.SUCCEEDED, upstream.localAddr as Deno.NetAddr),
      );
      return upstream;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      refused(conn, error);
      await conn.write(v5Reply(error.code));
      return null;
    }
  }

  function refused(conn: Connection, refusal: Refusal): void {
    log.info("{peer}: request refused: {reason}", {
      peer: formatAddress(conn.remoteAddr),
      reason: refusal.reason,
    });
  }

  return async (conn) => {
    const timer = reactor.callLater(handshakeTimeout, () => conn.abort());
    const reader = new ByteReader(conn);
    let upstream: Connection | null;
    try {
      const [version] = await reader.exactly(1);
      if (version === 4) upstream = await socks4(conn, reader);
      else if (version === 5) upstream = await socks5(conn, reader);
      else {
        throw new InvalidSocksMessageError(
          `version ${version} is not SOCKS 4 or 5`,
        );
      }
    } finally {
      if (timer.active()) timer.cancel();
    }
    if (upstream === null) return;
    reader.release();
    await splice(conn, upstream);
  };
}
