/**
 * One deadline per connection: the idle, head and body timers of protocol
 * servers (HTTP, DNS over TCP, SMTP, IMAP...) and of the idle-timeout policy.
 *
 * @module
 */
import type { DelayedCall, IReactorTime } from "./time.ts";

/** Options for {@linkcode Deadline}. */
export interface DeadlineOptions {
  /**
   * The longest the timer sleeps before it looks at the deadline again, in
   * milliseconds. Give the shortest duration the deadline is ever armed
   * with: then re-arming never reschedules the timer. Default: no cap (a
   * deadline armed earlier than the pending timer reschedules it).
   */
  tickCap?: number;
}

/**
 * A deadline that is cheap to move: arming it per request only sets a
 * number. One timer (on an {@linkcode IReactorTime}, so a fake `Clock` drives
 * it in tests) wakes at the old deadline, sees that it moved, and sleeps
 * again until the new one; so a busy connection costs about one timer per
 * timeout period, not two per request. When a deadline passes, `onExpire`
 * gets the kind it was armed with.
 *
 * @typeParam K The kinds of deadline (`"idle" | "head" | "body"` for HTTP).
 *
 * @example Usage
 * ```ts
 * import { Clock, Deadline } from "@spindle/spindle/reactor";
 * const clock = new Clock();
 * const expired: string[] = [];
 * const deadline = new Deadline<"idle">(clock, (kind) => expired.push(kind));
 * deadline.arm("idle", 1000);
 * clock.advance(600);
 * deadline.touch(); // traffic: 1000 ms from now again
 * clock.advance(600);
 * console.assert(expired.length === 0);
 * clock.advance(400);
 * console.assert(expired[0] === "idle");
 * ```
 */
export class Deadline<K extends string = string> {
  #clock: IReactorTime;
  #onExpire: (kind: K) => void;
  #tickCap: number;
  #timer: DelayedCall | null = null;
  #deadline = Infinity;
  #kind: K | null = null;
  #ms = Infinity;

  /** Creates a deadline on `clock` that calls `onExpire` when it passes; nothing is armed yet. */
  constructor(
    clock: IReactorTime,
    onExpire: (kind: K) => void,
    options: DeadlineOptions = {},
  ) {
    this.#clock = clock;
    this.#onExpire = onExpire;
    this.#tickCap = options.tickCap ?? Infinity;
  }

  /** The kind last armed, or `null` before the first `arm`. */
  get kind(): K | null {
    return this.#kind;
  }

  /** Whether a deadline is pending (armed, not suspended, not expired, not cancelled). */
  get armed(): boolean {
    return this.#deadline !== Infinity;
  }

  /**
   * Sets the deadline to `ms` milliseconds from now, for `kind`
   * (`Infinity` means never, though the kind is still recorded).
   */
  arm(kind: K, ms: number): void {
    this.#kind = kind;
    this.#ms = ms;
    this.#set(ms);
  }

  /** Restarts the current deadline with its duration (traffic was seen); a no-op unless armed. */
  touch(): void {
    if (this.#deadline !== Infinity) this.#set(this.#ms);
  }

  /** Stops counting (the wait is the application's, not the peer's) until `resume` or `arm`. */
  suspend(): void {
    this.#deadline = Infinity;
  }

  /** Counts again: the last kind, its full duration from now. */
  resume(): void {
    if (this.#kind !== null) this.#set(this.#ms);
  }

  /** Disarms and drops the timer, so nothing is left scheduled (at close). */
  cancel(): void {
    this.#deadline = Infinity;
    const timer = this.#timer;
    this.#timer = null;
    if (timer !== null && timer.active()) timer.cancel();
  }

  #set(ms: number): void {
    if (ms === Infinity) {
      this.#deadline = Infinity;
      return;
    }
    const deadline = this.#clock.now() + ms;
    this.#deadline = deadline;
    const timer = this.#timer;
    if (timer === null) {
      this.#timer = this.#clock.callLater(
        Math.min(ms, this.#tickCap),
        this.#tick,
      );
    } else if (timer.getTime() > deadline) {
      timer.reset(ms);
    }
  }

  #tick = (): void => {
    this.#timer = null;
    if (this.#deadline === Infinity) return;
    const left = this.#deadline - this.#clock.now();
    if (left > 0) {
      this.#timer = this.#clock.callLater(
        Math.min(left, this.#tickCap),
        this.#tick,
      );
      return;
    }
    this.#deadline = Infinity;
    this.#onExpire(this.#kind!);
  };
}
