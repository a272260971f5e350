/**
 * What a trial test body (and each test hook) gets: its own fake clock and
 * reactor, and a place for cleanups.
 *
 * @module
 */
import type { Clock } from "../reactor/clock.ts";
import type { DenoReactor } from "../reactor/deno_reactor.ts";

/**
 * What a trial test body gets.
 *
 * @example Usage
 * ```ts
 * import { assertEquals, type TestContext } from "@spindle/spindle/trial";
 * function startsAtZero(t: TestContext): void {
 *   assertEquals(t.clock.now(), 0);
 * }
 * console.assert(startsAtZero.length === 1);
 * ```
 */
export interface TestContext {
  /** The test's name. */
  readonly name: string;
  /** A fake clock of this test's own, at time 0. */
  readonly clock: Clock;
  /**
   * A real reactor of this test's own. Whatever is still open in it after
   * the body and cleanups — listeners, connections, pending delayed calls —
   * fails the test (a dirty reactor) and is closed.
   */
  readonly reactor: DenoReactor;
  /** Deno's context of the test (for `step`, `origin`, ...). */
  readonly deno: Deno.TestContext;
  /**
   * Registers `fn` to run after the body, even when it failed; cleanups run
   * last-added first, and each is waited for when it returns a Promise or
   * Deferred. A cleanup that throws fails the test.
   */
  addCleanup(fn: () => unknown): void;
}
