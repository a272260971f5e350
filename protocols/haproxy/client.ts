/**
 * The sending side: {@linkcode sendProxyHeader}, for tests and for chaining
 * a proxy of your own in front of a PROXY-protocol backend.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import { encodeProxyHeader, type ProxyHeaderInit } from "./codec.ts";

/**
 * Writes a PROXY header (v2 unless `options.version` is 1) as the first
 * bytes of `conn`.
 *
 * @example Usage
 * ```ts ignore
 * import { sendProxyHeader } from "@spindle/spindle/protocols/haproxy";
 * import { reactor } from "@spindle/spindle/reactor";
 * const conn = await reactor.connectTCP("127.0.0.1", 8080);
 * await sendProxyHeader(conn, {
 *   source: { transport: "tcp", hostname: "203.0.113.7", port: 40000 },
 *   destination: { transport: "tcp", hostname: "127.0.0.1", port: 8080 },
 * });
 * ```
 */
export function sendProxyHeader(
  conn: Connection,
  header: ProxyHeaderInit,
  options: { version?: 1 | 2 } = {},
): Promise<void> {
  return conn.write(encodeProxyHeader(header, options));
}
