/**
 * WebSocket wire constants (RFC 6455): opcodes, close codes, the handshake's
 * GUID and version.
 *
 * @module
 */

/**
 * The frame opcodes of RFC 6455 §5.2.
 *
 * @example Usage
 * ```ts
 * import { Opcode } from "@spindle/spindle/protocols/websocket";
 * console.assert(Opcode.TEXT === 1 && Opcode.CLOSE === 8);
 * ```
 */
export const Opcode = {
  /** A later fragment of a message. */
  CONTINUATION: 0x0,
  /** The first frame of a text message. */
  TEXT: 0x1,
  /** The first frame of a binary message. */
  BINARY: 0x2,
  /** The closing handshake. */
  CLOSE: 0x8,
  /** A ping, answered by a pong with its payload. */
  PING: 0x9,
  /** A pong. */
  PONG: 0xa,
} as const;

/**
 * The close codes Spindle sends or names (RFC 6455 §7.4.1).
 *
 * @example Usage
 * ```ts
 * import { CloseCode } from "@spindle/spindle/protocols/websocket";
 * console.assert(CloseCode.MESSAGE_TOO_BIG === 1009);
 * ```
 */
export const CloseCode = {
  /** The purpose was fulfilled. */
  NORMAL: 1000,
  /** The endpoint goes away (server shutdown, no answer to a ping). */
  GOING_AWAY: 1001,
  /** The peer broke the protocol. */
  PROTOCOL_ERROR: 1002,
  /** A message of a type the endpoint cannot take. */
  UNSUPPORTED_DATA: 1003,
  /** Reported when a Close frame had no code (never sent). */
  NO_STATUS: 1005,
  /** Reported when the connection closed without a Close frame (never sent). */
  ABNORMAL: 1006,
  /** A text message that is not UTF-8, or a compressed one that does not inflate. */
  INVALID_PAYLOAD: 1007,
  /** A message that breaks the endpoint's policy. */
  POLICY_VIOLATION: 1008,
  /** A frame or message over the endpoint's limit. */
  MESSAGE_TOO_BIG: 1009,
  /** The client needed an extension the server did not agree to. */
  MANDATORY_EXTENSION: 1010,
  /** The server met an unexpected condition. */
  INTERNAL_ERROR: 1011,
} as const;

/**
 * The GUID appended to `Sec-WebSocket-Key` to make `Sec-WebSocket-Accept`
 * (RFC 6455 §1.3).
 *
 * @example Usage
 * ```ts
 * import { WEBSOCKET_GUID } from "@spindle/spindle/protocols/websocket";
 * console.assert(WEBSOCKET_GUID.length === 36);
 * ```
 */
export const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * The only protocol version RFC 6455 defines, as `Sec-WebSocket-Version` says it.
 *
 * @example Usage
 * ```ts
 * import { WEBSOCKET_VERSION } from "@spindle/spindle/protocols/websocket";
 * console.assert(WEBSOCKET_VERSION === "13");
 * ```
 */
export const WEBSOCKET_VERSION = "13";

/**
 * The extension name of RFC 7692's per-message compression.
 *
 * @example Usage
 * ```ts
 * import { PERMESSAGE_DEFLATE } from "@spindle/spindle/protocols/websocket";
 * console.assert(PERMESSAGE_DEFLATE === "permessage-deflate");
 * ```
 */
export const PERMESSAGE_DEFLATE = "permessage-deflate";
