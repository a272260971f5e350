/**
 * The scheduled-call machinery shared by the fake {@linkcode Clock} and real
 * timers: a {@linkcode DelayedCallQueue} (a binary heap of calls ordered by
 * time, then by scheduling order) whose calls implement
 * {@linkcode DelayedCall}, and {@linkcode TimerScheduler}, the queue driven by
 * one `setTimeout` at a time.
 *
 * @module
 */
import type { DelayedCall, IReactorTime } from "./time.ts";

/**
 * Thrown by `cancel`, `reset` or `delay` on a {@linkcode DelayedCall} that
 * already ran or was cancelled.
 *
 * @example Usage
 * ```ts
 * import { Clock, InactiveCallError } from "@spindle/spindle/reactor";
 * const clock = new Clock();
 * const call = clock.callLater(10, () => {});
 * clock.advance(10);
 * try {
 *   call.cancel();
 * } catch (error) {
 *   console.assert(error instanceof InactiveCallError);
 * }
 * ```
 */
export class InactiveCallError extends Error {
  /** Why the call is inactive. */
  readonly reason: "called" | "cancelled";
  /** Creates the error for a call that was `called` or `cancelled`. */
  constructor(reason: "called" | "cancelled", options?: ErrorOptions) {
    super(
      reason === "called"
        ? "The delayed call already ran: check active() before changing it"
        : "The delayed call was cancelled: check active() before changing it",
      options,
    );
    this.name = "InactiveCallError";
    this.reason = reason;
  }
}

/**
 * Options of {@linkcode DelayedCallQueue}.
 *
 * @example Usage
 * ```ts
 * import { DelayedCallQueue, type DelayedCallQueueOptions } from "@spindle/spindle/reactor";
 * const options: DelayedCallQueueOptions = { onChange: () => {} };
 * const queue = new DelayedCallQueue(() => 0, options);
 * console.assert(queue.size === 0);
 * ```
 */
export interface DelayedCallQueueOptions {
  /**
   * Called after any change that may move the earliest pending time (a call
   * scheduled, cancelled, reset or delayed), so a real-timer driver can re-arm
   * its timer for {@linkcode DelayedCallQueue.nextTime}.
   */
  onChange?: () => void;
}

const PENDING = 0;
const CALLED = 1;
const CANCELLED = 2;

interface QueueOps {
  now(): number;
  remove(call: ScheduledCall): void;
  moved(call: ScheduledCall): void;
}

class ScheduledCall implements DelayedCall {
  time: number;
  seq: number;
  index = -1;
  state = PENDING;
  readonly fn: (...args: never[]) => unknown;
  readonly args: unknown[];
  readonly #queue: QueueOps;

  constructor(
    queue: QueueOps,
    time: number,
    seq: number,
    fn: (...args: never[]) => unknown,
    args: unknown[],
  ) {
    this.#queue = queue;
    this.time = time;
    this.seq = seq;
    this.fn = fn;
    this.args = args;
  }

  cancel(): void {
    this.#ensureActive();
    this.state = CANCELLED;
    this.#queue.remove(this);
  }

  reset(ms: number): void {
    this.#ensureActive();
    this.time = this.#queue.now() + delayOf(ms);
    this.#queue.moved(this);
  }

  delay(ms: number): void {
    this.#ensureActive();
    this.time += delayOf(ms);
    this.#queue.moved(this);
  }

  active(): boolean {
    return this.state === PENDING;
  }

  getTime(): number {
    return this.time;
  }

  #ensureActive(): void {
    if (this.state === CALLED) throw new InactiveCallError("called");
    if (this.state === CANCELLED) throw new InactiveCallError("cancelled");
  }
}

function delayOf(ms: number): number {
  if (Number.isNaN(ms)) {
    throw new RangeError(
      "The delay is NaN: pass a number of milliseconds (0 or more)",
    );
  }
  // A deadline computed as `deadline - now()` may come out slightly negative:
  // that means "now", as it does for setTimeout.
  return ms > 0 ? ms : 0;
}

function before(a: ScheduledCall, b: ScheduledCall): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/**
 * The pending calls of one time source, ordered by time and, for equal times,
 * by the order they were scheduled in. It does not know where time comes
 * from: {@linkcode Clock} runs it from fake time, {@linkcode TimerScheduler}
 * from a `setTimeout` armed for {@linkcode DelayedCallQueue.nextTime}. Use it
 * to give another time source (a reactor) the same {@linkcode DelayedCall}s.
 *
 * @example Usage
 * ```ts
 * import { DelayedCallQueue } from "@spindle/spindle/reactor";
 * let now = 0;
 * const queue = new DelayedCallQueue(() => now);
 * const seen: string[] = [];
 * queue.schedule(20, (s: string) => seen.push(s), ["b"]);
 * queue.schedule(10, (s: string) => seen.push(s), ["a"]);
 * now = 20;
 * queue.runDue(now);
 * console.assert(seen.join() === "a,b");
 * ```
 */
export class DelayedCallQueue {
  readonly #heap: ScheduledCall[] = [];
  readonly #now: () => number;
  readonly #onChange: (() => void) | undefined;
  readonly #ops: QueueOps;
  #seq = 0;

  /** Creates an empty queue on the time line `now()` (milliseconds). */
  constructor(now: () => number, options?: DelayedCallQueueOptions) {
    this.#now = now;
    this.#onChange = options?.onChange;
    this.#ops = {
      now,
      remove: (call) => {
        if (call.index >= 0) this.#removeAt(call.index);
        this.#onChange?.();
      },
      moved: (call) => {
        call.seq = this.#seq++;
        this.#down(call.index);
        this.#up(call.index);
        this.#onChange?.();
      },
    };
  }

  /** The current time on this queue's time line, in milliseconds. */
  now(): number {
    return this.#now();
  }

  /** How many calls are pending. */
  get size(): number {
    return this.#heap.length;
  }

  /**
   * Schedules `fn(...args)` to run `ms` milliseconds from now. A negative
   * delay means now.
   *
   * @example Usage
   * ```ts
   * import { DelayedCallQueue } from "@spindle/spindle/reactor";
   * const queue = new DelayedCallQueue(() => 0);
   * const call = queue.schedule(5, () => {});
   * console.assert(call.getTime() === 5);
   * ```
   */
  schedule<A extends unknown[]>(
    ms: number,
    fn: (...args: A) => unknown,
    args?: A,
  ): DelayedCall {
    const call = new ScheduledCall(
      this.#ops,
      this.#now() + delayOf(ms),
      this.#seq++,
      fn as (...args: never[]) => unknown,
      args ?? [],
    );
    const heap = this.#heap;
    call.index = heap.length;
    heap.push(call);
    this.#up(call.index);
    this.#onChange?.();
    return call;
  }

  /**
   * When the earliest pending call is due, or `undefined` if none is pending.
   *
   * @example Usage
   * ```ts
   * import { DelayedCallQueue } from "@spindle/spindle/reactor";
   * const queue = new DelayedCallQueue(() => 100);
   * queue.schedule(50, () => {});
   * console.assert(queue.nextTime() === 150);
   * ```
   */
  nextTime(): number | undefined {
    return this.#heap[0]?.time;
  }

  /**
   * The pending calls, earliest first.
   *
   * @example Usage
   * ```ts
   * import { DelayedCallQueue } from "@spindle/spindle/reactor";
   * const queue = new DelayedCallQueue(() => 0);
   * queue.schedule(1, () => {});
   * console.assert(queue.pending().length === 1);
   * ```
   */
  pending(): DelayedCall[] {
    return [...this.#heap].sort((a, b) => before(a, b) ? -1 : 1);
  }

  /**
   * Runs, in order, every call due at `now` or earlier, including calls that
   * those calls schedule for `now` or earlier. If a call throws and `onError`
   * is given, it gets the error and the rest still run; without `onError` the
   * error propagates and the calls not yet run stay pending. Returns how many
   * calls ran.
   *
   * @example Usage
   * ```ts
   * import { DelayedCallQueue } from "@spindle/spindle/reactor";
   * const queue = new DelayedCallQueue(() => 0);
   * queue.schedule(0, () => {
   *   throw new Error("boom");
   * });
   * queue.runDue(0, (error) => console.assert(error instanceof Error));
   * ```
   */
  runDue(now: number, onError?: (error: unknown) => void): number {
    const heap = this.#heap;
    let ran = 0;
    while (heap.length > 0 && heap[0]!.time <= now) {
      const call = heap[0]!;
      this.#removeAt(0);
      call.state = CALLED;
      ran++;
      if (onError === undefined) {
        call.fn(...(call.args as never[]));
      } else {
        try {
          call.fn(...(call.args as never[]));
        } catch (error) {
          onError(error);
        }
      }
    }
    return ran;
  }

  #removeAt(i: number): void {
    const heap = this.#heap;
    const removed = heap[i]!;
    const last = heap.pop()!;
    removed.index = -1;
    if (i < heap.length) {
      heap[i] = last;
      last.index = i;
      this.#down(i);
      this.#up(last.index);
    }
  }

  #up(i: number): void {
    const heap = this.#heap;
    const call = heap[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!before(call, parent)) break;
      heap[i] = parent;
      parent.index = i;
      i = parentIndex;
    }
    heap[i] = call;
    call.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const call = heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(heap[right]!, heap[left]!)) child = right;
      if (!before(heap[child]!, call)) break;
      heap[i] = heap[child]!;
      heap[i]!.index = i;
      i = child;
    }
    heap[i] = call;
    call.index = i;
  }
}

/**
 * Options of {@linkcode TimerScheduler}.
 *
 * @example Usage
 * ```ts
 * import { TimerScheduler, type TimerSchedulerOptions } from "@spindle/spindle/reactor";
 * const options: TimerSchedulerOptions = { onError: (error) => console.error(error) };
 * const scheduler = new TimerScheduler(options);
 * console.assert(scheduler.getDelayedCalls().length === 0);
 * ```
 */
export interface TimerSchedulerOptions {
  /**
   * Gets what a call threw; the other calls still run. By default the error
   * is rethrown from the timer (an uncaught error).
   */
  onError?: (error: unknown) => void;
  /** The time source in milliseconds; `performance.now()` by default. */
  now?: () => number;
}

/**
 * Real time: an {@linkcode IReactorTime} whose calls run from one `setTimeout`
 * armed for the earliest pending call (re-armed as calls come and go), so a
 * thousand pending connection timeouts cost one timer. A reactor can use one
 * for its `callLater`. Pending calls keep the process alive, like timers do.
 *
 * @example Usage
 * ```ts
 * import { TimerScheduler } from "@spindle/spindle/reactor";
 * const scheduler = new TimerScheduler();
 * const ran = await new Promise((resolve) => scheduler.callLater(1, resolve, "ran"));
 * console.assert(ran === "ran");
 * ```
 */
export class TimerScheduler implements IReactorTime {
  readonly #queue: DelayedCallQueue;
  readonly #now: () => number;
  readonly #onError: ((error: unknown) => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Infinity;

  /** Creates a scheduler with no pending calls. */
  constructor(options?: TimerSchedulerOptions) {
    this.#now = options?.now ?? (() => performance.now());
    this.#onError = options?.onError;
    this.#queue = new DelayedCallQueue(this.#now, {
      onChange: () => this.#arm(),
    });
  }

  /** The current time in seconds. */
  seconds(): number {
    return this.#now() / 1000;
  }

  /** The current time in milliseconds. */
  now(): number {
    return this.#now();
  }

  /** Runs `fn(...args)` after `ms` milliseconds. */
  callLater<A extends unknown[]>(
    ms: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): DelayedCall {
    return this.#queue.schedule(ms, fn, args);
  }

  /** The calls still pending, earliest first. */
  getDelayedCalls(): DelayedCall[] {
    return this.#queue.pending();
  }

  #arm(): void {
    const next = this.#queue.nextTime();
    if (next === this.#armedFor) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
    if (next === undefined) return;
    this.#armedFor = next;
    this.#timer = setTimeout(
      () => this.#fire(),
      Math.max(0, next - this.#now()),
    );
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    try {
      this.#queue.runDue(this.#now(), this.#onError);
    } finally {
      this.#arm();
    }
  }
}
