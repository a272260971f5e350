/**
 * Twisted's `TimerService`: call a function every interval while running.
 *
 * @module
 */
import { type Deferred, succeed } from "../deferred/deferred.ts";
import { LoopingCall } from "../reactor/looping_call.ts";
import type { IReactorTime } from "../reactor/time.ts";
import { getLogger } from "../log/mod.ts";
import { Service } from "./service.ts";

const log = getLogger("spindle.app");

/** Options for {@linkcode TimerService}. */
export interface TimerServiceOptions {
  /** Where time comes from; real timers by default, a `Clock` in tests. */
  clock?: IReactorTime;
  /** The service's name in its parent. */
  name?: string;
  /** Call at once when the service starts, not only after the first interval; default `true`. */
  now?: boolean;
}

/**
 * Calls `fn` every `intervalMs` milliseconds while the service runs (with a
 * {@linkcode LoopingCall}: a call returning a Promise or Deferred delays the
 * next one until it settles). If `fn` fails, the error is logged and the
 * timer stops. Stopping waits for a call in progress to finish.
 *
 * @example Usage
 * ```ts
 * import { TimerService } from "@spindle/spindle/app";
 * import { Clock } from "@spindle/spindle/reactor";
 * const clock = new Clock();
 * let ticks = 0;
 * const service = new TimerService(1000, () => ticks++, { clock });
 * await service.startService();
 * clock.advance(1000);
 * await service.stopService();
 * console.assert(ticks === 2);
 * ```
 */
export class TimerService extends Service {
  /** The interval in milliseconds. */
  readonly intervalMs: number;
  #loop: LoopingCall;
  #done: Deferred<LoopingCall> | undefined;
  #now: boolean;

  /** Creates the service; nothing is called until it starts. */
  constructor(
    intervalMs: number,
    fn: () => unknown,
    options: TimerServiceOptions = {},
  ) {
    super(options.name);
    this.intervalMs = intervalMs;
    this.#loop = new LoopingCall(fn, { clock: options.clock });
    this.#now = options.now ?? true;
  }

  /** Starts calling the function. */
  override startService(): Deferred<void> {
    super.startService();
    const done = this.#loop.start(this.intervalMs, { now: this.#now });
    this.#done = done;
    done.addErrback((failure) => {
      log.error("timer {name} stopped: its function failed", {
        name: this.name ?? "(unnamed)",
        error: failure.value,
      });
      return this.#loop;
    });
    return succeed<void>(undefined);
  }

  /** Stops calling the function; fires once a call in progress has finished. */
  override stopService(): Deferred<void> {
    super.stopService();
    const done = this.#done;
    this.#done = undefined;
    if (done === undefined) return succeed<void>(undefined);
    if (this.#loop.running) this.#loop.stop();
    return done.addCallback(() => undefined);
  }
}
