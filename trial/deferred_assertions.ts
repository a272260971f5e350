/**
 * Assertions about Deferreds (Twisted's `successResultOf` and friends).
 *
 * @module
 */
import { type Deferred, peekResult } from "../deferred/deferred.ts";
import {
  type ErrorType,
  Failure,
  markObserved,
  type TrappedError,
} from "../deferred/failure.ts";
import { AssertionError } from "./assertions.ts";

function describeFailure(failure: Failure): string {
  return failure.stack;
}

/**
 * Returns the value `d` already has, without waiting: the Deferred must have
 * fired with a value and not be waiting on another one.
 *
 * @example Usage
 * ```ts
 * import { succeed } from "@spindle/spindle/deferred";
 * import { successResultOf } from "@spindle/spindle/trial";
 * console.assert(successResultOf(succeed(5)) === 5);
 * ```
 */
export function successResultOf<T>(d: Deferred<T>): T {
  const state = peekResult(d);
  if (state === null) {
    throw new AssertionError(
      "Success result expected on the Deferred, found no result instead",
    );
  }
  const result = state.result;
  if (result instanceof Failure) {
    markObserved(result);
    throw new AssertionError(
      `Success result expected on the Deferred, found a failure instead:\n${
        describeFailure(result)
      }`,
      { cause: result.value },
    );
  }
  return result as T;
}

/**
 * Returns the {@linkcode Failure} `d` already has, without waiting; with
 * `types`, its value must be an instance of one of them. The failure counts
 * as handled.
 *
 * @example Usage
 * ```ts
 * import { fail } from "@spindle/spindle/deferred";
 * import { failureResultOf } from "@spindle/spindle/trial";
 * const failure = failureResultOf(fail(new RangeError("x")), RangeError);
 * console.assert(failure.value.message === "x");
 * ```
 */
export function failureResultOf<C extends ErrorType[]>(
  d: Deferred<unknown>,
  ...types: C
): Failure<TrappedError<C>> {
  const state = peekResult(d);
  if (state === null) {
    throw new AssertionError(
      "Failure result expected on the Deferred, found no result instead",
    );
  }
  const result = state.result;
  if (!(result instanceof Failure)) {
    throw new AssertionError(
      `Failure result expected on the Deferred, found a success result (${
        Deno.inspect(result, { depth: 2 })
      }) instead`,
    );
  }
  markObserved(result);
  if (types.length > 0 && result.check(...types) === null) {
    throw new AssertionError(
      `Failure of type ${
        types.map((type) => type.name).join(" or ")
      } expected on the Deferred, found this instead:\n${
        describeFailure(result)
      }`,
      { cause: result.value },
    );
  }
  return result as Failure<TrappedError<C>>;
}

/**
 * Asserts that `d` has no result yet (or is waiting on another Deferred).
 *
 * @example Usage
 * ```ts
 * import { Deferred } from "@spindle/spindle/deferred";
 * import { assertNoResult } from "@spindle/spindle/trial";
 * assertNoResult(new Deferred<number>());
 * ```
 */
export function assertNoResult(d: Deferred<unknown>): void {
  const state = peekResult(d);
  if (state === null) return;
  const result = state.result;
  if (result instanceof Failure) {
    markObserved(result);
    throw new AssertionError(
      `No result expected on the Deferred, found a failure instead:\n${
        describeFailure(result)
      }`,
      { cause: result.value },
    );
  }
  throw new AssertionError(
    `No result expected on the Deferred, found ${
      Deno.inspect(result, { depth: 2 })
    } instead`,
  );
}

/**
 * Waits for `d` (a Deferred or Promise) and asserts that it fails with an
 * instance of one of `types` (anything without `types`); resolves to the
 * error.
 *
 * @example Usage
 * ```ts
 * import { fail } from "@spindle/spindle/deferred";
 * import { assertFailure } from "@spindle/spindle/trial";
 * const error = await assertFailure(fail(new TypeError("bad")), TypeError);
 * console.assert(error.message === "bad");
 * ```
 */
export async function assertFailure<C extends ErrorType[]>(
  d: PromiseLike<unknown>,
  ...types: C
): Promise<TrappedError<C>> {
  let value: unknown;
  try {
    value = await d;
  } catch (error) {
    if (types.length > 0 && !types.some((type) => error instanceof type)) {
      throw new AssertionError(
        `Failure of type ${
          types.map((type) => type.name).join(" or ")
        } expected, found ${describeError(error)} instead`,
        { cause: error },
      );
    }
    return error as TrappedError<C>;
  }
  throw new AssertionError(
    `Failure expected, found a success result (${
      Deno.inspect(value, { depth: 2 })
    }) instead`,
  );
}

function describeError(error: unknown): string {
  return error instanceof Error
    ? error.stack ?? `${error.name}: ${error.message}`
    : Deno.inspect(error);
}
