/**
 * `DeferredQueue`: a producer/consumer queue whose `get` returns a Deferred.
 *
 * @module
 */
import { Deferred, succeed } from "./deferred.ts";
import { QueueOverflowError, QueueUnderflowError } from "./errors.ts";
import { Fifo } from "./fifo.ts";

/**
 * Options of {@linkcode DeferredQueue}.
 *
 * @example Usage
 * ```ts
 * import { DeferredQueue, type DeferredQueueOptions } from "@spindle/spindle/deferred";
 * const options: DeferredQueueOptions = { size: 100, backlog: 10 };
 * new DeferredQueue<string>(options);
 * ```
 */
export interface DeferredQueueOptions {
  /** The most values that may wait for a consumer; unlimited by default. */
  size?: number;
  /** The most consumers that may wait for a value; unlimited by default. */
  backlog?: number;
}

/**
 * A queue between producers and consumers: `put(value)` hands the value to the
 * longest-waiting consumer or stores it; `get()` returns a Deferred of the
 * oldest stored value, or waits for the next `put`. Limits make `put` throw
 * {@linkcode QueueOverflowError} and `get` throw
 * {@linkcode QueueUnderflowError}. Cancelling a pending `get` leaves the line.
 *
 * @example Usage
 * ```ts
 * import { DeferredQueue } from "@spindle/spindle/deferred";
 * const queue = new DeferredQueue<string>();
 * const next = queue.get();
 * queue.put("job");
 * console.assert(await next === "job");
 * ```
 */
export class DeferredQueue<T> {
  /** The most values that may wait for a consumer. */
  readonly size: number;
  /** The most consumers that may wait for a value. */
  readonly backlog: number;
  readonly #pending = new Fifo<T>();
  readonly #waiting = new Fifo<Deferred<T>>();

  /** Creates an empty queue. */
  constructor(options?: DeferredQueueOptions) {
    this.size = options?.size ?? Infinity;
    this.backlog = options?.backlog ?? Infinity;
  }

  /**
   * How many values are stored, waiting for consumers.
   *
   * @example Usage
   * ```ts
   * import { DeferredQueue } from "@spindle/spindle/deferred";
   * const queue = new DeferredQueue<number>();
   * queue.put(1);
   * console.assert(queue.pending === 1);
   * ```
   */
  get pending(): number {
    return this.#pending.length;
  }

  /**
   * How many consumers are waiting for values.
   *
   * @example Usage
   * ```ts
   * import { DeferredQueue } from "@spindle/spindle/deferred";
   * const queue = new DeferredQueue<number>();
   * const d = queue.get();
   * console.assert(queue.waiting === 1);
   * queue.put(1);
   * ```
   */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Hands `value` to the longest-waiting consumer, or stores it.
   *
   * @throws {QueueOverflowError} if no consumer waits and `size` values are
   * already stored.
   *
   * @example Usage
   * ```ts
   * import { DeferredQueue } from "@spindle/spindle/deferred";
   * const queue = new DeferredQueue<number>({ size: 10 });
   * queue.put(1);
   * ```
   */
  put(value: T): void {
    const consumer = this.#waiting.shift();
    if (consumer !== undefined) {
      consumer.callback(value);
    } else if (this.#pending.length < this.size) {
      this.#pending.push(value);
    } else {
      throw new QueueOverflowError();
    }
  }

  /**
   * A Deferred of the oldest stored value (already fired), or of the next
   * value put.
   *
   * @throws {QueueUnderflowError} if no value is stored and `backlog`
   * consumers already wait.
   *
   * @example Usage
   * ```ts
   * import { DeferredQueue } from "@spindle/spindle/deferred";
   * const queue = new DeferredQueue<number>();
   * queue.put(5);
   * queue.get().addCallback((n) => console.assert(n === 5));
   * ```
   */
  get(): Deferred<T> {
    if (this.#pending.length > 0) return succeed(this.#pending.shift()!);
    if (this.#waiting.length >= this.backlog) throw new QueueUnderflowError();
    const d = new Deferred<T>((self) => {
      this.#waiting.remove(self);
    });
    this.#waiting.push(d);
    return d;
  }
}
