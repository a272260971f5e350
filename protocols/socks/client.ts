/**
 * The SOCKS 5 client (RFC 1928, RFC 1929): {@linkcode connectViaSocks} and
 * the `socks5:` client endpoint.
 *
 * @module
 */
import { Deferred } from "../../deferred/deferred.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type {
  Connection,
  ConnectionHandler,
  Reactor,
} from "../../reactor/interfaces.ts";
import type { ClientEndpoint } from "../../reactor/endpoints/endpoint.ts";
import { InvalidEndpointParameterError } from "../../reactor/endpoints/errors.ts";
import { describeEndpoint } from "../../reactor/endpoints/grammar.ts";
import { registerClientEndpointKind } from "../../reactor/endpoints/registry.ts";
import { TCPClientEndpoint } from "../../reactor/endpoints/tcp.ts";
import { parseIPv4, parseIPv6 } from "../../reactor/ip_address.ts";
import { ByteReader } from "./_byte_reader.ts";
import {
  Socks5AddressType,
  Socks5Method,
  Socks5Reply,
  SOCKS_CONNECT,
} from "./constants.ts";
import {
  InvalidSocksMessageError,
  SocksLoginFailedError,
  SocksRequestRefusedError,
} from "./errors.ts";

/**
 * A SOCKS 5 proxy to connect through.
 *
 * @example Usage
 * ```ts
 * import type { SocksProxy } from "@spindle/spindle/protocols/socks";
 * const proxy: SocksProxy = { host: "127.0.0.1", port: 1080, username: "alice", password: "secret" };
 * console.assert(proxy.port === 1080);
 * ```
 */
export interface SocksProxy {
  /** The proxy's host. */
  host: string;
  /** The proxy's port. */
  port: number;
  /** A username to log in with (RFC 1929); none: no login offered. */
  username?: string;
  /** The password that goes with `username`. */
  password?: string;
}

/**
 * Where to connect through the proxy.
 *
 * @example Usage
 * ```ts
 * import type { SocksTarget } from "@spindle/spindle/protocols/socks";
 * const target: SocksTarget = { host: "example.org", port: 80 };
 * console.assert(target.host === "example.org");
 * ```
 */
export interface SocksTarget {
  /** A host name (the proxy resolves it) or an IPv4 or IPv6 address. */
  host: string;
  /** The port. */
  port: number;
}

/**
 * Options of {@linkcode connectViaSocks}.
 *
 * @example Usage
 * ```ts
 * import type { ConnectViaSocksOptions } from "@spindle/spindle/protocols/socks";
 * const options: ConnectViaSocksOptions = { timeout: 5_000 };
 * console.assert(options.timeout === 5_000);
 * ```
 */
export interface ConnectViaSocksOptions {
  /** Milliseconds to reach the proxy before failing with `ConnectTimeoutError`. */
  timeout?: number;
  /** The reactor to connect with; default: the default reactor. */
  reactor?: Reactor;
}

function encodeTarget(target: SocksTarget): Uint8Array {
  const v4 = parseIPv4(target.host);
  const v6 = v4 === null ? parseIPv6(target.host) : null;
  const name = new TextEncoder().encode(target.host);
  if (v4 === null && v6 === null && (name.length === 0 || name.length > 255)) {
    throw new RangeError(
      `A SOCKS 5 host name is 1 to 255 bytes; ${target.host} is ${name.length}`,
    );
  }
  const address = v4 ?? v6 ?? new Uint8Array([name.length, ...name]);
  const type = v4 !== null
    ? Socks5AddressType.IPV4
    : v6 !== null
    ? Socks5AddressType.IPV6
    : Socks5AddressType.DOMAIN;
  const out = new Uint8Array(6 + address.length);
  out.set([5, SOCKS_CONNECT, 0, type]);
  out.set(address, 4);
  new DataView(out.buffer).setUint16(4 + address.length, target.port);
  return out;
}

/**
 * Runs the client side of a SOCKS 5 handshake on `conn` (already connected
 * to the proxy) for `target`, logging in if `proxy` has a username.
 *
 * @throws {SocksLoginFailedError} When the proxy refuses the login or our methods.
 * @throws {SocksRequestRefusedError} When it refuses the connection.
 */
async function handshake(
  conn: Connection,
  proxy: SocksProxy,
  target: SocksTarget,
): Promise<void> {
  const reader = new ByteReader(conn);
  const method = proxy.username === undefined
    ? Socks5Method.NO_AUTH
    : Socks5Method.USERNAME_PASSWORD;
  await conn.write(new Uint8Array([5, 1, method]));
  const [version, chosen] = await reader.exactly(2);
  if (version !== 5) {
    throw new InvalidSocksMessageError(`the proxy answered version ${version}`);
  }
  if (chosen !== method) {
    throw new SocksLoginFailedError(
      method === Socks5Method.NO_AUTH
        ? "the proxy requires a login"
        : "the proxy does not take username/password logins",
    );
  }
  if (method === Socks5Method.USERNAME_PASSWORD) {
    const user = new TextEncoder().encode(proxy.username);
    const password = new TextEncoder().encode(proxy.password ?? "");
    if (user.length > 255 || password.length > 255) {
      throw new RangeError(
        "SOCKS 5 usernames and passwords are at most 255 bytes",
      );
    }
    await conn.write(
      new Uint8Array([1, user.length, ...user, password.length, ...password]),
    );
    const [, status] = await reader.exactly(2);
    if (status !== 0) {
      throw new SocksLoginFailedError("the proxy refused the login");
    }
  }
  await conn.write(encodeTarget(target));
  const [replyVersion, code, , type] = await reader.exactly(4);
  if (replyVersion !== 5) {
    throw new InvalidSocksMessageError(
      `the proxy answered version ${replyVersion}`,
    );
  }
  if (code !== Socks5Reply.SUCCEEDED) throw new SocksRequestRefusedError(code!);
  const length = type === Socks5AddressType.IPV4
    ? 4
    : type === Socks5AddressType.IPV6
    ? 16
    : (await reader.exactly(1))[0]!;
  await reader.exactly(length + 2); // the bound address: not needed
  reader.release();
}

/**
 * Connects to `target` through the SOCKS 5 proxy `proxy` and resolves to
 * the connection, ready for the target's protocol. Host names are sent to
 * the proxy to resolve (as `curl --socks5-hostname` does).
 *
 * @throws {SocksLoginFailedError} When the proxy refuses the login.
 * @throws {SocksRequestRefusedError} When the proxy refuses the connection.
 *
 * @example Usage
 * ```ts ignore
 * import { connectViaSocks } from "@spindle/spindle/protocols/socks";
 * const conn = await connectViaSocks(
 *   { host: "127.0.0.1", port: 1080 },
 *   { host: "example.org", port: 80 },
 * );
 * await conn.write(new TextEncoder().encode("HEAD / HTTP/1.0\r\n\r\n"));
 * ```
 */
export async function connectViaSocks(
  proxy: SocksProxy,
  target: SocksTarget,
  options: ConnectViaSocksOptions = {},
): Promise<Connection> {
  const conn = await (options.reactor ?? defaultReactor).connectTCP(
    proxy.host,
    proxy.port,
    { timeout: options.timeout },
  );
  try {
    await handshake(conn, proxy, target);
  } catch (error) {
    conn.abort(error);
    throw error;
  }
  return conn;
}

/**
 * The `socks5:` client endpoint: `socks5:PROXYHOST:PROXYPORT:tcp:HOST:PORT`
 * (with `username=` and `password=` after the wrapped endpoint for a
 * login) connects to the wrapped TCP endpoint's host and port through the
 * proxy.
 *
 * @example Usage
 * ```ts
 * import "@spindle/spindle/protocols/socks";
 * import { clientFromString, DenoReactor } from "@spindle/spindle/reactor";
 * const endpoint = clientFromString(
 *   new DenoReactor(),
 *   "socks5:127.0.0.1:1080:tcp:example.org:80",
 * );
 * console.assert(endpoint.kind === "socks5");
 * ```
 */
export class SocksClientEndpoint implements ClientEndpoint {
  /** Always `"socks5"`. */
  readonly kind = "socks5" as const;
  /** The reactor it connects with. */
  readonly reactor: Reactor;
  /** The proxy. */
  readonly proxy: SocksProxy;
  /** The endpoint reached through the proxy. */
  readonly inner: TCPClientEndpoint;

  /** Makes the endpoint; nothing happens until `connect`. */
  constructor(reactor: Reactor, proxy: SocksProxy, inner: TCPClientEndpoint) {
    this.reactor = reactor;
    this.proxy = proxy;
    this.inner = inner;
  }

  /** Connects through the proxy; with `handler`, serves the connection too. */
  connect(handler?: ConnectionHandler): Deferred<Connection> {
    const { host, port, timeout } = this.inner.options;
    return Deferred.fromPromise((async () => {
      const conn = await connectViaSocks(this.proxy, { host, port }, {
        timeout,
        reactor: this.reactor,
      });
      if (typeof handler === "function") void handler(conn);
      else handler?.handleConnection(conn, this.reactor);
      return conn;
    })());
  }

  /** The description, such as `socks5:127.0.0.1:1080:tcp:host=example.org:port=80`. */
  toString(): string {
    return describeEndpoint({
      kind: "socks5",
      positional: [this.proxy.host, this.proxy.port],
      inner: this.inner,
      named: { username: this.proxy.username, password: this.proxy.password },
    });
  }
}

registerClientEndpointKind("socks5", {
  wraps: true,
  positional: ["proxyHost", "proxyPort"],
  named: ["username", "password"],
  create: (p, { reactor, inner }) => {
    if (!(inner instanceof TCPClientEndpoint)) {
      throw new InvalidEndpointParameterError(String(inner), "endpoint", {
        kind: "socks5",
        problem:
          "must be a tcp: endpoint, such as socks5:127.0.0.1:1080:tcp:example.org:80",
      });
    }
    return new SocksClientEndpoint(reactor, {
      host: p.string("proxyHost", true),
      port: p.port("proxyPort"),
      username: p.string("username"),
      password: p.string("password"),
    }, inner);
  },
});
