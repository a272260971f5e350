/**
 * The limits of the Telnet codec, each with its reason.
 *
 * @module
 */

/**
 * The longest subnegotiation (`IAC SB ... IAC SE`) read, in bytes: a
 * terminal type is at most 40 characters (RFC 1091), a window size 4 bytes.
 *
 * @example Usage
 * ```ts
 * import { MAX_SUBNEGOTIATION } from "@spindle/spindle/protocols/telnet";
 * console.assert(MAX_SUBNEGOTIATION === 512);
 * ```
 */
export const MAX_SUBNEGOTIATION = 512;

/**
 * The longest line the line editor holds, in characters.
 *
 * @example Usage
 * ```ts
 * import { MAX_EDITED_LINE } from "@spindle/spindle/protocols/telnet";
 * console.assert(MAX_EDITED_LINE === 4096);
 * ```
 */
export const MAX_EDITED_LINE = 4096;

/**
 * How many lines the line editor remembers for its history.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_HISTORY_SIZE } from "@spindle/spindle/protocols/telnet";
 * console.assert(DEFAULT_HISTORY_SIZE === 100);
 * ```
 */
export const DEFAULT_HISTORY_SIZE = 100;
