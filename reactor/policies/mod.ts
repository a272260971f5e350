/**
 * Connection policies, each usable with a stream handler function and with a
 * Twisted-style factory: idle timeouts ({@linkcode idleTimeout}, and
 * {@linkcode TimeoutMixin} for protocols), limits on concurrent connections
 * ({@linkcode limitConnections}) and throttling in bytes per second
 * ({@linkcode throttle}). They compose: each takes a handler and returns one.
 *
 * @example Usage
 * ```ts ignore
 * import { idleTimeout, limitConnections, reactor, throttle } from "@spindle/spindle/reactor";
 * const echo = async (conn: import("@spindle/spindle/reactor").Connection) => {
 *   await conn.readable.pipeTo(conn.writable);
 * };
 * await reactor.listenTCP(
 *   8000,
 *   limitConnections(
 *     idleTimeout(throttle(echo, { writeLimit: 1 << 20 }), { timeout: 60_000 }),
 *     { maxConnections: 1000, maxPerPeer: 20 },
 *   ),
 * );
 * ```
 *
 * @module
 */
export * from "./wrapper.ts";
export * from "./timeout.ts";
export * from "./limits.ts";
export * from "./throttle.ts";
