/**
 * Errors of HTTP/2: wire errors that end the connection
 * ({@linkcode H2ConnectionError}, sent as GOAWAY) or one stream
 * ({@linkcode H2StreamError}, sent as RST_STREAM), and what the peer reported
 * ({@linkcode H2StreamResetError}, {@linkcode H2GoAwayError}).
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";
import { ErrorCode, errorCodeName } from "./constants.ts";

/**
 * The peer broke HTTP/2 in a way that ends the connection (RFC 9113 §5.4.1):
 * the server or client sends GOAWAY with `code` and closes.
 *
 * @example Usage
 * ```ts
 * import { ErrorCode, H2ConnectionError } from "@spindle/spindle/protocols/http2";
 * const error = new H2ConnectionError(ErrorCode.PROTOCOL_ERROR, "a DATA frame on stream 0");
 * console.assert(error.code === 1);
 * ```
 */
export class H2ConnectionError extends ProtocolError {
  /** The error code sent in GOAWAY. */
  readonly code: number;
  /** Creates the error with the GOAWAY code and a message that says what happened. */
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(`${message} (${errorCodeName(code)})`, options);
    this.code = code;
  }
}

/**
 * A header block could not be decoded (RFC 7541): the compression state is
 * lost, so the connection ends with COMPRESSION_ERROR (RFC 9113 §4.3).
 *
 * @example Usage
 * ```ts
 * import { HPACKDecodingError } from "@spindle/spindle/protocols/http2";
 * const error = new HPACKDecodingError("an index past the dynamic table");
 * console.assert(error.code === 0x9);
 * ```
 */
export class HPACKDecodingError extends H2ConnectionError {
  /** Creates the error with a message that says what was wrong in the block. */
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.COMPRESSION_ERROR, message, options);
  }
}

/**
 * A header list is larger than the receiver's limit
 * (`SETTINGS_MAX_HEADER_LIST_SIZE`, RFC 9113 §6.5.2). Decoding stops at the
 * limit, so the compression state is lost and the connection ends with
 * ENHANCE_YOUR_CALM: this is how HPACK bombs and CONTINUATION floods end.
 *
 * @example Usage
 * ```ts
 * import { HeaderListTooLargeError } from "@spindle/spindle/protocols/http2";
 * const error = new HeaderListTooLargeError(16384);
 * console.assert(error.limit === 16384 && error.code === 0xb);
 * ```
 */
export class HeaderListTooLargeError extends H2ConnectionError {
  /** The limit in bytes (names, values and 32 per field, RFC 7541 §4.1). */
  readonly limit: number;
  /** Creates the error for `limit`. */
  constructor(limit: number) {
    super(
      ErrorCode.ENHANCE_YOUR_CALM,
      `a header list is over ${limit} bytes (maxHeaderListSize): send fewer or shorter fields`,
    );
    this.limit = limit;
  }
}

/**
 * The peer broke HTTP/2 in one stream only (RFC 9113 §5.4.2): that stream is
 * reset with `code` and the connection goes on. Malformed requests (bad
 * pseudo-headers, a `content-length` the body does not match) end this way,
 * with PROTOCOL_ERROR (§8.1.1).
 *
 * @example Usage
 * ```ts
 * import { ErrorCode, H2StreamError } from "@spindle/spindle/protocols/http2";
 * const error = new H2StreamError(ErrorCode.PROTOCOL_ERROR, 1, "no :path");
 * console.assert(error.streamId === 1);
 * ```
 */
export class H2StreamError extends ProtocolError {
  /** The error code sent in RST_STREAM. */
  readonly code: number;
  /** The stream. */
  readonly streamId: number;
  /** Creates the error for `streamId` with the RST_STREAM code and a message. */
  constructor(
    code: number,
    streamId: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(
      `stream ${streamId}: ${message} (${errorCodeName(code)})`,
      options,
    );
    this.code = code;
    this.streamId = streamId;
  }
}

/**
 * The peer reset a stream (RST_STREAM) before it was complete: a body being
 * read or written fails with it.
 *
 * @example Usage
 * ```ts
 * import { H2StreamResetError } from "@spindle/spindle/protocols/http2";
 * const error = new H2StreamResetError(8);
 * console.assert(error.code === 8);
 * ```
 */
export class H2StreamResetError extends Error {
  /** The error code the peer sent. */
  readonly code: number;
  /** Creates the error for the code the peer sent. */
  constructor(code: number) {
    super(
      `the peer reset the stream with ${
        errorCodeName(code)
      }: the exchange did not complete`,
    );
    this.name = "H2StreamResetError";
    this.code = code;
  }
}

/**
 * The peer sent GOAWAY: streams it did not process fail with this error (and
 * may be retried on a new connection).
 *
 * @example Usage
 * ```ts
 * import { H2GoAwayError } from "@spindle/spindle/protocols/http2";
 * const error = new H2GoAwayError(0, 7);
 * console.assert(error.lastStreamId === 7);
 * ```
 */
export class H2GoAwayError extends Error {
  /** The error code the peer sent. */
  readonly code: number;
  /** The last stream the peer may have processed. */
  readonly lastStreamId: number;
  /** Creates the error from the GOAWAY frame's fields. */
  constructor(code: number, lastStreamId: number) {
    super(
      `the peer sent GOAWAY (${
        errorCodeName(code)
      }, last stream ${lastStreamId}): open a new connection for further requests`,
    );
    this.name = "H2GoAwayError";
    this.code = code;
    this.lastStreamId = lastStreamId;
  }
}

/**
 * A stream waited longer than `stallTimeout` ms for the peer to open its flow
 * control window: the peer is not reading (a zero-window stall), so the
 * connection ends with ENHANCE_YOUR_CALM.
 *
 * @example Usage
 * ```ts
 * import { FlowControlStallError } from "@spindle/spindle/protocols/http2";
 * const error = new FlowControlStallError(30000);
 * console.assert(error.timeout === 30000);
 * ```
 */
export class FlowControlStallError extends H2ConnectionError {
  /** The timeout in milliseconds. */
  readonly timeout: number;
  /** Creates the error for `timeout` ms. */
  constructor(timeout: number) {
    super(
      ErrorCode.ENHANCE_YOUR_CALM,
      `the peer left a flow-control window closed for ${timeout} ms (stallTimeout): read the responses or send WINDOW_UPDATE`,
    );
    this.timeout = timeout;
  }
}
