/**
 * The errors of the IMAP codec, server and client: malformed or oversized
 * input ({@linkcode IMAPParseError}, a `ProtocolError`), a literal over the
 * limit ({@linkcode IMAPLiteralTooLargeError}), and a command the server
 * refused ({@linkcode IMAPCommandError}).
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * Bytes that are not IMAP, or that break a parser limit (line length, list
 * depth, item count). A server answers such a command with a tagged BAD; a
 * client fails the commands in flight and closes.
 *
 * @example Usage
 * ```ts
 * import { IMAPParseError } from "@spindle/spindle/protocols/imap";
 * const error = new IMAPParseError("the line has an unclosed '(': close the list");
 * console.assert(error.name === "IMAPParseError");
 * ```
 */
export class IMAPParseError extends ProtocolError {}

/**
 * A literal announced larger than the limit (`maxLiteralSize`): refused
 * before it is read.
 *
 * @example Usage
 * ```ts
 * import { IMAPLiteralTooLargeError } from "@spindle/spindle/protocols/imap";
 * const error = new IMAPLiteralTooLargeError(1 << 30, 1 << 20);
 * console.assert(error.size === 1 << 30);
 * ```
 */
export class IMAPLiteralTooLargeError extends ProtocolError {
  /** The announced size. */
  readonly size: number;
  /** Creates the error for a literal of `size` bytes over `limit`. */
  constructor(size: number, limit: number) {
    super(
      `a literal of ${size} bytes is over the limit of ${limit} (maxLiteralSize): send less, or raise the limit`,
    );
    this.size = size;
  }
}

/**
 * The server answered a command with NO or BAD (or BYE): `status` says
 * which, `code` is the response code in brackets (`TRYCREATE`,
 * `AUTHENTICATIONFAILED`), if any, and the message carries the server's text.
 *
 * @example Usage
 * ```ts
 * import { IMAPCommandError } from "@spindle/spindle/protocols/imap";
 * const error = new IMAPCommandError("SELECT", "NO", "NONEXISTENT", "no such mailbox");
 * console.assert(error.code === "NONEXISTENT" && error.status === "NO");
 * ```
 */
export class IMAPCommandError extends Error {
  /** The command that failed. */
  readonly command: string;
  /** `NO` (refused), `BAD` (not understood) or `BYE` (the server is leaving). */
  readonly status: "NO" | "BAD" | "BYE";
  /** The response code's name (`TRYCREATE`), or undefined. */
  readonly code: string | undefined;
  /** The server's own words. */
  readonly text: string;
  /** Creates the error for `command`'s answer. */
  constructor(
    command: string,
    status: "NO" | "BAD" | "BYE",
    code: string | undefined,
    text: string,
  ) {
    super(
      `the IMAP server answered ${command} with ${status}${
        code === undefined ? "" : ` [${code}]`
      }: ${text}`,
    );
    this.name = "IMAPCommandError";
    this.command = command;
    this.status = status;
    this.code = code;
    this.text = text;
  }
}

/**
 * The connection to the IMAP server ended while commands were in flight, or
 * before a command could be sent.
 *
 * @example Usage
 * ```ts
 * import { IMAPConnectionClosedError } from "@spindle/spindle/protocols/imap";
 * console.assert(new IMAPConnectionClosedError().name === "IMAPConnectionClosedError");
 * ```
 */
export class IMAPConnectionClosedError extends Error {
  /** Creates the error; `cause` says why the connection ended, when known. */
  constructor(options?: ErrorOptions) {
    super(
      "the IMAP connection is closed: connect again to send more commands",
      options,
    );
    this.name = "IMAPConnectionClosedError";
  }
}

/**
 * A body from `IMAPClient.fetchBodies` was left unread: the next
 * body was asked for (or the loop left) before it was read to its end, so
 * the rest of it went by unread.
 *
 * @example Usage
 * ```ts
 * import { IMAPBodyNotReadError } from "@spindle/spindle/protocols/imap";
 * console.assert(new IMAPBodyNotReadError().name === "IMAPBodyNotReadError");
 * ```
 */
export class IMAPBodyNotReadError extends Error {
  /** Creates the error. */
  constructor() {
    super(
      "a fetched body was left unread before the next was asked for: read each body (or cancel it) before taking the next",
    );
    this.name = "IMAPBodyNotReadError";
  }
}
