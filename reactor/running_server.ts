/**
 * {@linkcode runningServer}: the one implementation of the
 * {@linkcode RunningServer} shape that every `serveX` function returns.
 *
 * @module
 */
import type { ListeningPort, RunningServer } from "./interfaces.ts";

/** Options of {@linkcode runningServer}. */
export interface RunningServerOptions {
  /**
   * Lets the connections in flight finish once the ports stopped listening
   * (the protocol's graceful close); `shutdown()` waits for it.
   */
  drain?: () => Promise<unknown>;
}

/**
 * A {@linkcode RunningServer} over listening ports: `shutdown()` stops every
 * port, then drains; it runs once however often it is called, and
 * `finished` resolves when it is done (even when stopping failed, in which
 * case `shutdown()` rejects).
 *
 * @example Usage
 * ```ts
 * import { DenoReactor, runningServer } from "@spindle/spindle/reactor";
 * const reactor = new DenoReactor();
 * const port = await reactor.listenTCP(0, (conn) => conn.close(), {
 *   interface: "127.0.0.1",
 * });
 * await using server = runningServer([port]);
 * console.assert(server.addr.transport === "tcp");
 * ```
 */
export function runningServer(
  ports: readonly ListeningPort[],
  options: RunningServerOptions = {},
): RunningServer {
  const [first] = ports;
  if (first === undefined) {
    throw new RangeError("runningServer needs at least one listening port");
  }
  const finished = Promise.withResolvers<void>();
  let stopping: Promise<void> | null = null;
  const shutdown = (): Promise<void> =>
    stopping ??= (async () => {
      try {
        await Promise.all(ports.map((port) => port.stopListening()));
        await options.drain?.();
      } finally {
        finished.resolve();
      }
    })();
  return {
    addr: first.getHost(),
    finished: finished.promise,
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}
