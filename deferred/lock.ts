/**
 * `DeferredLock` and `DeferredSemaphore`: mutual exclusion and bounded
 * concurrency for code that runs on Deferreds.
 *
 * @module
 */
import { Deferred } from "./deferred.ts";
import { Fifo } from "./fifo.ts";
import { maybeDeferred } from "./maybe_deferred.ts";

/**
 * Bounded concurrency: at most `tokens` holders at a time; others wait in
 * first-come-first-served order. `acquire()` returns a Deferred that fires
 * with the semaphore when a token is free (cancel it to stop waiting);
 * `release()` hands the token to the next waiter.
 *
 * @example Usage
 * ```ts
 * import { DeferredSemaphore, succeed } from "@spindle/spindle/deferred";
 * const semaphore = new DeferredSemaphore(2);
 * const results = await Promise.all([1, 2, 3].map((n) => semaphore.run(() => succeed(n * 10))));
 * console.assert(results.join() === "10,20,30");
 * ```
 */
export class DeferredSemaphore {
  /** The number of tokens it was created with. */
  readonly limit: number;
  #tokens: number;
  readonly #waiting = new Fifo<Deferred<DeferredSemaphore>>();
  #dispatching = false;

  /** Creates a semaphore with `tokens` tokens (1 or more). */
  constructor(tokens: number) {
    if (!(Number.isInteger(tokens) && tokens >= 1)) {
      throw new RangeError(
        `A semaphore needs a whole number of tokens, 1 or more, not ${tokens}`,
      );
    }
    this.limit = tokens;
    this.#tokens = tokens;
  }

  /**
   * How many tokens are free.
   *
   * @example Usage
   * ```ts
   * import { DeferredSemaphore } from "@spindle/spindle/deferred";
   * const semaphore = new DeferredSemaphore(3);
   * semaphore.acquire();
   * console.assert(semaphore.tokens === 2);
   * ```
   */
  get tokens(): number {
    return this.#tokens;
  }

  /**
   * How many callers are waiting for a token.
   *
   * @example Usage
   * ```ts
   * import { DeferredSemaphore } from "@spindle/spindle/deferred";
   * const semaphore = new DeferredSemaphore(1);
   * semaphore.acquire();
   * const waiter = semaphore.acquire();
   * console.assert(semaphore.waiting === 1);
   * waiter.cancel();
   * waiter.addErrback(() => {});
   * ```
   */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Takes a token: the Deferred fires with the semaphore once one is free
   * (at once if one is free and nobody waits). Cancelling it before then
   * leaves the queue.
   *
   * @example Usage
   * ```ts
   * import { DeferredSemaphore } from "@spindle/spindle/deferred";
   * const semaphore = new DeferredSemaphore(1);
   * semaphore.acquire().addCallback((s) => s.release());
   * ```
   */
  acquire(): Deferred<DeferredSemaphore> {
    const d = new Deferred<DeferredSemaphore>((self) => {
      this.#waiting.remove(self);
    });
    if (this.#tokens > 0 && this.#waiting.length === 0) {
      this.#tokens--;
      d.callback(this);
    } else {
      this.#waiting.push(d);
    }
    return d;
  }

  /**
   * Gives a token back; the longest waiter gets it.
   *
   * @throws {Error} if every token is already free.
   *
   * @example Usage
   * ```ts
   * import { DeferredSemaphore } from "@spindle/spindle/deferred";
   * const semaphore = new DeferredSemaphore(1);
   * semaphore.acquire();
   * semaphore.release();
   * console.assert(semaphore.tokens === 1);
   * ```
   */
  release(): void {
    if (this.#tokens >= this.limit) {
      throw new Error(
        "release() without a matching acquire(): every token is already free",
      );
    }
    this.#tokens++;
    // A waiter's callbacks may release again; dispatch in one loop rather than
    // recursing once per waiter.
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      while (this.#tokens > 0 && this.#waiting.length > 0) {
        this.#tokens--;
        this.#waiting.shift()!.callback(this);
      }
    } finally {
      this.#dispatching = false;
    }
  }

  /**
   * Acquires a token, runs `fn()` (waiting for a Deferred or Promise it
   * returns), releases the token whatever happened, and fires with `fn`'s
   * result or failure.
   *
   * @example Usage
   * ```ts
   * import { DeferredSemaphore } from "@spindle/spindle/deferred";
   * const semaphore = new DeferredSemaphore(4);
   * const n = await semaphore.run(async () => 7);
   * console.assert(n === 7);
   * ```
   */
  run<T>(fn: () => T | PromiseLike<T>): Deferred<T> {
    return runHolding(this.acquire(), fn, () => this.release());
  }
}

/**
 * Mutual exclusion: one holder at a time, waiters served first-come
 * first-served. `acquire()` returns a Deferred that fires with the lock when
 * it is yours; `release()` passes it on.
 *
 * @example Usage
 * ```ts
 * import { DeferredLock } from "@spindle/spindle/deferred";
 * const lock = new DeferredLock();
 * const order: number[] = [];
 * await Promise.all([1, 2].map((n) => lock.run(async () => void order.push(n))));
 * console.assert(order.join() === "1,2");
 * ```
 */
export class DeferredLock {
  readonly #semaphore = new DeferredSemaphore(1);

  /**
   * Whether someone holds the lock.
   *
   * @example Usage
   * ```ts
   * import { DeferredLock } from "@spindle/spindle/deferred";
   * const lock = new DeferredLock();
   * lock.acquire();
   * console.assert(lock.locked);
   * ```
   */
  get locked(): boolean {
    return this.#semaphore.tokens === 0;
  }

  /**
   * How many callers are waiting for the lock.
   *
   * @example Usage
   * ```ts
   * import { DeferredLock } from "@spindle/spindle/deferred";
   * console.assert(new DeferredLock().waiting === 0);
   * ```
   */
  get waiting(): number {
    return this.#semaphore.waiting;
  }

  /**
   * Takes the lock: the Deferred fires with the lock once it is free.
   * Cancelling it before then leaves the queue.
   *
   * @example Usage
   * ```ts
   * import { DeferredLock } from "@spindle/spindle/deferred";
   * const lock = new DeferredLock();
   * lock.acquire().addCallback((held) => held.release());
   * ```
   */
  acquire(): Deferred<DeferredLock> {
    return this.#semaphore.acquire().addCallback(() => this);
  }

  /**
   * Releases the lock; the longest waiter gets it.
   *
   * @throws {Error} if the lock is not held.
   *
   * @example Usage
   * ```ts
   * import { DeferredLock } from "@spindle/spindle/deferred";
   * const lock = new DeferredLock();
   * lock.acquire();
   * lock.release();
   * console.assert(!lock.locked);
   * ```
   */
  release(): void {
    if (!this.locked) {
      throw new Error("release() on a DeferredLock that is not locked");
    }
    this.#semaphore.release();
  }

  /**
   * Takes the lock, runs `fn()` (waiting for a Deferred or Promise it
   * returns), releases the lock whatever happened, and fires with `fn`'s
   * result or failure.
   *
   * @example Usage
   * ```ts
   * import { DeferredLock } from "@spindle/spindle/deferred";
   * const lock = new DeferredLock();
   * console.assert(await lock.run(() => "done") === "done");
   * ```
   */
  run<T>(fn: () => T | PromiseLike<T>): Deferred<T> {
    return runHolding(this.acquire(), fn, () => this.release());
  }
}

function runHolding<T>(
  acquired: Deferred<unknown>,
  fn: () => T | PromiseLike<T>,
  release: () => void,
): Deferred<T> {
  return acquired.addCallback(() =>
    maybeDeferred(fn).addBoth((result) => {
      release();
      return result;
    })
  ) as Deferred<T>;
}
