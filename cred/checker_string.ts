/**
 * Checkers named by strings (Twisted's `strcred`): `file:users.txt`,
 * `memory:alice=secret`, `anonymous`. The part before the first `:` is the
 * kind; the rest, as written, is the kind's argument. Kinds live in a
 * registry, so a module can add its own (`ldap:...`) without touching the
 * parser.
 *
 * @module
 */
import { AnonymousChecker } from "./anonymous_checker.ts";
import type { CredentialsChecker } from "./checker.ts";
import {
  CheckerDescriptionError,
  InvalidCheckerParameterError,
  UnknownCheckerKindError,
} from "./errors.ts";
import { FilePasswordChecker } from "./file_checker.ts";
import { InMemoryPasswordChecker } from "./memory_checker.ts";
import type { DeriveFunction } from "./password_hash.ts";

/**
 * Options of {@linkcode checkerFromString}: what cannot be written in the
 * string.
 *
 * @example Usage
 * ```ts
 * import { type CheckerFromStringOptions, pbkdf2Sha256 } from "@spindle/spindle/cred";
 * const options: CheckerFromStringOptions = { derive: pbkdf2Sha256 };
 * console.assert(options.derive === pbkdf2Sha256);
 * ```
 */
export interface CheckerFromStringOptions {
  /** The PBKDF2 derivation for hash-checking kinds; the real one by default. */
  derive?: DeriveFunction;
}

/**
 * What a kind's `create` gets besides its argument.
 *
 * @example Usage
 * ```ts
 * import type { CheckerContext } from "@spindle/spindle/cred";
 * const context: CheckerContext = {
 *   description: "file:users.txt",
 *   kind: "file",
 *   options: {},
 *   invalid: (parameter, expected) => new Error(`${parameter}: ${expected}`),
 * };
 * console.assert(context.kind === "file");
 * ```
 */
export interface CheckerContext {
  /** The whole checker string. */
  readonly description: string;
  /** The kind's name as written (one kind may have several names). */
  readonly kind: string;
  /** The options {@linkcode checkerFromString} was given. */
  readonly options: CheckerFromStringOptions;
  /**
   * An `InvalidCheckerParameterError` for this string and kind: throw it for
   * a bad `parameter` ("" when one is missing), saying what is `expected`.
   */
  invalid(parameter: string, expected: string): Error;
}

/**
 * A kind of checker, such as `file`.
 *
 * @example Usage
 * ```ts
 * import { AnonymousChecker, type CheckerKind } from "@spindle/spindle/cred";
 * const guest: CheckerKind = {
 *   help: "guest: anyone may log in as anonymous",
 *   create: () => new AnonymousChecker(),
 * };
 * console.assert(guest.help.startsWith("guest"));
 * ```
 */
export interface CheckerKind {
  /** One line for `--help` texts: the syntax and what it checks. */
  readonly help: string;
  /**
   * Makes the checker from `argument`, everything after the first `:` (""
   * when there is none); throws `context.invalid(...)` for a bad one.
   */
  create(argument: string, context: CheckerContext): CredentialsChecker;
}

const kinds = new Map<string, CheckerKind>();

/**
 * Adds a checker kind under `name`. Registering another kind under a taken
 * name throws a `TypeError`.
 *
 * @example Usage
 * ```ts
 * import { AnonymousChecker, checkerFromString, registerCheckerKind } from "@spindle/spindle/cred";
 * registerCheckerKind("guest", {
 *   help: "guest: anyone may log in as anonymous",
 *   create: () => new AnonymousChecker(),
 * });
 * console.assert(checkerFromString("guest") instanceof AnonymousChecker);
 * ```
 */
export function registerCheckerKind(name: string, kind: CheckerKind): void {
  if (!/^[a-z][a-z0-9+.-]*$/.test(name)) {
    throw new TypeError(
      `Checker kind name ${
        JSON.stringify(name)
      } is not valid: use lower-case letters, digits, +, . or -, starting with a letter`,
    );
  }
  const existing = kinds.get(name);
  if (existing !== undefined && existing !== kind) {
    throw new TypeError(
      `A checker kind named ${
        JSON.stringify(name)
      } is already registered: choose another name`,
    );
  }
  kinds.set(name, kind);
}

/**
 * The registered kinds' help lines, by name, in name order: for a
 * `--help` text.
 *
 * @example Usage
 * ```ts
 * import { checkerKindHelp } from "@spindle/spindle/cred";
 * console.assert(checkerKindHelp().some(([name]) => name === "file"));
 * ```
 */
export function checkerKindHelp(): [name: string, help: string][] {
  return [...kinds].map(([name, kind]): [string, string] => [name, kind.help])
    .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Makes the checker `description` names. Throws
 * `UnknownCheckerKindError` for a kind no one registered and
 * `InvalidCheckerParameterError` for a bad argument, each naming the kind.
 *
 * @example Usage
 * ```ts
 * import { checkerFromString, UsernamePassword } from "@spindle/spindle/cred";
 * const checker = checkerFromString("memory:alice=secret:bob=x");
 * const id = await checker.requestAvatarId(new UsernamePassword("bob", "x"));
 * console.assert(id === "bob");
 * ```
 */
export function checkerFromString(
  description: string,
  options: CheckerFromStringOptions = {},
): CredentialsChecker {
  const colon = description.indexOf(":");
  const name = colon < 0 ? description : description.slice(0, colon);
  const argument = colon < 0 ? "" : description.slice(colon + 1);
  if (name === "") {
    throw new CheckerDescriptionError(
      description,
      "A checker string names no kind: write KIND or KIND:ARGUMENT, such as file:users.txt",
    );
  }
  const kind = kinds.get(name);
  if (kind === undefined) {
    throw new UnknownCheckerKindError(description, name, [...kinds.keys()]);
  }
  return kind.create(argument, {
    description,
    kind: name,
    options,
    invalid: (parameter, expected) =>
      new InvalidCheckerParameterError(description, {
        kind: name,
        parameter,
        expected,
      }),
  });
}

registerCheckerKind("file", {
  help:
    "file:PATH — names and $pbkdf2-sha256$ hashes in a user file (`spindle passwd` writes them), re-read when it changes",
  create(path, context) {
    if (path === "") {
      throw context.invalid("", "give the user file's path: file:users.txt");
    }
    return new FilePasswordChecker(path, { derive: context.options.derive });
  },
});

registerCheckerKind("memory", {
  help:
    "memory:NAME=PASSWORD[:NAME=PASSWORD...] — clear passwords in the string, for tests only",
  create(argument, context) {
    const passwords: Record<string, string> = {};
    for (const pair of argument.split(":")) {
      const equals = pair.indexOf("=");
      if (equals <= 0) {
        throw context.invalid(
          equals < 0 ? pair : "",
          "expected NAME=PASSWORD pairs separated by ':'",
        );
      }
      passwords[pair.slice(0, equals)] = pair.slice(equals + 1);
    }
    return new InMemoryPasswordChecker(passwords);
  },
});

registerCheckerKind("anonymous", {
  help: "anonymous — anyone may log in, as the avatar id anonymous",
  create(argument, context) {
    if (argument !== "") {
      throw context.invalid(argument, "anonymous takes no argument");
    }
    return new AnonymousChecker();
  },
});
