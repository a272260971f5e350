/**
 * Converting calls and Promises to Deferreds.
 *
 * @module
 */
import { Deferred, fail, succeed } from "./deferred.ts";

/**
 * Calls `fn(...args)` and returns its result as a Deferred: a returned
 * Deferred as it is, a Promise converted, a plain value as a fired Deferred,
 * and a thrown error as a failed one — so the caller handles every outcome
 * one way.
 *
 * @example Usage
 * ```ts
 * import { maybeDeferred } from "@spindle/spindle/deferred";
 * const parsed = maybeDeferred(JSON.parse, "{");
 * parsed.addErrback((failure) => console.assert(failure.value instanceof SyntaxError));
 * ```
 */
export function maybeDeferred<T, A extends unknown[] = []>(
  fn: (...args: A) => T | PromiseLike<T>,
  ...args: A
): Deferred<T> {
  let result: T | PromiseLike<T>;
  try {
    result = fn(...args);
  } catch (error) {
    return fail<T>(error);
  }
  if (result instanceof Deferred) return result;
  if (
    result !== null && typeof result === "object" &&
    typeof (result as PromiseLike<T>).then === "function"
  ) {
    return Deferred.fromPromise(result as PromiseLike<T>);
  }
  return succeed(result as T);
}

/**
 * Turns a Promise — typically the result of calling an async function — into
 * a Deferred (Twisted's `ensureDeferred`). A Deferred is returned as it is.
 *
 * @example Usage
 * ```ts
 * import { ensureDeferred } from "@spindle/spindle/deferred";
 * async function answer(): Promise<number> {
 *   return 42;
 * }
 * const d = ensureDeferred(answer());
 * console.assert(await d === 42);
 * ```
 */
export function ensureDeferred<T>(promise: PromiseLike<T>): Deferred<T> {
  return Deferred.fromPromise(promise);
}
