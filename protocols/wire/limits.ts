/**
 * The limits of the small inetd services, each with the RFC it comes from.
 *
 * @module
 */

/**
 * The longest quote QOTD sends, in bytes: "the quote should be limited to
 * the ASCII printing characters, space, carriage return, and line feed; the
 * message may be limited to 512 characters" (RFC 865).
 *
 * @example Usage
 * ```ts
 * import { MAX_QUOTE_LENGTH } from "@spindle/spindle/protocols/wire";
 * console.assert(MAX_QUOTE_LENGTH === 512);
 * ```
 */
export const MAX_QUOTE_LENGTH = 512;

/**
 * The most characters a chargen reply datagram holds: a random number
 * between 0 and 512 (RFC 864, UDP based character generator service).
 *
 * @example Usage
 * ```ts
 * import { MAX_CHARGEN_DATAGRAM } from "@spindle/spindle/protocols/wire";
 * console.assert(MAX_CHARGEN_DATAGRAM === 512);
 * ```
 */
export const MAX_CHARGEN_DATAGRAM = 512;
