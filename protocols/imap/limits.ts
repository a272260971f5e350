/**
 * Every size and count limit of the IMAP command and response parsers and of
 * the server, each defined once with the reason it has. The option types of
 * the server and client extend {@linkcode IMAPLimits}.
 *
 * @module
 */

/**
 * The longest command or response line, in bytes, not counting literals.
 * RFC 7162 §4 asks clients to keep command lines under 8192 octets and
 * servers to accept at least that; 64 KiB leaves room for long UID sets.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_LINE_LENGTH } from "@spindle/spindle/protocols/imap";
 * console.assert(DEFAULT_MAX_LINE_LENGTH === 65_536);
 * ```
 */
export const DEFAULT_MAX_LINE_LENGTH = 65_536;

/**
 * The largest literal a server accepts from a client (an APPENDed message,
 * a search string), in bytes: the SMTP side's default message size limit
 * (25 MiB), so whatever SMTP accepted can be appended elsewhere. A larger
 * synchronising literal is refused before a byte of it is sent.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_LITERAL_SIZE } from "@spindle/spindle/protocols/imap";
 * console.assert(DEFAULT_MAX_LITERAL_SIZE === 25 * 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_LITERAL_SIZE = 25 * 1024 * 1024;

/**
 * The largest literal the client accepts in a response (a fetched message),
 * in bytes. Responses hold whole messages, so it is larger than what a
 * server accepts.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_RESPONSE_LITERAL_SIZE } from "@spindle/spindle/protocols/imap";
 * console.assert(DEFAULT_MAX_RESPONSE_LITERAL_SIZE === 64 * 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_RESPONSE_LITERAL_SIZE = 64 * 1024 * 1024;

/**
 * The deepest nesting of parenthesised lists in one command or response.
 * The deepest list IMAP itself needs is a BODYSTRUCTURE of nested
 * multiparts; 32 levels is deeper than any real message needs, and keeps a
 * `((((...` line from costing recursion.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_DEPTH } from "@spindle/spindle/protocols/imap";
 * console.assert(DEFAULT_MAX_DEPTH === 32);
 * ```
 */
export const DEFAULT_MAX_DEPTH = 32;

/**
 * The most items (atoms, strings, lists) in one command or response, all
 * lists counted together, so one line cannot make a parser build a huge tree.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_ITEMS } from "@spindle/spindle/protocols/imap";
 * console.assert(DEFAULT_MAX_ITEMS === 10_000);
 * ```
 */
export const DEFAULT_MAX_ITEMS = 10_000;

/**
 * How many bad commands in a row a server takes before it says BYE and
 * closes: a client that keeps sending nonsense is not an IMAP client.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_BAD_COMMANDS } from "@spindle/spindle/protocols/imap";
 * console.assert(DEFAULT_MAX_BAD_COMMANDS === 10);
 * ```
 */
export const DEFAULT_MAX_BAD_COMMANDS = 10;

/**
 * The limits of an IMAP parser; the server's and client's options extend it.
 *
 * @example Usage
 * ```ts
 * import type { IMAPLimits } from "@spindle/spindle/protocols/imap";
 * const limits: IMAPLimits = { maxLineLength: 8192, maxLiteralSize: 1 << 20 };
 * console.assert(limits.maxDepth === undefined);
 * ```
 */
export interface IMAPLimits {
  /** The longest line, literals not counted (default {@linkcode DEFAULT_MAX_LINE_LENGTH}). */
  maxLineLength?: number;
  /**
   * The largest literal (default {@linkcode DEFAULT_MAX_LITERAL_SIZE} for the
   * server, {@linkcode DEFAULT_MAX_RESPONSE_LITERAL_SIZE} for the client).
   */
  maxLiteralSize?: number;
  /** The deepest list nesting (default {@linkcode DEFAULT_MAX_DEPTH}). */
  maxDepth?: number;
  /** The most items in one command or response (default {@linkcode DEFAULT_MAX_ITEMS}). */
  maxItems?: number;
}
