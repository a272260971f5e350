/**
 * The time interfaces shared by the fake {@linkcode Clock} and the real reactor.
 *
 * All delays are in milliseconds. `seconds()` keeps Twisted's name and returns
 * the current time in seconds (a float), for code ported from Twisted.
 *
 * @module
 */

/**
 * A call scheduled with {@linkcode IReactorTime.callLater}.
 *
 * @example Usage
 * ```ts
 * import { Clock } from "@spindle/spindle/reactor";
 * const clock = new Clock();
 * const call = clock.callLater(1000, () => {});
 * call.cancel();
 * ```
 */
export interface DelayedCall {
  /** Cancels the call; throws if it already ran or was cancelled. */
  cancel(): void;
  /** Reschedules the call to run `ms` milliseconds from now. */
  reset(ms: number): void;
  /** Postpones the call by `ms` more milliseconds. */
  delay(ms: number): void;
  /** Whether the call is still pending (not run, not cancelled). */
  active(): boolean;
  /** When the call will run, in milliseconds on its clock's time line. */
  getTime(): number;
}

/**
 * A source of time and scheduled calls: a fake {@linkcode Clock} in tests,
 * real timers in a reactor.
 *
 * @example Usage
 * ```ts
 * import { Clock, type IReactorTime } from "@spindle/spindle/reactor";
 * const time: IReactorTime = new Clock();
 * time.callLater(10, (name: string) => console.log(name), "tick");
 * ```
 */
export interface IReactorTime {
  /** The current time in seconds (Twisted's unit). */
  seconds(): number;
  /** The current time in milliseconds. */
  now(): number;
  /** Runs `fn(...args)` after `ms` milliseconds. */
  callLater<A extends unknown[]>(
    ms: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): DelayedCall;
  /** The calls still pending. */
  getDelayedCalls(): DelayedCall[];
}
