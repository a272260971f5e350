/**
 * `Deferred<T>`: Twisted's Deferred, a result that is not there yet with a
 * chain of callbacks and errbacks that runs when it arrives.
 *
 * @module
 */
import { getLogger } from "../log/mod.ts";
import { AlreadyCalledError, CancelledError, TimeoutError } from "./errors.ts";
import {
  Failure,
  isObserved,
  markObserved,
  type TrappedError,
} from "./failure.ts";
import type { ErrorType } from "./failure.ts";

/**
 * Called by {@linkcode Deferred.cancel} on a Deferred that has no result yet:
 * it stops the work and may fire the Deferred (typically with `errback`). If it
 * does not, the Deferred fails with {@linkcode CancelledError}.
 *
 * @example Usage
 * ```ts
 * import { type Canceller, Deferred } from "@spindle/spindle/deferred";
 * const timer = setTimeout(() => {}, 1000);
 * const canceller: Canceller<void> = () => clearTimeout(timer);
 * const d = new Deferred<void>(canceller);
 * d.addErrback(() => {});
 * d.cancel();
 * ```
 */
export type Canceller<T> = (deferred: Deferred<T>) => void;

/**
 * Options of {@linkcode Deferred.addTimeout}.
 *
 * @example Usage
 * ```ts
 * import { Deferred, type TimeoutOptions } from "@spindle/spindle/deferred";
 * import { Clock } from "@spindle/spindle/reactor";
 * const options: TimeoutOptions<string> = { onTimeoutCancel: () => "default" };
 * const clock = new Clock();
 * const d = new Deferred<string>().addTimeout(10, clock, options);
 * clock.advance(10);
 * d.addCallback((value) => console.assert(value === "default"));
 * ```
 */
export interface TimeoutOptions<T> {
  /**
   * Replaces the default conversion of the cancellation into
   * {@linkcode TimeoutError}: it gets the result the cancelled Deferred ended
   * with and the timeout, and its return value (or throw) is the new result.
   */
  onTimeoutCancel?: (result: T | Failure, timeout: number) => unknown;
}

// Chain entries are pairs [onValue, onError] in one flat array, so adding a
// callback allocates nothing. These markers take the onValue slot, with the
// Deferred to hand the result to in the onError slot.
const CONTINUE = Symbol("continue"); // resume a Deferred paused on this one
const CHAIN = Symbol("chain"); // fire a Deferred passed to chainDeferred

// deno-lint-ignore no-explicit-any
type AnyFn = (arg: any) => unknown;
// deno-lint-ignore no-explicit-any
type AnyDeferred = Deferred<any>;
type ChainEntry =
  | AnyFn
  | undefined
  | typeof CONTINUE
  | typeof CHAIN
  | AnyDeferred;

const logger = getLogger("spindle.deferred");
let unhandled: AnyDeferred[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let trackFailure: (d: AnyDeferred) => void;
let checkFailure: (d: AnyDeferred) => void;
let peek: (d: AnyDeferred) => { result: unknown } | null;

// Debugging (Twisted's setDebugging): where each Deferred was created and
// first fired, kept aside so that Deferreds cost nothing more when it is off.
let debugging = false;
// Whether any Deferred was ever created while debugging: such a Deferred
// records its first firing even after debugging is turned off.
let debugged = false;
const debugInfo = new WeakMap<
  AnyDeferred,
  { created: string; fired?: string }
>();

/** The caller's stack, without this helper's frame and `skip` more. */
function stackHere(skip: number): string {
  const lines = (new Error().stack ?? "").split("\n");
  return lines.slice(2 + skip).join("\n");
}

function recordFired(d: AnyDeferred, skip: number): void {
  const info = debugInfo.get(d);
  if (info !== undefined && info.fired === undefined) {
    info.fired = stackHere(skip + 1);
  }
}

function alreadyCalled(d: AnyDeferred): AlreadyCalledError {
  const fired = debugInfo.get(d)?.fired;
  return fired === undefined
    ? new AlreadyCalledError()
    : new AlreadyCalledError(
      `The Deferred already has a result: fire each Deferred exactly once. It was first fired:\n${fired}`,
    );
}

/**
 * Turns Deferred debugging on or off (Twisted's `defer.setDebugging`). Each
 * Deferred created while it is on records where it was created and where it
 * was first fired: the report of an unhandled failure shows both (as the fields
 * `created` and `fired`), and {@linkcode AlreadyCalledError} says where the
 * first result came from. It costs a stack trace per Deferred: leave it off in
 * production.
 *
 * @example Usage
 * ```ts
 * import { getDebugging, setDebugging } from "@spindle/spindle/deferred";
 * setDebugging(true);
 * console.assert(getDebugging());
 * setDebugging(false);
 * ```
 */
export function setDebugging(on: boolean): void {
  debugging = on;
}

/**
 * Whether Deferred debugging is on (see {@linkcode setDebugging}).
 *
 * @example Usage
 * ```ts
 * import { getDebugging } from "@spindle/spindle/deferred";
 * console.assert(getDebugging() === false);
 * ```
 */
export function getDebugging(): boolean {
  return debugging;
}

/**
 * What {@linkcode Deferred.addTimeout} needs of a clock: the reactor and the
 * fake `Clock` of `@spindle/spindle/reactor` both fit. The deferred floor
 * imports nothing above it, so it names only the part it uses.
 *
 * @example Usage
 * ```ts
 * import type { TimeoutClock } from "@spindle/spindle/deferred";
 * import { Clock } from "@spindle/spindle/reactor";
 * const clock: TimeoutClock = new Clock();
 * clock.callLater(10, () => {}).cancel();
 * ```
 */
export interface TimeoutClock {
  /** Runs `fn` after `ms` milliseconds; the handle can cancel it. */
  callLater(ms: number, fn: () => unknown): {
    /** Whether the call is still pending. */
    active(): boolean;
    /** Cancels the pending call. */
    cancel(): void;
  };
}

/**
 * A result that is not there yet, with a chain of callbacks (for a value) and
 * errbacks (for a {@linkcode Failure}) that run in order when it arrives.
 *
 * The semantics are Twisted's:
 * - callbacks added to a Deferred that already has its result run at once,
 *   synchronously, which makes fake-time tests deterministic;
 * - a callback that throws switches the chain to the errback path, and an
 *   errback that returns a value switches it back;
 * - a callback that returns a Deferred or a Promise pauses the chain until
 *   that settles, then continues with its result; nested chains run
 *   iteratively, so 100,000 of them do not overflow the stack;
 * - `callback`/`errback` on a Deferred that already has a result throws
 *   {@linkcode AlreadyCalledError};
 * - a chain that ends in a failure nobody handled is reported to the logger
 *   (`spindle.deferred`, level critical) once, after the current macrotask.
 *
 * A Deferred is `PromiseLike<T>`: `await d` works, and `then` leaves the
 * Deferred's own result untouched.
 *
 * @typeParam T The type of the value the Deferred fires with.
 *
 * @example Usage
 * ```ts
 * import { Deferred } from "@spindle/spindle/deferred";
 * const d = new Deferred<number>();
 * d.addCallback((n) => n * 2).addCallback((n) => console.assert(n === 42));
 * d.callback(21);
 * ```
 *
 * @example Awaiting
 * ```ts
 * import { Deferred } from "@spindle/spindle/deferred";
 * const d = new Deferred<string>();
 * setTimeout(() => d.callback("done"), 0);
 * console.assert(await d === "done");
 * ```
 */
export class Deferred<T = unknown> implements PromiseLike<T> {
  #chain: ChainEntry[] = [];
  #next = 0;
  #result: unknown = undefined;
  #called = false;
  #paused = 0;
  #running = false;
  #suppressAlreadyCalled = false;
  #tracked = false;
  // Typed loosely so that Deferred<T> stays assignable to Deferred<unknown>.
  #canceller: Canceller<never> | undefined;

  /**
   * Creates a Deferred with no result. `canceller`, if given, is called by
   * {@linkcode Deferred.cancel} before the Deferred has a result.
   */
  constructor(canceller?: Canceller<T>) {
    this.#canceller = canceller;
    if (debugging) {
      debugged = true;
      debugInfo.set(this, { created: stackHere(1) });
    }
  }

  /**
   * Converts a Promise (or any PromiseLike) to a Deferred that fires when it
   * settles. Cancelling the Deferred does not stop the Promise; it fails the
   * Deferred with {@linkcode CancelledError} and ignores the later result.
   *
   * @example Usage
   * ```ts
   * import { Deferred } from "@spindle/spindle/deferred";
   * const d = Deferred.fromPromise(Promise.resolve(7));
   * console.assert(await d === 7);
   * ```
   */
  static fromPromise<T>(promise: PromiseLike<T>): Deferred<T> {
    if (promise instanceof Deferred) return promise;
    const d = new Deferred<T>();
    promise.then(
      (value) => {
        if (!d.#called) d.callback(value);
      },
      (error) => {
        if (!d.#called) d.errback(error);
      },
    );
    return d;
  }

  /**
   * Whether `callback` or `errback` has been called (or the Deferred was
   * cancelled).
   *
   * @example Usage
   * ```ts
   * import { Deferred } from "@spindle/spindle/deferred";
   * const d = new Deferred<void>();
   * console.assert(!d.called);
   * d.callback();
   * console.assert(d.called);
   * ```
   */
  get called(): boolean {
    return this.#called;
  }

  /**
   * Whether the chain is paused, by {@linkcode Deferred.pause} or because a
   * callback returned a Deferred or Promise that has not settled.
   *
   * @example Usage
   * ```ts
   * import { Deferred } from "@spindle/spindle/deferred";
   * const d = new Deferred<void>();
   * d.pause();
   * console.assert(d.paused);
   * d.unpause();
   * ```
   */
  get paused(): boolean {
    return this.#paused > 0;
  }

  /**
   * Fires the Deferred with `value`: the callback chain starts running.
   *
   * @throws {AlreadyCalledError} if the Deferred already has a result.
   *
   * @example Usage
   * ```ts
   * import { Deferred } from "@spindle/spindle/deferred";
   * const d = new Deferred<number>();
   * d.callback(1);
   * ```
   */
  callback(value: T): void {
    if (value instanceof Deferred) {
      throw new TypeError(
        "callback() got a Deferred: chain it with chainDeferred() or return it from a callback",
      );
    }
    this.#fire(value);
  }

  /**
   * Fires the Deferred with a failure: the errback chain starts running.
   * `error` is wrapped in a {@linkcode Failure} unless it is one.
   *
   * @throws {AlreadyCalledError} if the Deferred already has a result.
   *
   * @example Usage
   * ```ts
   * import { Deferred } from "@spindle/spindle/deferred";
   * const d = new Deferred<number>();
   * d.addErrback(() => 0);
   * d.errback(new Error("no"));
   * ```
   */
  errback(error: unknown): void {
    this.#fire(error instanceof Failure ? error : new Failure(error));
  }

  #fire(result: unknown): void {
    if (this.#called) {
      if (this.#suppressAlreadyCalled) {
        // Cancelled without a canceller: the late result is expected; drop it.
        this.#suppressAlreadyCalled = false;
        return;
      }
      throw alreadyCalled(this);
    }
    this.#called = true;
    this.#result = result;
    if (debugged) recordFired(this, 2);
    this.#run();
  }

  /**
   * Adds a callback and an errback as one step of the chain: `onValue` runs
   * if the step gets a value, `onError` if it gets a failure.
   *
   * @example Usage
   * ```ts
   * import { Deferred } from "@spindle/spindle/deferred";
   * const d = new Deferred<string>();
   * d.addCallbacks((text) => text.length, () => -1);
   * d.callback("four");
   * ```
   */
  addCallbacks<U, V = U>(
    onValue: ((value: T) => U | PromiseLike<U>) | null | undefined,
    onError: ((failure: Failure) => V | PromiseLike<V>) | null | undefined,
  ): Deferred<U | V> {
    this.#chain.push(onValue ?? undefined, onError ?? undefined);
    if (this.#called) this.#run();
    return this as unknown as Deferred<U | V>;
  }

  /**
   * Adds a callback: it gets the value and returns the next one (or a Deferred
   * or Promise of it). Failures pass it by.
   *
   * @example Usage
   * ```ts
   * import { succeed } from "@spindle/spindle/deferred";
   * succeed(2).addCallback((n) => n + 1).addCallback((n) => console.assert(n === 3));
   * ```
   */
  addCallback<U>(fn: (value: T) => U | PromiseLike<U>): Deferred<U> {
    this.#chain.push(fn, undefined);
    if (this.#called) this.#run();
    return this as unknown as Deferred<U>;
  }

  /**
   * Adds an errback: it gets the {@linkcode Failure} and returns a value to
   * recover, or throws (or returns a Failure) to pass a failure on. With
   * `types`, only failures whose value is an instance of one of them reach
   * `fn` (typed accordingly); others pass it by.
   *
   * @example Usage
   * ```ts
   * import { fail } from "@spindle/spindle/deferred";
   * fail<number>(new RangeError("too big"))
   *   .addErrback((failure) => failure.value.message.length, RangeError)
   *   .addCallback((n) => console.assert(n === 7));
   * ```
   */
  addErrback<U = T, C extends ErrorType[] = []>(
    fn: (failure: Failure<TrappedError<C>>) => U | PromiseLike<U>,
    ...types: C
  ): Deferred<T | U> {
    let errback: AnyFn = fn;
    if (types.length > 0) {
      errback = (failure: Failure) =>
        failure.check(...types) === null
          ? failure
          : fn(failure as Failure<TrappedError<C>>);
    }
    this.#chain.push(undefined, errback);
    if (this.#called) this.#run();
    return this as unknown as Deferred<T | U>;
  }

  /**
   * Adds the same function as callback and errback: it gets either the value
   * or the {@linkcode Failure}.
   *
   * @example Usage
   * ```ts
   * import { succeed } from "@spindle/spindle/deferred";
   * let seen: unknown;
   * succeed("x").addBoth((result) => {
   *   seen = result; // a value or a Failure, whichever came
   *   return result;
   * });
   * console.assert(seen === "x");
   * ```
   */
  addBoth<U>(fn: (result: T | Failure) => U | PromiseLike<U>): Deferred<U> {
    this.#chain.push(fn, fn);
    if (this.#called) this.#run();
    return this as unknown as Deferred<U>;
  }

  /**
   * Makes `other` fire with this Deferred's result at this point of the chain.
   * After it, this chain continues with `undefined`. Returns `this`.
   *
   * @example Usage
   * ```ts
   * import { Deferred } from "@spindle/spindle/deferred";
   * const first = new Deferred<number>();
   * const second = new Deferred<number>();
   * first.chainDeferred(second);
   * second.addCallback((n) => console.assert(n === 5));
   * first.callback(5);
   * ```
   */
  chainDeferred(other: Deferred<T>): Deferred<void> {
    this.#chain.push(CHAIN, other);
    if (this.#called) this.#run();
    return this as unknown as Deferred<void>;
  }

  /**
   * Stops the chain from running until {@linkcode Deferred.unpause}; pauses
   * nest.
   *
   * @example Usage
   * ```ts
   * import { Deferred } from "@spindle/spindle/deferred";
   * const d = new Deferred<number>();
   * let seen = 0;
   * d.addCallback((n) => (seen = n));
   * d.pause();
   * d.callback(1);
   * console.assert(seen === 0);
   * d.unpause();
   * console.assert(seen === 1);
   * ```
   */
  pause(): void {
    this.#paused++;
  }

  /**
   * Undoes one {@linkcode Deferred.pause}; the chain resumes when none is left.
   *
   * @example Usage
   * ```ts
   * import { Deferred } from "@spindle/spindle/deferred";
   * const d = new Deferred<void>();
   * d.pause();
   * d.unpause();
   * ```
   */
  unpause(): void {
    if (this.#paused === 0) return;
    this.#paused--;
    if (this.#paused === 0 && this.#called) this.#run();
  }

  /**
   * Cancels the Deferred. With no result yet: calls the canceller, and if that
   * did not fire the Deferred, fails it with {@linkcode CancelledError} (with no
   * canceller, a later `callback`/`errback` is then silently ignored). If the
   * chain is waiting on a Deferred a callback returned, cancels that one.
   *
   * @example Usage
   * ```ts
   * import { CancelledError, Deferred } from "@spindle/spindle/deferred";
   * const d = new Deferred<number>();
   * d.addErrback((failure) => void failure.trap(CancelledError));
   * d.cancel();
   * d.callback(1); // ignored
   * ```
   */
  cancel(): void {
    if (!this.#called) {
      const canceller = this.#canceller;
      if (canceller !== undefined) {
        canceller(this as never);
      } else {
        this.#suppressAlreadyCalled = true;
      }
      if (!this.#called) this.errback(new CancelledError());
    } else if (this.#result instanceof Deferred) {
      this.#result.cancel();
    }
  }

  /**
   * Cancels the Deferred if it has no result `ms` milliseconds from now on
   * `clock`, and turns that cancellation into a {@linkcode TimeoutError}
   * (or whatever `options.onTimeoutCancel` returns). Returns `this`.
   *
   * @example Usage
   * ```ts
   * import { Deferred, TimeoutError } from "@spindle/spindle/deferred";
   * import { Clock } from "@spindle/spindle/reactor";
   * const clock = new Clock();
   * const d = new Deferred<string>().addTimeout(5000, clock);
   * d.addErrback((failure) => console.assert(failure.value instanceof TimeoutError));
   * clock.advance(5000);
   * ```
   */
  addTimeout(
    ms: number,
    clock: TimeoutClock,
    options?: TimeoutOptions<T>,
  ): Deferred<T> {
    let timedOut = false;
    const call = clock.callLater(ms, () => {
      timedOut = true;
      this.cancel();
    });
    const onTimeoutCancel = options?.onTimeoutCancel;
    this.#chain.push(
      (value: T) => {
        if (call.active()) call.cancel();
        return timedOut && onTimeoutCancel ? onTimeoutCancel(value, ms) : value;
      },
      (failure: Failure) => {
        if (call.active()) call.cancel();
        if (!timedOut) return failure;
        if (onTimeoutCancel) return onTimeoutCancel(failure, ms);
        if (failure.value instanceof CancelledError) {
          return new Failure(new TimeoutError(ms, { cause: failure.value }));
        }
        return failure;
      },
    );
    if (this.#called) this.#run();
    return this;
  }

  /**
   * Registers reactions like `Promise.prototype.then` and returns a Promise of
   * their result. The Deferred's own chain is not changed: later callbacks
   * still get the same result. A failure seen this way counts as handled.
   *
   * @example Usage
   * ```ts
   * import { succeed } from "@spindle/spindle/deferred";
   * const length = await succeed("abc").then((text) => text.length);
   * console.assert(length === 3);
   * ```
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.asPromise().then(onFulfilled, onRejected);
  }

  /**
   * A Promise that settles with the result the chain has at this point. The
   * Deferred's own chain is not changed; a failure seen this way counts as
   * handled (the Promise rejects with the raw thrown value).
   *
   * @example Usage
   * ```ts
   * import { fail } from "@spindle/spindle/deferred";
   * const reason = await fail(new Error("x")).asPromise().catch((e) => e);
   * console.assert(reason instanceof Error);
   * ```
   */
  asPromise(): Promise<T> {
    if (
      this.#called && this.#paused === 0 && this.#next === this.#chain.length
    ) {
      const result = this.#result;
      if (result instanceof Failure) {
        markObserved(result);
        return Promise.reject(result.value);
      }
      if (!(result instanceof Deferred)) return Promise.resolve(result as T);
    }
    return new Promise<T>((resolve, reject) => {
      this.#chain.push((value: T) => {
        resolve(value);
        return value;
      }, (failure: Failure) => {
        markObserved(failure);
        reject(failure.value);
        return failure;
      });
      if (this.#called) this.#run();
    });
  }

  // Twisted's _runCallbacks: runs chains iteratively. When a callback returns
  // a Deferred that has not fired, this Deferred pauses and a CONTINUE entry
  // on that Deferred resumes it; when such a Deferred fires, the resumed one
  // is pushed on an explicit stack instead of being run by recursion.
  #run(): void {
    if (this.#running) return;
    // deno-lint-ignore no-this-alias
    let current: AnyDeferred = this;
    let stack: AnyDeferred[] | null = null;
    for (;;) {
      let handedOver: AnyDeferred | null = null;
      if (current.#paused === 0) {
        const chain = current.#chain;
        while (current.#next < chain.length && current.#paused === 0) {
          const i = current.#next;
          const onValue = chain[i];
          current.#next = i + 2;
          if (onValue === CONTINUE || onValue === CHAIN) {
            const target = chain[i + 1] as AnyDeferred;
            const result = current.#result;
            current.#result = undefined;
            if (onValue === CONTINUE) {
              target.#result = result;
              target.#paused--;
            } else if (target.#called) {
              if (target.#suppressAlreadyCalled) {
                target.#suppressAlreadyCalled = false;
              } else {
                current.#result = new Failure(alreadyCalled(target));
              }
              continue;
            } else {
              target.#called = true;
              target.#result = result;
              if (debugged) recordFired(target, 0);
            }
            handedOver = target;
            break;
          }
          const fn =
            (current.#result instanceof Failure ? chain[i + 1] : onValue) as
              | AnyFn
              | undefined;
          if (fn === undefined) continue;
          current.#running = true;
          let result: unknown;
          try {
            result = fn(current.#result);
          } catch (error) {
            result = error instanceof Failure ? error : new Failure(error);
          }
          current.#running = false;
          if (
            result !== null && typeof result === "object" &&
            !(result instanceof Failure)
          ) {
            let inner: AnyDeferred | null = null;
            if (result instanceof Deferred) {
              inner = result;
            } else if (
              typeof (result as PromiseLike<unknown>).then === "function"
            ) {
              inner = Deferred.fromPromise(result as PromiseLike<unknown>);
            }
            if (inner === current) {
              result = new Failure(
                new TypeError(
                  "A callback returned the Deferred it was added to: the chain would wait on itself forever",
                ),
              );
            } else if (inner !== null) {
              if (
                !inner.#called || inner.#paused > 0 ||
                inner.#result instanceof Deferred ||
                inner.#next < inner.#chain.length
              ) {
                // Wait for it: it resumes us through a CONTINUE entry.
                current.#result = inner;
                current.#paused++;
                inner.#chain.push(CONTINUE, current);
                break;
              }
              // It already has its result: take it over.
              result = inner.#result;
              inner.#result = undefined;
            }
          }
          current.#result = result;
        }
      }
      if (handedOver !== null) {
        if (current.#next === current.#chain.length) {
          // Nothing left to run here: hand over without keeping a frame.
          current.#chain.length = 0;
          current.#next = 0;
          if (stack !== null) stack[stack.length - 1] = handedOver;
        } else {
          if (stack === null) stack = [current];
          stack.push(handedOver);
        }
        current = handedOver;
        continue;
      }
      if (current.#paused === 0 && current.#next === current.#chain.length) {
        current.#chain.length = 0;
        current.#next = 0;
        if (current.#result instanceof Failure) trackFailure(current);
      }
      if (stack === null || stack.length <= 1) return;
      stack.pop();
      current = stack[stack.length - 1]!;
    }
  }

  /** Reports `d` if its chain still ends in a failure nobody has seen. */
  static #check(d: AnyDeferred): void {
    d.#tracked = false;
    const result = d.#result;
    if (
      result instanceof Failure && d.#paused === 0 &&
      d.#next === d.#chain.length && !isObserved(result)
    ) {
      markObserved(result);
      const info = debugInfo.get(d);
      if (info === undefined) {
        logger.critical("Unhandled error in Deferred: {error}", {
          error: result.value,
          stack: result.stack,
        });
      } else {
        logger.critical(
          "Unhandled error in Deferred: {error}\nThe Deferred was created:\n{created}\nand first fired:\n{fired}",
          {
            error: result.value,
            stack: result.stack,
            created: info.created,
            fired: info.fired ?? "(not recorded)",
          },
        );
      }
    }
  }

  static #track(d: AnyDeferred): void {
    if (d.#tracked) return;
    d.#tracked = true;
    unhandled.push(d);
    if (timer === undefined) timer = setTimeout(reportUnhandledFailures, 0);
  }

  static {
    trackFailure = Deferred.#track;
    checkFailure = Deferred.#check;
    peek = (d) => {
      const settled = d.#called && d.#paused === 0 &&
        d.#next === d.#chain.length && !(d.#result instanceof Deferred);
      return settled ? { result: d.#result } : null;
    };
  }
}

/**
 * The result of `d` if its chain has run to the end (it is neither waiting
 * nor paused), else `null`. For trial's assertions; not part of the API.
 */
export function peekResult(d: AnyDeferred): { result: unknown } | null {
  return peek(d);
}

/**
 * Reports now, instead of after the current macrotask, every Deferred whose
 * chain ends in a failure that nobody handled: each is logged once through
 * `getLogger("spindle.deferred").critical("Unhandled error in Deferred: ...",
 * { error })`. Trial calls it at the end of each test; call it yourself at the
 * end of a plain `Deno.test` that must not leave the report's timer behind.
 *
 * @example Usage
 * ```ts
 * import { Deferred, reportUnhandledFailures } from "@spindle/spindle/deferred";
 * const d = new Deferred<number>();
 * d.errback(new Error("nobody listens"));
 * d.addErrback(() => 0); // handled in time: nothing is reported
 * reportUnhandledFailures();
 * ```
 */
export function reportUnhandledFailures(): void {
  if (timer !== undefined) {
    clearTimeout(timer);
    timer = undefined;
  }
  const pending = unhandled;
  unhandled = [];
  for (const d of pending) checkFailure(d);
}

/**
 * A Deferred that already has `value` as its result.
 *
 * @example Usage
 * ```ts
 * import { succeed } from "@spindle/spindle/deferred";
 * succeed(3).addCallback((n) => console.assert(n === 3));
 * ```
 */
export function succeed<T>(value: T): Deferred<T> {
  const d = new Deferred<T>();
  d.callback(value);
  return d;
}

/**
 * A Deferred that already failed with `error`. Handle it (an errback or
 * `await`) before the current macrotask ends, or it is reported as unhandled.
 *
 * @example Usage
 * ```ts
 * import { fail } from "@spindle/spindle/deferred";
 * fail<number>(new Error("no")).addErrback(() => 0);
 * ```
 */
export function fail<T = never>(error: unknown): Deferred<T> {
  const d = new Deferred<T>();
  d.errback(error);
  return d;
}
