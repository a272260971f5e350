/**
 * Errors raised by the HTTP parser, server and client.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * A peer sent an HTTP message that is malformed, ambiguous or over a limit.
 * `status` is the response a server sends before it closes the connection.
 *
 * @example Usage
 * ```ts
 * import { HTTPParseError } from "@spindle/spindle/protocols/http";
 * const error = new HTTPParseError(400, "the request line is malformed: send METHOD SP target SP HTTP/1.1");
 * console.assert(error.status === 400);
 * ```
 */
export class HTTPParseError extends ProtocolError {
  /** The status code a server answers with (400, 413, 431, 501 or 505). */
  readonly status: number;
  /** Creates the error with the status to answer with and a message. */
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/**
 * A request body stopped arriving: no bytes for `bodyTimeout` milliseconds
 * while the server was ready for more. The body stream fails with it, the
 * client gets 408 if no response has started, and the connection closes.
 *
 * @example Usage
 * ```ts
 * import { BodyTimeoutError } from "@spindle/spindle/protocols/http";
 * console.assert(new BodyTimeoutError("stalled").status === 408);
 * ```
 */
export class BodyTimeoutError extends HTTPParseError {
  /** Creates the error (status 408). */
  constructor(message: string, options?: ErrorOptions) {
    super(408, message, options);
  }
}

/**
 * The message's framing is ambiguous or broken in a way used for request
 * smuggling (`Content-Length` with `Transfer-Encoding`, differing lengths,
 * bad chunk sizes, obsolete line folding, bare CR...): answered with 400.
 *
 * @example Usage
 * ```ts
 * import { HTTPParseError, MalformedMessageError } from "@spindle/spindle/protocols/http";
 * const error = new MalformedMessageError("bare CR in a header line: end lines with CRLF");
 * console.assert(error instanceof HTTPParseError && error.status === 400);
 * ```
 */
export class MalformedMessageError extends HTTPParseError {
  /** Creates the error (status 400). */
  constructor(message: string, options?: ErrorOptions) {
    super(400, message, options);
  }
}

/**
 * The request line and header section were longer than `maxHeaderBytes`, or had
 * more than `maxHeaderCount` fields: answered with 431.
 *
 * @example Usage
 * ```ts
 * import { HeadersTooLargeError } from "@spindle/spindle/protocols/http";
 * console.assert(new HeadersTooLargeError("too big").status === 431);
 * ```
 */
export class HeadersTooLargeError extends HTTPParseError {
  /** Creates the error (status 431). */
  constructor(message: string, options?: ErrorOptions) {
    super(431, message, options);
  }
}

/**
 * The body was longer than `maxBodySize`: answered with 413.
 *
 * @example Usage
 * ```ts
 * import { BodyTooLargeError } from "@spindle/spindle/protocols/http";
 * console.assert(new BodyTooLargeError("too big").status === 413);
 * ```
 */
export class BodyTooLargeError extends HTTPParseError {
  /** Creates the error (status 413). */
  constructor(message: string, options?: ErrorOptions) {
    super(413, message, options);
  }
}

/**
 * A transfer coding other than `chunked` was used: answered with 501.
 *
 * @example Usage
 * ```ts
 * import { UnsupportedTransferCodingError } from "@spindle/spindle/protocols/http";
 * console.assert(new UnsupportedTransferCodingError("gzip").status === 501);
 * ```
 */
export class UnsupportedTransferCodingError extends HTTPParseError {
  /** Creates the error (status 501). */
  constructor(message: string, options?: ErrorOptions) {
    super(501, message, options);
  }
}

/**
 * The HTTP version is not 1.0 or 1.1: answered with 505.
 *
 * @example Usage
 * ```ts
 * import { UnsupportedVersionError } from "@spindle/spindle/protocols/http";
 * console.assert(new UnsupportedVersionError("HTTP/2.0").status === 505);
 * ```
 */
export class UnsupportedVersionError extends HTTPParseError {
  /** Creates the error (status 505). */
  constructor(message: string, options?: ErrorOptions) {
    super(505, message, options);
  }
}

/**
 * The input ended in the middle of a message (the peer closed too early).
 *
 * @example Usage
 * ```ts
 * import { IncompleteMessageError } from "@spindle/spindle/protocols/http";
 * console.assert(new IncompleteMessageError("ended in a body").status === 400);
 * ```
 */
export class IncompleteMessageError extends HTTPParseError {
  /** Creates the error (status 400). */
  constructor(message: string, options?: ErrorOptions) {
    super(400, message, options);
  }
}

/**
 * The client followed more redirects than its `maxRedirects`.
 *
 * @example Usage
 * ```ts
 * import { RedirectLimitError } from "@spindle/spindle/protocols/http";
 * console.assert(new RedirectLimitError("too many").name === "RedirectLimitError");
 * ```
 */
export class RedirectLimitError extends Error {
  /** Creates the error with a message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RedirectLimitError";
  }
}
