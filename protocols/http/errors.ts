/**
 * Errors raised by the HTTP cores, server and client: wire errors
 * ({@linkcode HTTPParseError}, a `ProtocolError`), timeouts
 * ({@linkcode HTTPTimeoutError}) and the client's own.
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
 * The base of the HTTP timeouts: a peer went quiet for longer than a limit
 * allows. A timeout is not a parse error: nothing malformed arrived.
 *
 * @example Usage
 * ```ts
 * import { HTTPTimeoutError, ResponseTimeoutError } from "@spindle/spindle/protocols/http";
 * console.assert(new ResponseTimeoutError(5000) instanceof HTTPTimeoutError);
 * ```
 */
export class HTTPTimeoutError extends Error {
  /** The timeout that expired, in milliseconds. */
  readonly timeout: number;
  /** Creates the error for a timeout of `timeout` ms, with a message that says what to do. */
  constructor(message: string, timeout: number, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.timeout = timeout;
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
 * const error = new BodyTimeoutError(30_000);
 * console.assert(error.status === 408 && error.timeout === 30_000);
 * ```
 */
export class BodyTimeoutError extends HTTPTimeoutError {
  /** The status code a server answers with: 408. */
  readonly status = 408;
  /** Creates the error for a `bodyTimeout` of `timeout` ms. */
  constructor(timeout: number, options?: ErrorOptions) {
    super(
      `the request body stalled: no bytes for ${timeout} ms (bodyTimeout); raise bodyTimeout if clients may be that slow`,
      timeout,
      options,
    );
  }
}

/**
 * A handler took longer than the server's `handlerTimeout` to return its
 * response. The client gets 503, `request.signal` is aborted, and a request
 * body the handler is still reading fails with this error.
 *
 * @example Usage
 * ```ts
 * import { HandlerTimeoutError } from "@spindle/spindle/protocols/http";
 * const error = new HandlerTimeoutError(10_000);
 * console.assert(error.status === 503 && error.timeout === 10_000);
 * ```
 */
export class HandlerTimeoutError extends HTTPTimeoutError {
  /** The status code a server answers with: 503. */
  readonly status = 503;
  /** Creates the error for a `handlerTimeout` of `timeout` ms. */
  constructor(timeout: number, options?: ErrorOptions) {
    super(
      `the handler did not return a response within ${timeout} ms (handlerTimeout): make it answer sooner, or raise handlerTimeout`,
      timeout,
      options,
    );
  }
}

/**
 * The response head did not arrive within the agent's `responseTimeout`.
 *
 * @example Usage
 * ```ts
 * import { ResponseTimeoutError } from "@spindle/spindle/protocols/http";
 * console.assert(new ResponseTimeoutError(5000).timeout === 5000);
 * ```
 */
export class ResponseTimeoutError extends HTTPTimeoutError {
  /** Creates the error for a `responseTimeout` of `timeout` ms. */
  constructor(timeout: number, options?: ErrorOptions) {
    super(
      `no response head within ${timeout} ms: the server is slow or stuck; raise responseTimeout if it is expected`,
      timeout,
      options,
    );
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
    this.name = new.target.name;
  }
}

/**
 * A proxy refused to open a `CONNECT` tunnel for an `https:` request (it
 * answered with a status other than 2xx, such as 403 or 407).
 *
 * @example Usage
 * ```ts
 * import { ProxyTunnelError } from "@spindle/spindle/protocols/http";
 * const error = new ProxyTunnelError("127.0.0.1:3128", "example.com:443", 403);
 * console.assert(error.status === 403);
 * ```
 */
export class ProxyTunnelError extends Error {
  /** The status the proxy answered the `CONNECT` with. */
  readonly status: number;
  /** Creates the error for `proxy` refusing a tunnel to `authority` with `status`. */
  constructor(
    proxy: string,
    authority: string,
    status: number,
    options?: ErrorOptions,
  ) {
    super(
      `the proxy ${proxy} refused a tunnel to ${authority} (status ${status}): check that the proxy allows CONNECT to that port and its credentials (proxy option, HTTPS_PROXY)`,
      options,
    );
    this.name = new.target.name;
    this.status = status;
  }
}
