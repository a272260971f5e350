/**
 * The limits and timeouts of WebSocket, each default once with its reason.
 *
 * @module
 */

/**
 * The default largest message, in bytes, after reassembly and inflation:
 * 64 MiB, as `Deno.serve`'s WebSocket. A larger one closes the connection
 * with 1009 (message too big).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_MESSAGE_SIZE } from "@spindle/spindle/protocols/websocket";
 * console.assert(DEFAULT_MAX_MESSAGE_SIZE === 64 * 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

/**
 * The longest payload a control frame may carry, in bytes (RFC 6455 §5.5);
 * a Close frame's reason is at most this less its 2-byte code.
 *
 * @example Usage
 * ```ts
 * import { MAX_CONTROL_PAYLOAD } from "@spindle/spindle/protocols/websocket";
 * console.assert(MAX_CONTROL_PAYLOAD === 125);
 * ```
 */
export const MAX_CONTROL_PAYLOAD = 125;

/**
 * The default time the closing handshake may take, in milliseconds: after
 * sending a Close frame, the peer's Close (and, for a client, the server's
 * TCP close) is waited for this long before the connection is dropped.
 * 5 s, as browsers wait.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_CLOSE_TIMEOUT } from "@spindle/spindle/protocols/websocket";
 * console.assert(DEFAULT_CLOSE_TIMEOUT === 5_000);
 * ```
 */
export const DEFAULT_CLOSE_TIMEOUT = 5_000;

/**
 * The default `idleTimeout` of a server socket, in seconds as
 * `Deno.upgradeWebSocket` takes it (120): after that long without a frame
 * from the peer a ping goes out, and with no answer for as long again the
 * connection closes with 1001.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_IDLE_TIMEOUT } from "@spindle/spindle/protocols/websocket";
 * console.assert(DEFAULT_IDLE_TIMEOUT === 120);
 * ```
 */
export const DEFAULT_IDLE_TIMEOUT = 120;

/**
 * The longest HTTP response head a client reads in the opening handshake, in
 * bytes: 16 KiB, more than any real server sends for a 101.
 *
 * @example Usage
 * ```ts
 * import { MAX_HANDSHAKE_HEAD_BYTES } from "@spindle/spindle/protocols/websocket";
 * console.assert(MAX_HANDSHAKE_HEAD_BYTES === 16 * 1024);
 * ```
 */
export const MAX_HANDSHAKE_HEAD_BYTES = 16 * 1024;

/**
 * How many compressed bytes are inflated at a time (16 KiB): deflate expands
 * at most about 1032 to 1, so one step makes at most ~16 MiB before the
 * inflated size is checked against `maxMessageSize` again. This is what
 * stops a decompression bomb.
 *
 * @example Usage
 * ```ts
 * import { INFLATE_STEP_BYTES } from "@spindle/spindle/protocols/websocket";
 * console.assert(INFLATE_STEP_BYTES === 16 * 1024);
 * ```
 */
export const INFLATE_STEP_BYTES = 16 * 1024;

/**
 * The limits of one WebSocket connection.
 *
 * @example Usage
 * ```ts
 * import type { WebSocketLimits } from "@spindle/spindle/protocols/websocket";
 * const limits: WebSocketLimits = { maxMessageSize: 1024 * 1024 };
 * console.assert(limits.maxMessageSize === 1048576);
 * ```
 */
export interface WebSocketLimits {
  /**
   * The largest message in bytes, reassembled and inflated (a frame can be
   * no larger either); over it, the connection closes with 1009. Default
   * {@linkcode DEFAULT_MAX_MESSAGE_SIZE}.
   */
  maxMessageSize?: number;
  /**
   * The largest single frame in bytes; over it, the connection closes with
   * 1009 from the frame's header, before its payload is buffered. Default:
   * `maxMessageSize` (a fragmented message may still reach that in smaller
   * frames).
   */
  maxFrameSize?: number;
}
