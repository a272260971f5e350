/**
 * The plain data WebSocket speaks: frames and messages.
 *
 * @module
 */

/**
 * One frame off the wire, unmasked (RFC 6455 §5.2).
 *
 * @example Usage
 * ```ts
 * import { type Frame, Opcode } from "@spindle/spindle/protocols/websocket";
 * const frame: Frame = {
 *   fin: true,
 *   rsv1: false,
 *   opcode: Opcode.TEXT,
 *   payload: new TextEncoder().encode("hi"),
 * };
 * console.assert(frame.payload.length === 2);
 * ```
 */
export interface Frame {
  /** The last frame of its message. */
  fin: boolean;
  /** RSV1: with permessage-deflate, the message is compressed (first frame only). */
  rsv1: boolean;
  /** The opcode (see `Opcode`). */
  opcode: number;
  /** The payload, unmasked; it belongs to whoever holds the frame. */
  payload: Uint8Array;
}

/**
 * A whole message: text as a string, binary as bytes.
 *
 * @example Usage
 * ```ts
 * import type { WebSocketMessage } from "@spindle/spindle/protocols/websocket";
 * const message: WebSocketMessage = "hello";
 * console.assert(typeof message === "string");
 * ```
 */
export type WebSocketMessage = string | Uint8Array;
