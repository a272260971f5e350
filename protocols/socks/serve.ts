/**
 * {@linkcode serveSocks}: a SOCKS server on an endpoint.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  type EndpointReactor,
  type ServerEndpoint,
  serverFromString,
} from "../../reactor/endpoints/mod.ts";
import type { Connection, RunningServer } from "../../reactor/interfaces.ts";
import { runningServer } from "../../reactor/running_server.ts";
import { OpenProxyError } from "./errors.ts";
import { socksHandler, type SocksServerOptions } from "./server.ts";

/**
 * Options of {@linkcode serveSocks}.
 *
 * @example Usage
 * ```ts
 * import type { ServeSocksOptions } from "@spindle/spindle/protocols/socks";
 * const options: ServeSocksOptions = {
 *   listen: "tcp:1080:interface=127.0.0.1",
 *   resolver: { getHostByName: () => Promise.resolve("192.0.2.1") },
 * };
 * console.assert(options.listen === "tcp:1080:interface=127.0.0.1");
 * ```
 */
export interface ServeSocksOptions extends SocksServerOptions {
  /** Where to listen: a stream endpoint string or object. */
  listen: string | ServerEndpoint;
  /** Share the port between processes (SO_REUSEPORT), for an endpoint string. */
  reusePort?: boolean;
  /** The reactor to listen and connect with; default: the default reactor. */
  reactor?: EndpointReactor;
}

/**
 * Whether `hostname` is a loopback address (127.0.0.0/8 or ::1).
 *
 * @example Usage
 * ```ts
 * import { isLoopback } from "@spindle/spindle/protocols/socks";
 * console.assert(isLoopback("127.0.0.1") && !isLoopback("0.0.0.0"));
 * ```
 */
export function isLoopback(hostname: string): boolean {
  return /^127\./.test(hostname) || hostname === "::1" ||
    hostname === "localhost";
}

/**
 * Serves SOCKS 4, 4a and 5 ({@linkcode socksHandler}) on `options.listen`.
 * Without a `checker` (logins), it refuses to listen anywhere but loopback:
 * an open proxy lends its address to anyone. Shutting down stops listening
 * and cuts the relays still open.
 *
 * @throws {OpenProxyError} When it would listen beyond loopback with no logins.
 *
 * @example Usage
 * ```ts
 * import { serveSocks } from "@spindle/spindle/protocols/socks";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * await using server = await serveSocks({
 *   listen: "tcp:0:interface=127.0.0.1",
 *   resolver: { getHostByName: () => Promise.resolve("192.0.2.1") },
 *   reactor: new DenoReactor(),
 * });
 * console.assert(server.addr.transport === "tcp");
 * ```
 */
export async function serveSocks(
  options: ServeSocksOptions,
): Promise<RunningServer> {
  const reactor = options.reactor ?? defaultReactor;
  const endpoint = typeof options.listen === "string"
    ? serverFromString(reactor, options.listen, {
      transport: "stream",
      reusePort: options.reusePort,
    })
    : options.listen;
  const handler = socksHandler({ ...options, reactor });
  const open = new Set<Connection>();
  const port = await endpoint.listen(async (conn) => {
    open.add(conn);
    try {
      await handler(conn);
    } finally {
      open.delete(conn);
    }
  });
  const host = port.getHost();
  if (
    options.checker === undefined && "hostname" in host &&
    !isLoopback(host.hostname)
  ) {
    await port.stopListening();
    throw new OpenProxyError(host.hostname);
  }
  return runningServer([port], {
    drain: () => {
      const closing = [...open].map((conn) => conn.closed.catch(() => {}));
      for (const conn of open) conn.abort();
      return Promise.all(closing);
    },
  });
}
