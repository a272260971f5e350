/**
 * The limits of the basic framings, each default stated once with its
 * reason. The framings' option types extend these limit types.
 *
 * @module
 */

/**
 * The default longest line, in bytes without the delimiter, of the line
 * decoders and `LineReceiver`: 16 KiB, as Twisted's `LineReceiver.MAX_LENGTH`,
 * well above the longest line of the line protocols (SMTP's 1000 octets,
 * RFC 5321 §4.5.3.1.6; IRC's 512, RFC 2812 §2.3).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_LINE_LENGTH } from "@spindle/spindle/protocols/basic";
 * console.assert(DEFAULT_MAX_LINE_LENGTH === 16384);
 * ```
 */
export const DEFAULT_MAX_LINE_LENGTH = 16384;

/**
 * The default longest netstring or length-prefixed payload of the decoders,
 * encoders and codecs, in bytes: 1 MiB, enough for any message a protocol
 * frames whole while bounding what one peer can make a connection buffer
 * (no standard gives a figure).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_FRAME_LENGTH } from "@spindle/spindle/protocols/basic";
 * console.assert(DEFAULT_MAX_FRAME_LENGTH === 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_FRAME_LENGTH: number = 1024 * 1024;

/**
 * The default `MAX_LENGTH` of `NetstringReceiver` and the `Int*StringReceiver`s,
 * in bytes: 99999, Twisted's own default, so a port of a Twisted protocol
 * accepts exactly what the original did.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_STRING_LENGTH } from "@spindle/spindle/protocols/basic";
 * console.assert(DEFAULT_MAX_STRING_LENGTH === 99999);
 * ```
 */
export const DEFAULT_MAX_STRING_LENGTH = 99999;

/**
 * The limit of a line framing.
 *
 * @example Usage
 * ```ts
 * import type { LineLimits } from "@spindle/spindle/protocols/basic";
 * const limits: LineLimits = { maxLength: 1000 };
 * console.assert(limits.maxLength === 1000);
 * ```
 */
export interface LineLimits {
  /**
   * The longest line accepted, in bytes without the delimiter, default
   * {@linkcode DEFAULT_MAX_LINE_LENGTH}. A longer line raises
   * `LineTooLongError` as soon as it is sure to be too long, so a peer cannot
   * make the decoder buffer more than this.
   */
  maxLength?: number;
}

/**
 * The limit of a netstring or length-prefixed framing.
 *
 * @example Usage
 * ```ts
 * import type { FrameLimits } from "@spindle/spindle/protocols/basic";
 * const limits: FrameLimits = { maxLength: 65536 };
 * console.assert(limits.maxLength === 65536);
 * ```
 */
export interface FrameLimits {
  /**
   * The longest payload accepted or sent, in bytes: default
   * {@linkcode DEFAULT_MAX_FRAME_LENGTH}, or less when the framing cannot
   * express that much (a 1 or 2-byte length prefix). A longer announced
   * length raises `FrameTooLongError` before any payload is buffered.
   */
  maxLength?: number;
}
