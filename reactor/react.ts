/**
 * `react(main)`: Twisted's `react` — run a reactor around one main function
 * and exit with its outcome.
 *
 * @module
 */
import { getLogger } from "../log/mod.ts";
import { type DenoReactor, reactor as defaultReactor } from "./deno_reactor.ts";

const logger = getLogger("spindle.reactor.react");

/** Options for {@linkcode react}. */
export interface ReactOptions {
  /** The reactor to run, default the module's `reactor`. */
  reactor?: DenoReactor;
  /** Ends the process with a code; `Deno.exit` by default (tests pass their own). */
  exit?: (code: number) => void;
  /** Stop gracefully on SIGINT and SIGTERM (default `true`). */
  installSignalHandlers?: boolean;
}

/**
 * Runs `reactor`, calls `main(reactor)` once it is running, stops the reactor
 * when what `main` returns settles (a promise or Deferred), and exits with
 * code 0 — or 1 if `main` failed, after logging the error. A SIGINT or
 * SIGTERM stops the reactor and exits 0.
 *
 * @example Usage
 * ```ts ignore
 * import { react } from "@spindle/spindle/reactor";
 * await react(async (reactor) => {
 *   const conn = await reactor.connectTCP("127.0.0.1", 8000);
 *   await conn.write(new TextEncoder().encode("hello\n"));
 *   await conn.close();
 * });
 * ```
 */
export async function react(
  main: (reactor: DenoReactor) => unknown,
  options: ReactOptions = {},
): Promise<void> {
  const reactor = options.reactor ?? defaultReactor;
  const exit = options.exit ?? ((code: number) => Deno.exit(code));
  let code = 0;
  reactor.callWhenRunning(async () => {
    try {
      await main(reactor);
    } catch (error) {
      code = 1;
      logger.critical("The main function failed", { error });
    }
    if (reactor.state === "running") await reactor.stop();
  });
  await reactor.run({
    installSignalHandlers: options.installSignalHandlers ?? true,
  });
  exit(code);
}
