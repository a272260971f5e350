/**
 * `Clock`: fake time for tests.
 *
 * @module
 */
import { DelayedCallQueue } from "./delayed_call.ts";
import type { DelayedCall, IReactorTime } from "./time.ts";

/**
 * Options of {@linkcode Clock}.
 *
 * @example Usage
 * ```ts
 * import { Clock, type ClockOptions } from "@spindle/spindle/reactor";
 * const options: ClockOptions = { start: 1_000 };
 * console.assert(new Clock(options).now() === 1_000);
 * ```
 */
export interface ClockOptions {
  /** The time the clock starts at, in milliseconds; 0 by default. */
  start?: number;
}

/**
 * A fake {@linkcode IReactorTime}: time stands still until the test moves it
 * with {@linkcode Clock.advance}, which runs the calls that fall due, in
 * order. Give it to code under test instead of a reactor to test timeouts,
 * retries and periodic work without waiting.
 *
 * An error thrown by a call propagates out of `advance`; the calls after it
 * stay pending.
 *
 * @example Usage
 * ```ts
 * import { Clock } from "@spindle/spindle/reactor";
 * const clock = new Clock();
 * const seen: string[] = [];
 * clock.callLater(1000, (what: string) => seen.push(what), "tick");
 * clock.advance(999);
 * console.assert(seen.length === 0);
 * clock.advance(1);
 * console.assert(seen[0] === "tick");
 * ```
 */
export class Clock implements IReactorTime {
  #now: number;
  readonly #queue: DelayedCallQueue;

  /** Creates a clock at time 0 (or `options.start`) with no pending calls. */
  constructor(options?: ClockOptions) {
    this.#now = options?.start ?? 0;
    this.#queue = new DelayedCallQueue(() => this.#now);
  }

  /**
   * The current fake time in seconds.
   *
   * @example Usage
   * ```ts
   * import { Clock } from "@spindle/spindle/reactor";
   * const clock = new Clock();
   * clock.advance(1500);
   * console.assert(clock.seconds() === 1.5);
   * ```
   */
  seconds(): number {
    return this.#now / 1000;
  }

  /**
   * The current fake time in milliseconds.
   *
   * @example Usage
   * ```ts
   * import { Clock } from "@spindle/spindle/reactor";
   * console.assert(new Clock().now() === 0);
   * ```
   */
  now(): number {
    return this.#now;
  }

  /**
   * Schedules `fn(...args)` for `ms` milliseconds from the current fake time.
   *
   * @example Usage
   * ```ts
   * import { Clock } from "@spindle/spindle/reactor";
   * const clock = new Clock();
   * const call = clock.callLater(10, () => {});
   * console.assert(call.getTime() === 10);
   * ```
   */
  callLater<A extends unknown[]>(
    ms: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): DelayedCall {
    return this.#queue.schedule(ms, fn, args);
  }

  /**
   * The pending calls, earliest first.
   *
   * @example Usage
   * ```ts
   * import { Clock } from "@spindle/spindle/reactor";
   * const clock = new Clock();
   * clock.callLater(5, () => {});
   * console.assert(clock.getDelayedCalls().length === 1);
   * ```
   */
  getDelayedCalls(): DelayedCall[] {
    return this.#queue.pending();
  }

  /**
   * Moves time forward by `ms` milliseconds and runs every call that falls
   * due, in time order (calls scheduled by them that fall due run too).
   *
   * @example Usage
   * ```ts
   * import { Clock } from "@spindle/spindle/reactor";
   * const clock = new Clock();
   * let ran = false;
   * clock.callLater(100, () => (ran = true));
   * clock.advance(100);
   * console.assert(ran);
   * ```
   */
  advance(ms: number): void {
    if (!(ms >= 0)) {
      throw new RangeError(
        `Cannot advance the clock by ${ms} ms: time only moves forward`,
      );
    }
    this.#now += ms;
    this.#queue.runDue(this.#now);
  }

  /**
   * Advances the clock by each of `steps` in turn (milliseconds), running due
   * calls after each step.
   *
   * @example Usage
   * ```ts
   * import { Clock } from "@spindle/spindle/reactor";
   * const clock = new Clock();
   * const times: number[] = [];
   * clock.callLater(1, () => times.push(clock.now()));
   * clock.callLater(3, () => times.push(clock.now()));
   * clock.pump([2, 2]);
   * console.assert(times.join() === "2,4");
   * ```
   */
  pump(steps: Iterable<number>): void {
    for (const ms of steps) this.advance(ms);
  }
}
