/**
 * `LoopingCall`: call a function every N milliseconds.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type { Failure } from "../deferred/failure.ts";
import { maybeDeferred } from "../deferred/maybe_deferred.ts";
import { TimerScheduler } from "./delayed_call.ts";
import type { DelayedCall, IReactorTime } from "./time.ts";

/**
 * Options of {@linkcode LoopingCall}.
 *
 * @example Usage
 * ```ts
 * import { Clock, LoopingCall, type LoopingCallOptions } from "@spindle/spindle/reactor";
 * const options: LoopingCallOptions = { clock: new Clock() };
 * const loop = new LoopingCall(() => {}, options);
 * console.assert(!loop.running);
 * ```
 */
export interface LoopingCallOptions {
  /** Where time comes from; real timers by default. Pass a `Clock` in tests. */
  clock?: IReactorTime;
}

/**
 * Options of {@linkcode LoopingCall.start}.
 *
 * @example Usage
 * ```ts
 * import { Clock, LoopingCall, type LoopingCallStartOptions } from "@spindle/spindle/reactor";
 * const options: LoopingCallStartOptions = { now: false };
 * const loop = new LoopingCall(() => {}, { clock: new Clock() });
 * loop.start(1000, options);
 * loop.stop();
 * ```
 */
export interface LoopingCallStartOptions {
  /** Call the function at once as well as after each interval; true by default. */
  now?: boolean;
}

let defaultClock: IReactorTime | undefined;

/**
 * Calls a function every `intervalMs` milliseconds, on a grid anchored at the
 * start time: if a call (or the wait for the Deferred or Promise it returns)
 * overruns one or more intervals, the missed ones are skipped, not queued up.
 * The next call waits for the previous one's result. `start` returns a
 * Deferred that fires with the LoopingCall when `stop()` is called, or fails
 * (and the loop stops) when the function fails.
 *
 * @example Usage
 * ```ts
 * import { Clock, LoopingCall } from "@spindle/spindle/reactor";
 * const clock = new Clock();
 * let ticks = 0;
 * const loop = new LoopingCall(() => ticks++, { clock });
 * const done = loop.start(1000);
 * clock.pump([1000, 1000]);
 * console.assert(ticks === 3);
 * loop.stop();
 * console.assert(done.called);
 * ```
 */
export class LoopingCall {
  /** The time source the calls are scheduled on. */
  readonly clock: IReactorTime;
  readonly #fn: () => unknown;
  #running = false;
  #interval = 0;
  #startTime = 0;
  #runAtStart = true;
  #call: DelayedCall | null = null;
  #deferred: Deferred<LoopingCall> | null = null;

  /** Creates a loop that will call `fn`; it does nothing until `start`. */
  constructor(fn: () => unknown, options?: LoopingCallOptions) {
    this.#fn = fn;
    this.clock = options?.clock ?? (defaultClock ??= new TimerScheduler());
  }

  /**
   * A LoopingCall whose function gets how many intervals passed since it was
   * last called: 1 normally, more when intervals were skipped because a call
   * overran.
   *
   * @example Usage
   * ```ts
   * import { Clock, LoopingCall } from "@spindle/spindle/reactor";
   * const clock = new Clock();
   * const counts: number[] = [];
   * const loop = LoopingCall.withCount((n) => counts.push(n), { clock });
   * loop.start(10, { now: false });
   * clock.advance(10);
   * clock.advance(35);
   * console.assert(counts.join() === "1,3");
   * loop.stop();
   * ```
   */
  static withCount(
    fn: (count: number) => unknown,
    options?: LoopingCallOptions,
  ): LoopingCall {
    let last: number | undefined;
    const loop: LoopingCall = new LoopingCall(() => {
      const now = loop.clock.now();
      const interval = loop.#interval;
      if (interval === 0) {
        last = now;
        return fn(1);
      }
      const from = last ??
        (loop.#runAtStart ? loop.#startTime - interval : loop.#startTime);
      const count = Math.floor((now - loop.#startTime) / interval) -
        Math.floor((from - loop.#startTime) / interval);
      last = now;
      return fn(Math.max(count, 1));
    }, options);
    return loop;
  }

  /**
   * Whether the loop is started and not stopped.
   *
   * @example Usage
   * ```ts
   * import { Clock, LoopingCall } from "@spindle/spindle/reactor";
   * const loop = new LoopingCall(() => {}, { clock: new Clock() });
   * loop.start(10);
   * console.assert(loop.running);
   * loop.stop();
   * ```
   */
  get running(): boolean {
    return this.#running;
  }

  /**
   * The interval given to `start`, in milliseconds.
   *
   * @example Usage
   * ```ts
   * import { Clock, LoopingCall } from "@spindle/spindle/reactor";
   * const loop = new LoopingCall(() => {}, { clock: new Clock() });
   * loop.start(250);
   * console.assert(loop.interval === 250);
   * loop.stop();
   * ```
   */
  get interval(): number {
    return this.#interval;
  }

  /**
   * Starts calling the function every `intervalMs` milliseconds (at once too,
   * unless `options.now` is false). Returns a Deferred that fires with this
   * LoopingCall on `stop()`, or fails with the function's failure. Cancelling
   * that Deferred stops the loop.
   *
   * @example Usage
   * ```ts
   * import { Clock, LoopingCall } from "@spindle/spindle/reactor";
   * const clock = new Clock();
   * const loop = new LoopingCall(() => {
   *   throw new Error("broken");
   * }, { clock });
   * const done = loop.start(100);
   * done.addErrback((failure) => console.assert(failure.getErrorMessage() === "broken"));
   * ```
   */
  start(
    intervalMs: number,
    options?: LoopingCallStartOptions,
  ): Deferred<LoopingCall> {
    if (this.#running) {
      throw new Error(
        "The LoopingCall is already running: stop() it before starting it again",
      );
    }
    if (!(intervalMs >= 0)) {
      throw new RangeError(
        `The interval must be 0 or more milliseconds, not ${intervalMs}`,
      );
    }
    const deferred = new Deferred<LoopingCall>(() => {
      this.#running = false;
      this.#deferred = null;
      if (this.#call !== null) {
        this.#call.cancel();
        this.#call = null;
      }
    });
    this.#deferred = deferred;
    this.#running = true;
    this.#interval = intervalMs;
    this.#startTime = this.clock.now();
    this.#runAtStart = options?.now ?? true;
    if (this.#runAtStart) {
      this.#run();
    } else {
      this.#scheduleFrom(this.#startTime);
    }
    return deferred;
  }

  /**
   * Stops the loop. The Deferred from `start` fires now, or, if a call's
   * result is still pending, when it arrives.
   *
   * @example Usage
   * ```ts
   * import { Clock, LoopingCall } from "@spindle/spindle/reactor";
   * const loop = new LoopingCall(() => {}, { clock: new Clock() });
   * const done = loop.start(10);
   * loop.stop();
   * console.assert(done.called);
   * ```
   */
  stop(): void {
    if (!this.#running) {
      throw new Error("The LoopingCall is not running: start() it first");
    }
    this.#running = false;
    if (this.#call !== null) {
      this.#call.cancel();
      this.#call = null;
      this.#finish();
    }
  }

  /**
   * Restarts the interval grid from now: the next call is one interval away.
   *
   * @example Usage
   * ```ts
   * import { Clock, LoopingCall } from "@spindle/spindle/reactor";
   * const clock = new Clock();
   * const loop = new LoopingCall(() => {}, { clock });
   * loop.start(10, { now: false });
   * clock.advance(5);
   * loop.reset();
   * console.assert(clock.getDelayedCalls()[0]!.getTime() === 15);
   * loop.stop();
   * ```
   */
  reset(): void {
    if (!this.#running) {
      throw new Error("The LoopingCall is not running: start() it first");
    }
    if (this.#call !== null) {
      this.#call.cancel();
      this.#call = null;
      this.#startTime = this.clock.now();
      this.#scheduleFrom(this.#startTime);
    }
  }

  #run(): void {
    this.#call = null;
    const result = maybeDeferred(this.#fn);
    result.addCallbacks(() => {
      if (this.#running) {
        this.#scheduleFrom(this.clock.now());
      } else {
        this.#finish();
      }
    }, (failure: Failure) => {
      this.#running = false;
      const deferred = this.#deferred;
      this.#deferred = null;
      deferred?.errback(failure);
    });
  }

  #finish(): void {
    const deferred = this.#deferred;
    this.#deferred = null;
    deferred?.callback(this);
  }

  #scheduleFrom(when: number): void {
    const interval = this.#interval;
    let delay = 0;
    if (interval > 0) {
      const runningFor = when - this.#startTime;
      delay = interval - (runningFor % interval);
      // Float rounding can make `when + delay` equal `when`: wait a whole step.
      if (when + delay === when) delay = interval;
    }
    this.#call = this.clock.callLater(delay, () => this.#run());
  }
}
