/**
 * The errors of IRC: lines that break the grammar or a limit (subclasses of
 * the shared `ProtocolError`), and what a server answered with an error
 * numeric or a closed connection.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * A line is not an IRC message: no command, or bytes that cannot be in one.
 *
 * @example Usage
 * ```ts
 * import { IRCParseError, parseMessage } from "@spindle/spindle/protocols/irc";
 * try {
 *   parseMessage(":nick!u@h");
 * } catch (error) {
 *   console.assert(error instanceof IRCParseError);
 * }
 * ```
 */
export class IRCParseError extends ProtocolError {}

/**
 * A line (without its tags) is longer than the limit, 512 bytes by default:
 * the peer must send shorter lines (a client splits long messages).
 *
 * @example Usage
 * ```ts
 * import { IRCLineTooLongError } from "@spindle/spindle/protocols/irc";
 * const error = new IRCLineTooLongError(600, 512);
 * console.assert(error.message.includes("600"));
 * ```
 */
export class IRCLineTooLongError extends ProtocolError {
  /** Creates the error for a line of `length` bytes over `maxLength`. */
  constructor(length: number, maxLength: number) {
    super(
      `an IRC line of ${length} bytes is longer than the limit of ${maxLength} (CR LF included, tags not): send shorter lines, splitting long messages`,
    );
  }
}

/**
 * A line's message tags are longer than the limit, 8191 bytes by default.
 *
 * @example Usage
 * ```ts
 * import { IRCTagsTooLongError } from "@spindle/spindle/protocols/irc";
 * const error = new IRCTagsTooLongError(9000, 8191);
 * console.assert(error.name === "IRCTagsTooLongError");
 * ```
 */
export class IRCTagsTooLongError extends ProtocolError {
  /** Creates the error for `length` tag bytes over `maxLength`. */
  constructor(length: number, maxLength: number) {
    super(
      `the message tags of an IRC line take ${length} bytes, more than the limit of ${maxLength}: send fewer or shorter tags`,
    );
  }
}

/**
 * The server answered a command with an error numeric, or closed the
 * connection before answering: `code` is the numeric (`"433"`), or `"ERROR"`.
 *
 * @example Usage
 * ```ts
 * import { IRCCommandError } from "@spindle/spindle/protocols/irc";
 * const error = new IRCCommandError("401", "No such nick/channel");
 * console.assert(error.code === "401");
 * ```
 */
export class IRCCommandError extends Error {
  /** The numeric the server answered with, or `"ERROR"`. */
  readonly code: string;

  /** Creates the error for numeric `code` and the server's text. */
  constructor(code: string, text: string) {
    super(`the IRC server answered ${code}: ${text}`);
    this.name = "IRCCommandError";
    this.code = code;
  }
}

/**
 * The client could not sign on: the server refused the password or SASL
 * login, every nickname tried was taken, or the connection closed first.
 *
 * @example Usage
 * ```ts
 * import { IRCSignOnError } from "@spindle/spindle/protocols/irc";
 * const error = new IRCSignOnError("SASL login refused (904): check the account and password");
 * console.assert(error.name === "IRCSignOnError");
 * ```
 */
export class IRCSignOnError extends Error {
  /** Creates the error with a message that says what happened and what to do. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "IRCSignOnError";
  }
}

/**
 * A client read so slowly that more than the server's send queue limit
 * waited to be sent to it: the server dropped it ("SendQ exceeded") so that
 * nobody else waits for it.
 *
 * @example Usage
 * ```ts
 * import { IRCSendQueueExceededError } from "@spindle/spindle/protocols/irc";
 * const error = new IRCSendQueueExceededError(1048576);
 * console.assert(error.message.startsWith("SendQ exceeded"));
 * ```
 */
export class IRCSendQueueExceededError extends Error {
  /** Creates the error for a send queue of `limit` bytes. */
  constructor(limit: number) {
    super(
      `SendQ exceeded: more than ${limit} bytes waited to be sent to this client, which reads too slowly; it must read faster (or the server raise maxSendQueue)`,
    );
    this.name = "IRCSendQueueExceededError";
  }
}
