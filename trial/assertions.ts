/**
 * Assertions with the names and signatures of `@std/assert`, so a test can move
 * to `@std/assert` by changing its import. Backed by `node:assert/strict`.
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Thrown when an assertion fails. */
export class AssertionError extends Error {
  /** Creates the error with its message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AssertionError";
  }
}

/**
 * Any class, as accepted by {@linkcode assertInstanceOf}.
 *
 * @example Usage
 * ```ts
 * import type { AnyConstructor } from "@spindle/spindle/trial";
 * const type: AnyConstructor = Map;
 * console.assert(new Map() instanceof type);
 * ```
 */
// deno-lint-ignore no-explicit-any
export type AnyConstructor = new (...args: any[]) => unknown;

function rethrow(error: unknown, msg?: string): never {
  const message = msg ??
    (error instanceof Error ? error.message : String(error));
  throw new AssertionError(message, { cause: error });
}

/**
 * Asserts that `expr` is truthy.
 *
 * @example Usage
 * ```ts
 * import { assert } from "@spindle/spindle/trial";
 * assert(1 + 1 === 2);
 * ```
 */
export function assert(expr: unknown, msg = ""): asserts expr {
  if (!expr) {
    throw new AssertionError(msg || "Expected the expression to be truthy");
  }
}

/**
 * Asserts deep equality of `actual` and `expected`.
 *
 * @example Usage
 * ```ts
 * import { assertEquals } from "@spindle/spindle/trial";
 * assertEquals({ a: [1, 2] }, { a: [1, 2] });
 * ```
 */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  try {
    nodeAssert.deepStrictEqual(actual, expected);
  } catch (error) {
    rethrow(error, msg);
  }
}

/**
 * Asserts that `actual` and `expected` are not deeply equal.
 *
 * @example Usage
 * ```ts
 * import { assertNotEquals } from "@spindle/spindle/trial";
 * assertNotEquals([1], [2]);
 * ```
 */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  try {
    nodeAssert.notDeepStrictEqual(actual, expected);
  } catch (error) {
    rethrow(error, msg);
  }
}

/**
 * Asserts that `actual` and `expected` are the same value (`Object.is`).
 *
 * @example Usage
 * ```ts
 * import { assertStrictEquals } from "@spindle/spindle/trial";
 * assertStrictEquals(1, 1);
 * ```
 */
export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  msg?: string,
): asserts actual is T {
  try {
    nodeAssert.strictEqual(actual, expected);
  } catch (error) {
    rethrow(error, msg);
  }
}

/**
 * Asserts that `actual` is an instance of `expectedType`.
 *
 * @example Usage
 * ```ts
 * import { assertInstanceOf } from "@spindle/spindle/trial";
 * assertInstanceOf(new RangeError("x"), Error);
 * ```
 */
export function assertInstanceOf<T extends AnyConstructor>(
  actual: unknown,
  expectedType: T,
  msg?: string,
): asserts actual is InstanceType<T> {
  if (!(actual instanceof expectedType)) {
    throw new AssertionError(
      msg ??
        `Expected an instance of ${expectedType.name}, got ${describe(actual)}`,
    );
  }
}

/**
 * Asserts that `actual` matches the regular expression `expected`.
 *
 * @example Usage
 * ```ts
 * import { assertMatch } from "@spindle/spindle/trial";
 * assertMatch("HTTP/1.1 200 OK", /^HTTP\/1\.1 200/);
 * ```
 */
export function assertMatch(
  actual: string,
  expected: RegExp,
  msg?: string,
): void {
  if (!expected.test(actual)) {
    throw new AssertionError(
      msg ?? `Expected ${JSON.stringify(actual)} to match ${expected}`,
    );
  }
}

/**
 * Asserts that `fn` throws, optionally an instance of `ErrorClass` whose message
 * includes `msgIncludes`. Returns the thrown error.
 *
 * @example Usage
 * ```ts
 * import { assertThrows } from "@spindle/spindle/trial";
 * assertThrows(() => JSON.parse("{"), SyntaxError);
 * ```
 */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: abstract new (...args: any[]) => E,
  msgIncludes?: string,
  msg?: string,
): E {
  let thrown: unknown;
  let didThrow = false;
  try {
    fn();
  } catch (error) {
    thrown = error;
    didThrow = true;
  }
  if (!didThrow) {
    throw new AssertionError(msg ?? "Expected the function to throw");
  }
  return checkError(thrown, ErrorClass, msgIncludes, msg);
}

/**
 * Asserts that the promise returned by `fn` rejects, optionally with an instance
 * of `ErrorClass` whose message includes `msgIncludes`. Resolves to the error.
 *
 * @example Usage
 * ```ts
 * import { assertRejects } from "@spindle/spindle/trial";
 * await assertRejects(() => Promise.reject(new TypeError("no")), TypeError, "no");
 * ```
 */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: abstract new (...args: any[]) => E,
  msgIncludes?: string,
  msg?: string,
): Promise<E> {
  let thrown: unknown;
  let didThrow = false;
  try {
    await fn();
  } catch (error) {
    thrown = error;
    didThrow = true;
  }
  if (!didThrow) {
    throw new AssertionError(msg ?? "Expected the promise to reject");
  }
  return checkError(thrown, ErrorClass, msgIncludes, msg);
}

function checkError<E extends Error>(
  thrown: unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass: (abstract new (...args: any[]) => E) | undefined,
  msgIncludes: string | undefined,
  msg: string | undefined,
): E {
  if (ErrorClass && !(thrown instanceof ErrorClass)) {
    throw new AssertionError(
      msg ??
        `Expected an error of type ${ErrorClass.name}, got ${describe(thrown)}`,
      { cause: thrown },
    );
  }
  if (msgIncludes !== undefined) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    if (!message.includes(msgIncludes)) {
      throw new AssertionError(
        msg ??
          `Expected the error message to include ${
            JSON.stringify(msgIncludes)
          }, got ${JSON.stringify(message)}`,
        { cause: thrown },
      );
    }
  }
  return thrown as E;
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value === null || typeof value !== "object") return String(value);
  return value.constructor?.name ?? "object";
}
