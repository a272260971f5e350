/**
 * The errors raised by Deferreds and the helpers built on them.
 *
 * @module
 */

/**
 * Thrown by `callback()` or `errback()` on a Deferred that already has a result.
 *
 * @example Usage
 * ```ts
 * import { AlreadyCalledError, Deferred } from "@spindle/spindle/deferred";
 * const d = new Deferred<number>();
 * d.callback(1);
 * try {
 *   d.callback(2);
 * } catch (error) {
 *   console.assert(error instanceof AlreadyCalledError);
 * }
 * ```
 */
export class AlreadyCalledError extends Error {
  /** Creates the error. */
  constructor(
    message =
      "The Deferred already has a result: fire each Deferred exactly once",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AlreadyCalledError";
  }
}

/**
 * The failure a cancelled Deferred fires its errbacks with.
 *
 * @example Usage
 * ```ts
 * import { CancelledError, Deferred } from "@spindle/spindle/deferred";
 * const d = new Deferred<number>();
 * d.addErrback((failure) => console.assert(failure.value instanceof CancelledError));
 * d.cancel();
 * ```
 */
export class CancelledError extends Error {
  /** Creates the error. */
  constructor(
    message = "The Deferred was cancelled before it had a result",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "CancelledError";
  }
}

/**
 * The failure of a Deferred that `addTimeout` cancelled because it took too long.
 *
 * @example Usage
 * ```ts
 * import { Deferred, TimeoutError } from "@spindle/spindle/deferred";
 * import { Clock } from "@spindle/spindle/reactor";
 * const clock = new Clock();
 * const d = new Deferred<string>().addTimeout(1000, clock);
 * d.addErrback((failure) => console.assert(failure.value instanceof TimeoutError));
 * clock.advance(1000);
 * ```
 */
export class TimeoutError extends Error {
  /** How long the Deferred was given, in milliseconds. */
  readonly timeout: number;
  /** Creates the error for a timeout of `timeout` milliseconds. */
  constructor(timeout: number, options?: ErrorOptions) {
    super(
      `The Deferred had no result after ${timeout} ms and was cancelled: raise the timeout or find what is slow`,
      options,
    );
    this.name = "TimeoutError";
    this.timeout = timeout;
  }
}

/**
 * The failure of `gatherResults` (or of a `DeferredList` with
 * `fireOnOneErrback`): the first input that failed, with its position.
 *
 * @example Usage
 * ```ts
 * import { fail, FirstError, gatherResults, succeed } from "@spindle/spindle/deferred";
 * const all = gatherResults([succeed(1), fail(new RangeError("bad"))]);
 * all.addErrback((failure) => {
 *   console.assert(failure.value instanceof FirstError);
 *   console.assert((failure.value as FirstError).index === 1);
 * });
 * ```
 */
export class FirstError extends Error {
  /** The position of the failed Deferred in the input list. */
  readonly index: number;
  /** The error the failed Deferred failed with. */
  readonly error: unknown;
  /** Creates the error for input `index` failing with `error` (also its `cause`). */
  constructor(error: unknown, index: number) {
    super(
      `Input ${index} failed: ${
        error instanceof Error ? `${error.name}: ${error.message}` : error
      }`,
      { cause: error },
    );
    this.name = "FirstError";
    this.index = index;
    this.error = error;
  }
}

/**
 * Raised by `DeferredQueue.put` when the queue is full.
 *
 * @example Usage
 * ```ts
 * import { DeferredQueue, QueueOverflowError } from "@spindle/spindle/deferred";
 * const queue = new DeferredQueue<number>({ size: 1 });
 * queue.put(1);
 * try {
 *   queue.put(2);
 * } catch (error) {
 *   console.assert(error instanceof QueueOverflowError);
 * }
 * ```
 */
export class QueueOverflowError extends Error {
  /** Creates the error. */
  constructor(
    message =
      "The queue is full: wait for a consumer to get() or raise the size limit",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "QueueOverflowError";
  }
}

/**
 * Raised by `DeferredQueue.get` when too many consumers are already waiting.
 *
 * @example Usage
 * ```ts
 * import { DeferredQueue, QueueUnderflowError } from "@spindle/spindle/deferred";
 * const queue = new DeferredQueue<number>({ backlog: 1 });
 * const first = queue.get();
 * try {
 *   queue.get();
 * } catch (error) {
 *   console.assert(error instanceof QueueUnderflowError);
 * }
 * first.cancel();
 * first.addErrback(() => {});
 * ```
 */
export class QueueUnderflowError extends Error {
  /** Creates the error. */
  constructor(
    message =
      "Too many consumers are waiting on the queue: put() values or raise the backlog limit",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "QueueUnderflowError";
  }
}
