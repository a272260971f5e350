/**
 * Waiting on many Deferreds: `DeferredList`, `gatherResults`, `race`.
 *
 * @module
 */
import { Deferred } from "./deferred.ts";
import { FirstError } from "./errors.ts";
import { type Failure, markObserved } from "./failure.ts";

/**
 * One entry of a {@linkcode DeferredList}'s result: `[true, value]` for an
 * input that succeeded, `[false, failure]` for one that failed.
 *
 * @example Usage
 * ```ts
 * import type { DeferredListEntry } from "@spindle/spindle/deferred";
 * const entry: DeferredListEntry<number> = [true, 1];
 * console.assert(entry[0]);
 * ```
 */
export type DeferredListEntry<T> = [ok: true, value: T] | [
  ok: false,
  failure: Failure,
];

/**
 * Options of {@linkcode DeferredList}.
 *
 * @example Usage
 * ```ts
 * import { DeferredList, type DeferredListOptions, succeed } from "@spindle/spindle/deferred";
 * const options: DeferredListOptions = { consumeErrors: true };
 * new DeferredList([succeed(1)], options);
 * ```
 */
export interface DeferredListOptions {
  /**
   * Fire as soon as one input succeeds, with `[value, index]` (type the list
   * as `DeferredList<T, [T, number]>`), instead of when all have finished.
   */
  fireOnOneCallback?: boolean;
  /**
   * Fail as soon as one input fails, with a {@linkcode FirstError} carrying
   * its error and index.
   */
  fireOnOneErrback?: boolean;
  /**
   * After handing an input's failure to the list, continue that input's own
   * chain with `undefined` instead of the failure. A failure the list hands on
   * (in its result or a `FirstError`) counts as handled either way.
   */
  consumeErrors?: boolean;
}

/**
 * A Deferred that fires when all of a list of Deferreds have finished, with
 * one {@linkcode DeferredListEntry} per input, in input order (or sooner, see
 * {@linkcode DeferredListOptions}). An empty list fires at once. Cancelling
 * it cancels every input.
 *
 * @typeParam T The value type of the inputs.
 * @typeParam R The result type: the entries, or `[T, number]` with
 * `fireOnOneCallback`.
 *
 * @example Usage
 * ```ts
 * import { DeferredList, fail, succeed } from "@spindle/spindle/deferred";
 * const list = new DeferredList([succeed(1), fail<number>(new Error("no"))]);
 * list.addCallback((entries) => {
 *   console.assert(entries[0]![0] === true && entries[1]![0] === false);
 * });
 * ```
 */
export class DeferredList<T, R = DeferredListEntry<T>[]> extends Deferred<R> {
  /** The inputs, in order. */
  readonly deferreds: readonly Deferred<T>[];
  /** The entries so far; `undefined` for inputs that have not finished. */
  readonly resultList: (DeferredListEntry<T> | undefined)[];
  #finished = 0;

  /** Starts waiting on `deferreds`. */
  constructor(deferreds: Iterable<Deferred<T>>, options?: DeferredListOptions) {
    super((self) => {
      for (const d of (self as DeferredList<T, R>).deferreds) d.cancel();
    });
    const inputs = [...deferreds];
    this.deferreds = inputs;
    this.resultList = new Array(inputs.length).fill(undefined);
    const fireOnOneCallback = options?.fireOnOneCallback ?? false;
    const fireOnOneErrback = options?.fireOnOneErrback ?? false;
    const consumeErrors = options?.consumeErrors ?? false;
    if (inputs.length === 0 && !fireOnOneCallback) {
      this.callback(this.resultList as R);
    }
    for (let index = 0; index < inputs.length; index++) {
      inputs[index]!.addCallbacks((value: T) => {
        this.resultList[index] = [true, value];
        this.#finished++;
        if (!this.called) {
          if (fireOnOneCallback) {
            this.callback([value, index] as R);
          } else if (this.#finished === inputs.length) {
            this.callback(this.resultList as R);
          }
        }
        return value;
      }, (failure: Failure) => {
        this.resultList[index] = [false, failure];
        this.#finished++;
        if (!this.called) {
          markObserved(failure);
          if (fireOnOneErrback) {
            this.errback(new FirstError(failure.value, index));
          } else if (this.#finished === inputs.length) {
            this.callback(this.resultList as R);
          }
        }
        return consumeErrors ? undefined : failure;
      });
    }
  }
}

/**
 * Options of {@linkcode gatherResults}.
 *
 * @example Usage
 * ```ts
 * import { gatherResults, type GatherOptions, succeed } from "@spindle/spindle/deferred";
 * const options: GatherOptions = { consumeErrors: false };
 * gatherResults([succeed(1)], options);
 * ```
 */
export interface GatherOptions {
  /**
   * Continue a failed input's own chain with `undefined` instead of the
   * failure; true by default (the failure reaches the caller as a
   * `FirstError`).
   */
  consumeErrors?: boolean;
}

/**
 * A Deferred of the values of all `deferreds`, in input order (typed per
 * position for a tuple, like `Promise.all`); it fails with
 * a {@linkcode FirstError} (carrying the error and the index) as soon as one
 * input fails. Twisted's `gatherResults`, like `Promise.all`.
 *
 * @example Usage
 * ```ts
 * import { gatherResults, succeed } from "@spindle/spindle/deferred";
 * const values = await gatherResults([succeed(1), succeed(2)]);
 * console.assert(values.join() === "1,2");
 * ```
 */
export function gatherResults<const T extends readonly Deferred<unknown>[]>(
  deferreds: T,
  options?: GatherOptions,
): Deferred<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  return new DeferredList(deferreds, {
    fireOnOneErrback: true,
    consumeErrors: options?.consumeErrors ?? true,
  }).addCallback((entries) =>
    entries.map((entry) => entry[1]) as {
      -readonly [K in keyof T]: Awaited<T[K]>;
    }
  );
}

/**
 * A Deferred that fires with `[index, value]` of the first of `deferreds` to
 * succeed, and cancels all the others. If all fail, it fails with an
 * `AggregateError` of their errors, in input order. Cancelling it cancels
 * every input.
 *
 * @example Usage
 * ```ts
 * import { Deferred, race } from "@spindle/spindle/deferred";
 * const slow = new Deferred<string>();
 * const fast = new Deferred<string>();
 * const first = race([slow, fast]);
 * fast.callback("fast");
 * first.addCallback(([index, value]) => console.assert(index === 1 && value === "fast"));
 * console.assert(slow.called); // cancelled
 * ```
 */
export function race<const T extends readonly Deferred<unknown>[]>(
  deferreds: T,
): Deferred<[index: number, value: Awaited<T[number]>]> {
  type Value = Awaited<T[number]>;
  const inputs = deferreds as unknown as readonly Deferred<Value>[];
  const errors: unknown[] = new Array(inputs.length);
  let failed = 0;
  const final = new Deferred<[number, Value]>(() => {
    for (const d of inputs) d.cancel();
  });
  for (let index = 0; index < inputs.length; index++) {
    inputs[index]!.addCallbacks((value: Value) => {
      if (final.called) return;
      final.callback([index, value]);
      for (let other = 0; other < inputs.length; other++) {
        if (other !== index) inputs[other]!.cancel();
      }
    }, (failure: Failure) => {
      errors[index] = failure.value;
      failed++;
      if (failed === inputs.length && !final.called) {
        final.errback(
          new AggregateError(
            errors,
            `All ${inputs.length} raced Deferreds failed`,
          ),
        );
      }
    });
  }
  return final;
}
