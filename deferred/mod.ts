/**
 * Twisted's Deferred for TypeScript: a result that is not there yet, with a
 * chain of callbacks and errbacks, that is also `PromiseLike` (`await d`).
 *
 * ```ts
 * import { Deferred } from "@spindle/spindle/deferred";
 * const d = new Deferred<number>();
 * d.addCallback((n) => n + 1);
 * d.callback(41);
 * console.assert(await d === 42);
 * ```
 *
 * @module
 */
export {
  type Canceller,
  Deferred,
  fail,
  getDebugging,
  reportUnhandledFailures,
  setDebugging,
  succeed,
  type TimeoutClock,
  type TimeoutOptions,
} from "./deferred.ts";
export { type ErrorType, Failure, type TrappedError } from "./failure.ts";
export * from "./errors.ts";
export { ensureDeferred, maybeDeferred } from "./maybe_deferred.ts";
export {
  DeferredList,
  type DeferredListEntry,
  type DeferredListOptions,
  type GatherOptions,
  gatherResults,
  race,
} from "./deferred_list.ts";
export { DeferredLock, DeferredSemaphore } from "./lock.ts";
export { DeferredQueue, type DeferredQueueOptions } from "./queue.ts";
