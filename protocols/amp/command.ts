/**
 * AMP command definitions: a name, typed arguments and response, and the
 * error classes the responder may raise, each mapped to an AMP error code.
 *
 * @module
 */
import type { Schema } from "./arguments.ts";

/** An error class a command may declare: constructed from the peer's description. */
// deno-lint-ignore no-explicit-any
export type ErrorClass = new (description: string, ...rest: any[]) => Error;

/** Error codes mapped to the error classes that travel under them. */
export type ErrorMap = Record<string, ErrorClass>;

/** What {@linkcode defineCommand} takes. */
export interface CommandOptions<
  A extends Schema,
  R extends Schema,
  N extends boolean,
> {
  /** The command name on the wire (`_command`). */
  name: string;
  /** The arguments the caller sends. */
  arguments: A;
  /** The values the responder answers with. */
  response: R;
  /**
   * Error codes and the classes raised under them. A responder that throws an
   * instance of one of these sends its code and `message`; the caller gets a
   * new instance of the class built from the description.
   */
  errors?: ErrorMap;
  /** Like `errors`, but the responder's side closes the connection after sending the error. */
  fatalErrors?: ErrorMap;
  /**
   * When false, `callRemote` sends no `_ask` tag and returns nothing: the
   * responder runs but its answer is not sent. Default true.
   */
  requiresAnswer?: N;
}

/**
 * A defined AMP command, as {@linkcode defineCommand} returns it.
 *
 * @typeParam A The argument schema.
 * @typeParam R The response schema.
 * @typeParam N Whether `callRemote` waits for an answer.
 */
export interface Command<
  A extends Schema = Schema,
  R extends Schema = Schema,
  N extends boolean = boolean,
> {
  /** The command name on the wire. */
  readonly name: string;
  /** The argument schema. */
  readonly arguments: A;
  /** The response schema. */
  readonly response: R;
  /** Error codes and their classes, fatal ones included. */
  readonly errors: Readonly<ErrorMap>;
  /** The codes in `errors` after which the responder closes the connection. */
  readonly fatalCodes: ReadonlySet<string>;
  /** Whether `callRemote` waits for an answer. */
  readonly requiresAnswer: N;
}

/**
 * Defines an AMP command. The schemas type both sides: `callRemote` takes the
 * arguments and resolves to the response, a responder takes the arguments and
 * returns the response.
 *
 * @example Usage
 * ```ts
 * import { defineCommand, Integer } from "@spindle/spindle/protocols/amp";
 * class DivideByZeroError extends Error {}
 * const Divide = defineCommand({
 *   name: "Divide",
 *   arguments: { numerator: Integer, denominator: Integer },
 *   response: { result: Integer },
 *   errors: { ZERO_DIVISION: DivideByZeroError },
 * });
 * console.assert(Divide.errors.ZERO_DIVISION === DivideByZeroError);
 * ```
 */
export function defineCommand<
  A extends Schema,
  R extends Schema,
  N extends boolean = true,
>(options: CommandOptions<A, R, N>): Command<A, R, N> {
  const errors: ErrorMap = { ...options.errors, ...options.fatalErrors };
  return Object.freeze({
    name: options.name,
    arguments: options.arguments,
    response: options.response,
    errors: Object.freeze(errors),
    fatalCodes: new Set(Object.keys(options.fatalErrors ?? {})),
    requiresAnswer: (options.requiresAnswer ?? true) as N,
  });
}

/**
 * Finds the code under which `error` travels for `command`: the first declared
 * class it is an instance of, or undefined.
 */
export function errorCodeFor(
  command: Command,
  error: unknown,
): string | undefined {
  for (const code in command.errors) {
    if (error instanceof command.errors[code]!) return code;
  }
  return undefined;
}
