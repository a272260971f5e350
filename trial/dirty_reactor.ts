/**
 * The dirty-reactor check (Twisted trial's `DirtyReactorAggregateError`):
 * every trial test gets its own {@linkcode DenoReactor} as `t.reactor`; after
 * the body and its cleanups, whatever is still open in it — listeners,
 * connections, pending delayed calls, a reactor left running — fails the test
 * with a list of what was left, and is closed so the next test starts clean.
 *
 * @module
 */
import type { DenoReactor } from "../reactor/deno_reactor.ts";
import { addTestHook } from "./hooks.ts";

/** Event-loop turns given to connections that are already closing on their own. */
const SETTLE_TURNS = 5;

/**
 * Lists what `reactor` still holds, then closes all of it: the leftovers of a
 * test, one description each (empty when the test cleaned up after itself).
 */
export async function checkReactorClean(
  reactor: DenoReactor,
): Promise<string[]> {
  // A connection whose handler just finished closes a moment later: let the
  // closes already under way complete before calling anything a leftover.
  for (let turn = 0; turn < SETTLE_TURNS; turn++) {
    if (!reactor.openResources().some((r) => r.kind === "connection")) break;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const problems = reactor.openResources().map((resource) =>
    `${article(resource.kind)} ${resource.kind}: ${resource.description}`
  );
  if (reactor.state !== "stopped") {
    problems.push(
      `the reactor is still ${reactor.state}: stop() it before the test ends`,
    );
    await reactor.stop().catch(() => {});
  }
  await reactor.cleanUp();
  return problems;
}

function article(kind: string): string {
  return kind === "delayed call" ? "a pending" : "an open";
}

addTestHook({
  tearDown: (t) => checkReactorClean(t.reactor),
});
