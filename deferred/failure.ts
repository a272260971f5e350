/**
 * `Failure`: the error a Deferred's errbacks receive.
 *
 * @module
 */

/**
 * A class whose instances can be trapped: any error class, abstract or not.
 *
 * @example Usage
 * ```ts
 * import type { ErrorType } from "@spindle/spindle/deferred";
 * const types: ErrorType[] = [RangeError, TypeError];
 * console.assert(types.length === 2);
 * ```
 */
// deno-lint-ignore no-explicit-any
export type ErrorType<E = unknown> = abstract new (...args: any[]) => E;

/**
 * The error type that trapping `C` lets through: the union of the instance
 * types of the classes in `C`, or `unknown` when `C` is empty.
 *
 * @example Usage
 * ```ts
 * import type { TrappedError } from "@spindle/spindle/deferred";
 * const error: TrappedError<[typeof RangeError]> = new RangeError("x");
 * console.assert(error instanceof RangeError);
 * ```
 */
export type TrappedError<C extends ErrorType[]> = C extends [] ? unknown
  : InstanceType<C[number]>;

// Failures that somebody has seen (an awaiting caller, a test assertion, the
// unhandled-error report): they are never reported as unhandled again.
const observed = new WeakSet<Failure>();

/** Marks `failure` as seen by someone, so it is not reported as unhandled. */
export function markObserved(failure: Failure): void {
  observed.add(failure);
}

/** Whether {@linkcode markObserved} was called on `failure`. */
export function isObserved(failure: Failure): boolean {
  return observed.has(failure);
}

/**
 * Wraps a thrown value — an `Error` or anything else — on its way down a
 * Deferred's errback chain. Errbacks receive a `Failure`; its `value` is the
 * raw thrown value. A callback that returns or throws a `Failure` continues
 * down the errback path with that same failure.
 *
 * @typeParam E The type of the wrapped value.
 *
 * @example Usage
 * ```ts
 * import { Failure } from "@spindle/spindle/deferred";
 * const failure = new Failure(new RangeError("out of range"));
 * console.assert(failure.check(TypeError, RangeError) === RangeError);
 * console.assert(failure.getErrorMessage() === "out of range");
 * ```
 */
export class Failure<E = unknown> {
  /** The thrown value, as it was thrown. */
  readonly value: E;
  #stack: string | undefined;

  /**
   * Wraps `value`. A non-`Error` value gets the stack of this constructor
   * call, so a failure always says where it came from.
   */
  constructor(value: E) {
    this.value = value;
    if (!(value instanceof Error)) {
      this.#stack = new Error(`Non-Error thrown: ${String(value)}`).stack;
    }
  }

  /**
   * Wraps `value` unless it already is a `Failure`.
   *
   * @example Usage
   * ```ts
   * import { Failure } from "@spindle/spindle/deferred";
   * const failure = Failure.from("boom");
   * console.assert(Failure.from(failure) === failure);
   * ```
   */
  static from(value: unknown): Failure {
    return value instanceof Failure ? value : new Failure(value);
  }

  /** The stack of the wrapped error (or where a non-Error was wrapped). */
  get stack(): string {
    const value: unknown = this.value;
    if (value instanceof Error) {
      return value.stack ?? `${value.name}: ${value.message}`;
    }
    return this.#stack ?? String(value);
  }

  /** The wrapped error's `cause`, if it has one. */
  get cause(): unknown {
    const value: unknown = this.value;
    return value instanceof Error ? value.cause : undefined;
  }

  /**
   * Returns the first of `types` that the value is an instance of, or `null`.
   *
   * @example Usage
   * ```ts
   * import { Failure } from "@spindle/spindle/deferred";
   * console.assert(new Failure(new TypeError("x")).check(RangeError) === null);
   * ```
   */
  check<C extends ErrorType[]>(...types: C): C[number] | null {
    for (const type of types) {
      if (this.value instanceof type) return type;
    }
    return null;
  }

  /**
   * Returns the first of `types` that the value is an instance of, and
   * otherwise throws this failure (so, in an errback, the failure carries on
   * down the chain untouched).
   *
   * @example Usage
   * ```ts
   * import { Deferred } from "@spindle/spindle/deferred";
   * const d = new Deferred<number>();
   * d.addErrback((failure) => {
   *   failure.trap(RangeError); // anything else continues down the chain
   *   return 0;
   * });
   * d.errback(new RangeError("too big"));
   * ```
   */
  trap<C extends ErrorType[]>(...types: C): C[number] {
    const type = this.check(...types);
    if (type === null) throw this;
    return type;
  }

  /**
   * The message of the wrapped error, or the value as a string.
   *
   * @example Usage
   * ```ts
   * import { Failure } from "@spindle/spindle/deferred";
   * console.assert(new Failure("plain").getErrorMessage() === "plain");
   * ```
   */
  getErrorMessage(): string {
    const value: unknown = this.value;
    return value instanceof Error ? value.message : String(value);
  }

  /**
   * Throws the wrapped value itself (Twisted's `raiseException`).
   *
   * @example Usage
   * ```ts
   * import { Failure } from "@spindle/spindle/deferred";
   * try {
   *   new Failure(new SyntaxError("x")).throw();
   * } catch (error) {
   *   console.assert(error instanceof SyntaxError);
   * }
   * ```
   */
  throw(): never {
    throw this.value;
  }

  /**
   * A one-line description: `Failure(Name: message)`.
   *
   * @example Usage
   * ```ts
   * import { Failure } from "@spindle/spindle/deferred";
   * console.assert(String(new Failure(new Error("x"))) === "Failure(Error: x)");
   * ```
   */
  toString(): string {
    const value: unknown = this.value;
    const text = value instanceof Error
      ? `${value.name}: ${value.message}`
      : String(value);
    return `Failure(${text})`;
  }
}
