/**
 * The errors of `cred/`: refused logins (Twisted's `LoginFailed` family), bad
 * password hashes, bad user files and bad checker strings.
 *
 * @module
 */

/**
 * The base of every refused login (Twisted's `LoginFailed`): a protocol
 * catches it to answer "authentication failed".
 *
 * @example Usage
 * ```ts
 * import { LoginFailedError, UnauthorizedLoginError } from "@spindle/spindle/cred";
 * console.assert(new UnauthorizedLoginError() instanceof LoginFailedError);
 * ```
 */
export class LoginFailedError extends Error {
  /** Creates the error with a message that says what happened and what to do. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The credentials were wrong: an unknown user, a wrong password, a key that
 * is not authorized or a bad signature. The message never says which, so a
 * peer cannot probe for names.
 *
 * @example Usage
 * ```ts
 * import { UnauthorizedLoginError } from "@spindle/spindle/cred";
 * const error = new UnauthorizedLoginError();
 * console.assert(error.name === "UnauthorizedLoginError");
 * ```
 */
export class UnauthorizedLoginError extends LoginFailedError {
  /** Creates the error; the default message suits a reply to the peer. */
  constructor(
    message =
      "Login refused: the name or the credentials are wrong; check them and try again",
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A public key would be accepted, but the credentials carried no signature
 * (SSH's "would you take this key?" query, answered with `PK_OK`). Not a
 * failed attempt: {@linkcode LoginLimiter} does not count it.
 *
 * @example Usage
 * ```ts
 * import { UnauthorizedLoginError, ValidPublicKeyError } from "@spindle/spindle/cred";
 * console.assert(new ValidPublicKeyError("alice") instanceof UnauthorizedLoginError);
 * ```
 */
export class ValidPublicKeyError extends UnauthorizedLoginError {
  /** The user whose key would be accepted. */
  readonly username: string;
  /** Creates the error for `username`. */
  constructor(username: string) {
    super(
      `The public key of ${
        JSON.stringify(username)
      } is authorized: sign the session data with it to log in`,
    );
    this.username = username;
  }
}

/**
 * No checker of the portal accepts this type of credentials: the protocol
 * offered a login method the server was not configured for.
 *
 * @example Usage
 * ```ts
 * import { UnhandledCredentialsError } from "@spindle/spindle/cred";
 * const error = new UnhandledCredentialsError("SSHPublicKey", ["UsernamePassword"]);
 * console.assert(error.credentialsType === "SSHPublicKey");
 * ```
 */
export class UnhandledCredentialsError extends LoginFailedError {
  /** The name of the credentials' class. */
  readonly credentialsType: string;
  /** Creates the error for credentials of `credentialsType`, listing the `accepted` ones. */
  constructor(credentialsType: string, accepted: readonly string[]) {
    super(
      `No checker handles ${credentialsType} credentials (this portal accepts ${
        accepted.length === 0 ? "none" : accepted.join(", ")
      }): register a checker for them or offer another login method`,
    );
    this.credentialsType = credentialsType;
  }
}

/**
 * A login was refused because its connection used up its failed attempts:
 * the protocol answers "authentication failed" and closes the connection.
 *
 * @example Usage
 * ```ts
 * import { TooManyAttemptsError, UnauthorizedLoginError } from "@spindle/spindle/cred";
 * const error = new TooManyAttemptsError(3);
 * console.assert(error instanceof UnauthorizedLoginError && error.failures === 3);
 * ```
 */
export class TooManyAttemptsError extends UnauthorizedLoginError {
  /** The failed attempts counted against the connection or source. */
  readonly failures: number;
  /** Creates the error after `failures` failed attempts. */
  constructor(failures: number, options?: TooManyAttemptsErrorOptions) {
    super(
      options?.message ??
        `Login refused after ${failures} failed attempts on this connection: close it; the peer may reconnect and try again`,
      options,
    );
    this.failures = failures;
  }
}

/**
 * Options of {@linkcode TooManyAttemptsError}.
 *
 * @example Usage
 * ```ts
 * import type { TooManyAttemptsErrorOptions } from "@spindle/spindle/cred";
 * const options: TooManyAttemptsErrorOptions = { message: "three strikes" };
 * console.assert(options.message === "three strikes");
 * ```
 */
export interface TooManyAttemptsErrorOptions extends ErrorOptions {
  /** The message, when not the default one (for subclasses). */
  message?: string;
}

/**
 * A login was refused because its source address is locked out after too
 * many failures; the protocol closes the connection.
 *
 * @example Usage
 * ```ts
 * import { SourceLockedOutError, TooManyAttemptsError } from "@spindle/spindle/cred";
 * const error = new SourceLockedOutError("192.0.2.1", { failures: 20, retryAfter: 60_000 });
 * console.assert(error instanceof TooManyAttemptsError && error.source === "192.0.2.1");
 * ```
 */
export class SourceLockedOutError extends TooManyAttemptsError {
  /** The locked-out source address. */
  readonly source: string;
  /** Milliseconds until the lockout ends. */
  readonly retryAfter: number;
  /** Creates the error for `source`, locked after `options.failures` failures. */
  constructor(source: string, options: SourceLockedOutErrorOptions) {
    super(options.failures, {
      message:
        `Login refused: ${source} made ${options.failures} failed attempts and is locked out for ${
          Math.ceil(options.retryAfter / 1000)
        } more seconds; close the connection`,
      cause: options.cause,
    });
    this.source = source;
    this.retryAfter = options.retryAfter;
  }
}

/**
 * Options of {@linkcode SourceLockedOutError}.
 *
 * @example Usage
 * ```ts
 * import type { SourceLockedOutErrorOptions } from "@spindle/spindle/cred";
 * const options: SourceLockedOutErrorOptions = { failures: 20, retryAfter: 60_000 };
 * console.assert(options.failures === 20);
 * ```
 */
export interface SourceLockedOutErrorOptions extends ErrorOptions {
  /** The failures that caused the lockout. */
  failures: number;
  /** Milliseconds until the lockout ends. */
  retryAfter: number;
}

/**
 * A stored password hash is in a format `cred/` does not understand (bcrypt,
 * `{SSHA}`, plain text...). Only `$pbkdf2-sha256$` is understood.
 *
 * @example Usage
 * ```ts
 * import { UnknownHashFormatError } from "@spindle/spindle/cred";
 * const error = new UnknownHashFormatError("$2b$");
 * console.assert(error.message.includes("$pbkdf2-sha256$"));
 * ```
 */
export class UnknownHashFormatError extends Error {
  /** The start of the refused hash (its scheme, never the whole hash). */
  readonly scheme: string;
  /** Creates the error for a hash that starts with `scheme`. */
  constructor(scheme: string, options?: ErrorOptions) {
    super(
      `Unknown password hash format ${
        JSON.stringify(scheme)
      }: only $pbkdf2-sha256$<iterations>$<salt>$<hash> is understood; make the hash again with \`spindle passwd NAME\``,
      options,
    );
    this.name = new.target.name;
    this.scheme = scheme;
  }
}

/**
 * A `$pbkdf2-sha256$` hash is malformed: a missing field, bad base64, or an
 * iteration count, salt or hash length out of bounds.
 *
 * @example Usage
 * ```ts
 * import { MalformedHashError } from "@spindle/spindle/cred";
 * const error = new MalformedHashError("the iteration count is not a number");
 * console.assert(error.name === "MalformedHashError");
 * ```
 */
export class MalformedHashError extends Error {
  /** Creates the error saying what is wrong with the hash (`problem`). */
  constructor(problem: string, options?: ErrorOptions) {
    super(
      `Malformed $pbkdf2-sha256$ password hash: ${problem}; make the hash again with \`spindle passwd NAME\``,
      options,
    );
    this.name = new.target.name;
  }
}

/**
 * A user file could not be read: a bad line (named by file and line number),
 * a line or file over its limit.
 *
 * @example Usage
 * ```ts
 * import { UserFileError } from "@spindle/spindle/cred";
 * const error = new UserFileError("users.txt", "the line has no ':'", { line: 3 });
 * console.assert(error.message.startsWith("users.txt:3:"));
 * ```
 */
export class UserFileError extends Error {
  /** The file, as given to the reader. */
  readonly path: string;
  /** The 1-based line, or 0 when the problem is the whole file. */
  readonly line: number;
  /** Creates the error for `path` (at `options.line`), saying what is wrong (`problem`). */
  constructor(path: string, problem: string, options?: UserFileErrorOptions) {
    const line = options?.line ?? 0;
    super(`${path}${line > 0 ? `:${line}` : ""}: ${problem}`, options);
    this.name = new.target.name;
    this.path = path;
    this.line = line;
  }
}

/**
 * Options of {@linkcode UserFileError}.
 *
 * @example Usage
 * ```ts
 * import type { UserFileErrorOptions } from "@spindle/spindle/cred";
 * const options: UserFileErrorOptions = { line: 3 };
 * console.assert(options.line === 3);
 * ```
 */
export interface UserFileErrorOptions extends ErrorOptions {
  /** The 1-based line at fault; none when the problem is the whole file. */
  line?: number;
}

/**
 * The base of the errors about a malformed checker string. Messages name the
 * kind and the parameter at fault but never quote the whole string, which
 * may hold passwords (`memory:`).
 *
 * @example Usage
 * ```ts
 * import { CheckerDescriptionError, checkerFromString } from "@spindle/spindle/cred";
 * try {
 *   checkerFromString("");
 * } catch (error) {
 *   console.assert(error instanceof CheckerDescriptionError);
 * }
 * ```
 */
export class CheckerDescriptionError extends Error {
  /** The checker string that was given. */
  readonly description: string;
  /** Creates the error for `description`. */
  constructor(description: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.description = description;
  }
}

/**
 * A checker string names a kind (the part before the first `:`) that is not
 * registered.
 *
 * @example Usage
 * ```ts
 * import { checkerFromString, UnknownCheckerKindError } from "@spindle/spindle/cred";
 * try {
 *   checkerFromString("ldap:ou=people");
 * } catch (error) {
 *   console.assert(error instanceof UnknownCheckerKindError && error.kind === "ldap");
 * }
 * ```
 */
export class UnknownCheckerKindError extends CheckerDescriptionError {
  /** The kind that was asked for. */
  readonly kind: string;
  /** Creates the error for `kind` in `description`, listing the `known` kinds. */
  constructor(description: string, kind: string, known: readonly string[]) {
    super(
      description,
      `Unknown checker kind ${JSON.stringify(kind)}: use one of ${
        known.join(", ")
      }, or register it with registerCheckerKind()`,
    );
    this.kind = kind;
  }
}

/**
 * A checker string of a known kind has a bad, missing or unexpected
 * parameter.
 *
 * @example Usage
 * ```ts
 * import { checkerFromString, InvalidCheckerParameterError } from "@spindle/spindle/cred";
 * try {
 *   checkerFromString("memory:alice");
 * } catch (error) {
 *   console.assert(error instanceof InvalidCheckerParameterError && error.kind === "memory");
 * }
 * ```
 */
export class InvalidCheckerParameterError extends CheckerDescriptionError {
  /** The checker kind. */
  readonly kind: string;
  /** The parameter at fault, or "" when one is missing. */
  readonly parameter: string;
  /** Creates the error for `parameter` of `kind` in `description`; `expected` says what is wanted. */
  constructor(
    description: string,
    fault: { kind: string; parameter: string; expected: string },
  ) {
    super(
      description,
      `Bad ${JSON.stringify(fault.kind)} checker string: ${
        fault.parameter === ""
          ? "a parameter is missing"
          : `parameter ${JSON.stringify(fault.parameter)}`
      }; ${fault.expected}`,
    );
    this.kind = fault.kind;
    this.parameter = fault.parameter;
  }
}
