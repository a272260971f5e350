/**
 * `deferLater`: a Deferred that fires after a delay.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type { IReactorTime } from "./time.ts";

/**
 * Returns a Deferred that fires `ms` milliseconds from now on `clock`, with the
 * result of `fn()` (a Deferred or Promise is waited for; a throw fails it), or
 * with `undefined` without `fn`. Cancelling it cancels the scheduled call.
 *
 * @example Usage
 * ```ts
 * import { Clock, deferLater } from "@spindle/spindle/reactor";
 * const clock = new Clock();
 * const d = deferLater(clock, 500, () => "later");
 * clock.advance(500);
 * console.assert(await d === "later");
 * ```
 */
export function deferLater<T = void>(
  clock: IReactorTime,
  ms: number,
  fn?: () => T | PromiseLike<T>,
): Deferred<T> {
  const d = new Deferred<void>(() => call.cancel());
  const call = clock.callLater(ms, () => d.callback());
  if (fn === undefined) return d as Deferred<unknown> as Deferred<T>;
  return d.addCallback(fn);
}
