/**
 * The words a plugin describes its command-line options in: each option's
 * {@linkcode OptionSpec}, the parsed {@linkcode OptionValues}, and the
 * {@linkcode UsageError} for a mistake in them.
 *
 * @module
 */

/**
 * The kind of value an option takes.
 *
 * @example Usage
 * ```ts
 * import type { OptionType } from "@spindle/spindle/app";
 * const type: OptionType = "number";
 * console.assert(type === "number");
 * ```
 */
export type OptionType = "string" | "number" | "boolean";

/**
 * One command-line option, as a plugin declares it.
 *
 * @example Usage
 * ```ts
 * import type { OptionSpec } from "@spindle/spindle/app";
 * const listen: OptionSpec = {
 *   name: "listen",
 *   short: "l",
 *   valueName: "ENDPOINT",
 *   description: "where to listen",
 *   default: "tcp:7000",
 * };
 * console.assert(listen.name === "listen");
 * ```
 */
export interface OptionSpec {
  /** The long name without dashes: `"listen"` for `--listen`. */
  name: string;
  /** A one-letter alias without the dash: `"p"` for `-p`. */
  short?: string;
  /** The value's kind; default `"string"`. Booleans take no value. */
  type?: OptionType;
  /** One line for `--help`. */
  description: string;
  /** The value when the option is not given. */
  default?: string | number | boolean;
  /** The placeholder shown in `--help`, such as `ENDPOINT`. */
  valueName?: string;
  /**
   * The option may be given more than once (`--allow A --allow B`): its
   * value is then every value given, in order, as a `string[]` (empty when
   * it was not given). Only for string options.
   */
  repeatable?: boolean;
}

/**
 * A mistake in the command line: the runner prints its message on one line
 * and exits with status 2.
 *
 * @example Usage
 * ```ts
 * import { UsageError } from "@spindle/spindle/app";
 * const error = new UsageError("unknown option --colour");
 * console.assert(error.message === "unknown option --colour");
 * ```
 */
export class UsageError extends Error {
  /** Creates the error with its one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parsed option values by option name, as a plugin's `validate` receives
 * them: defaults filled in, absent when an option was not given and has none.
 *
 * @example Usage
 * ```ts
 * import type { OptionValues } from "@spindle/spindle/app";
 * const values: OptionValues = { listen: "tcp:7000", workers: 2 };
 * console.assert(values.workers === 2);
 * ```
 */
export type OptionValues = Record<
  string,
  string | number | boolean | string[] | undefined
>;
