/**
 * The errors of WebSocket: a peer that breaks the protocol
 * ({@linkcode WebSocketProtocolError} and its kinds, each with the close code
 * sent), a bad opening handshake on either side.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";
import { CloseCode, WEBSOCKET_VERSION } from "./constants.ts";

/**
 * The peer broke RFC 6455: the connection is closed with `code` (1002 unless
 * a subclass says otherwise) before the TCP close.
 *
 * @example Usage
 * ```ts
 * import { WebSocketProtocolError } from "@spindle/spindle/protocols/websocket";
 * const error = new WebSocketProtocolError("an unmasked frame from a client");
 * console.assert(error.code === 1002);
 * ```
 */
export class WebSocketProtocolError extends ProtocolError {
  /** The close code sent to the peer. */
  readonly code: number;

  /** Creates the error; `code` is the close code to send (default 1002). */
  constructor(
    message: string,
    options: ErrorOptions & { code?: number } = {},
  ) {
    super(message, options);
    this.code = options.code ?? CloseCode.PROTOCOL_ERROR;
  }
}

/**
 * A frame or message is larger than `maxMessageSize`: closed with 1009.
 *
 * @example Usage
 * ```ts
 * import { MessageTooBigError } from "@spindle/spindle/protocols/websocket";
 * const error = new MessageTooBigError(2048, 1024);
 * console.assert(error.code === 1009);
 * ```
 */
export class MessageTooBigError extends WebSocketProtocolError {
  /** Creates the error for a message of at least `size` bytes over `limit`. */
  constructor(size: number, limit: number) {
    super(
      `a WebSocket message of at least ${size} bytes is over the limit of ${limit} bytes (maxMessageSize): the peer must send smaller messages, or raise the limit`,
      { code: CloseCode.MESSAGE_TOO_BIG },
    );
  }
}

/**
 * A text message (or a close reason) is not UTF-8, or a compressed message
 * does not inflate: closed with 1007.
 *
 * @example Usage
 * ```ts
 * import { InvalidPayloadError } from "@spindle/spindle/protocols/websocket";
 * const error = new InvalidPayloadError("a text message is not valid UTF-8");
 * console.assert(error.code === 1007);
 * ```
 */
export class InvalidPayloadError extends WebSocketProtocolError {
  /** Creates the error with a message that says what was wrong. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: CloseCode.INVALID_PAYLOAD });
  }
}

/**
 * A request cannot be upgraded to a WebSocket: `upgradeWebSocket` throws it
 * (as `Deno.upgradeWebSocket` throws), with the status to answer (400, or
 * 426 for a version other than 13) and the headers to send with it;
 * `response()` builds that answer.
 *
 * @example Usage
 * ```ts
 * import { WebSocketHandshakeError } from "@spindle/spindle/protocols/websocket";
 * const error = new WebSocketHandshakeError(400, "no Sec-WebSocket-Key header");
 * console.assert(error.response().status === 400);
 * ```
 */
export class WebSocketHandshakeError extends ProtocolError {
  /** The HTTP status to answer. */
  readonly status: number;
  /** Headers to send with that answer (`Sec-WebSocket-Version: 13` with 426). */
  readonly headers: Headers;

  /** Creates the error for `status`, saying what was wrong with the request. */
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
    this.headers = new Headers(
      status === 426 ? { "sec-websocket-version": WEBSOCKET_VERSION } : {},
    );
  }

  /** The answer to send instead of the upgrade: the status, its headers and the message. */
  response(): Response {
    return new Response(`${this.message}\n`, {
      status: this.status,
      headers: this.headers,
    });
  }
}

/**
 * A client's opening handshake failed: the server did not answer 101 with a
 * valid `Sec-WebSocket-Accept`, chose a subprotocol or extension that was not
 * offered, or closed first. `status` is the server's status, when it sent one.
 *
 * @example Usage
 * ```ts
 * import { WebSocketConnectError } from "@spindle/spindle/protocols/websocket";
 * const error = new WebSocketConnectError("the server answered 404", { status: 404 });
 * console.assert(error.status === 404);
 * ```
 */
export class WebSocketConnectError extends ProtocolError {
  /** The server's HTTP status, or `null` when it sent none. */
  readonly status: number | null;

  /** Creates the error with a message that says what the server did. */
  constructor(
    message: string,
    options: ErrorOptions & { status?: number } = {},
  ) {
    super(message, options);
    this.status = options.status ?? null;
  }
}
