/**
 * The errors of ident: malformed lines, and errors the server reported.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * A query or reply line that is not what RFC 1413 allows: the wrong
 * shape, a port out of range, ports that do not match the query, an
 * unknown error code or a user id with forbidden characters.
 *
 * @example Usage
 * ```ts
 * import { InvalidIdentLineError, parseIdentReply } from "@spindle/spindle/protocols/ident";
 * try {
 *   parseIdentReply("6193, 23 : USERID : UNIX");
 * } catch (error) {
 *   console.assert(error instanceof InvalidIdentLineError);
 * }
 * ```
 */
export class InvalidIdentLineError extends ProtocolError {
  /** Creates the error for `line` and what is wrong with it. */
  constructor(line: string, reason: string) {
    super(
      `The ident line ${
        JSON.stringify(line.slice(0, 80))
      } ${reason} (RFC 1413): the peer is not a conforming ident server or client`,
    );
  }
}

/**
 * The ident server answered with an `ERROR` reply (`NO-USER`,
 * `HIDDEN-USER`, `INVALID-PORT`, `UNKNOWN-ERROR` or its own `X...` code).
 *
 * @example Usage
 * ```ts
 * import { IdentServerError } from "@spindle/spindle/protocols/ident";
 * const error = new IdentServerError("NO-USER");
 * console.assert(error.code === "NO-USER");
 * ```
 */
export class IdentServerError extends Error {
  /** The error code the server sent. */
  readonly code: string;
  /** Creates the error for `code`. */
  constructor(code: string) {
    super(
      `The ident server answered ERROR ${code}: it will not or cannot name the owner of that connection`,
    );
    this.name = "IdentServerError";
    this.code = code;
  }
}
