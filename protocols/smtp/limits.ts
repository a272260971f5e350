/**
 * The limits of Spindle's SMTP server and client, each with where it comes
 * from.
 *
 * @module
 */

/**
 * The longest command line the server takes, CRLF included: RFC 5321
 * §4.5.3.1.6's text line (1000 octets), which also covers §4.5.3.1.4's
 * 512-octet command line with room for the extensions' parameters. A longer
 * line is answered with `500 5.5.2` and skipped; the session goes on.
 *
 * @example Usage
 * ```ts
 * import { MAX_LINE_LENGTH } from "@spindle/spindle/protocols/smtp";
 * console.assert(MAX_LINE_LENGTH === 1000);
 * ```
 */
export const MAX_LINE_LENGTH = 1000;

/**
 * The largest message accepted by default, in bytes (25 MiB, a common
 * provider limit), advertised as `SIZE` in the EHLO reply. A larger one,
 * declared (`SIZE=`) or not, gets `552 5.3.4` and nothing is delivered.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_MESSAGE_SIZE } from "@spindle/spindle/protocols/smtp";
 * console.assert(DEFAULT_MAX_MESSAGE_SIZE === 25 * 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 25 * 1024 * 1024;

/**
 * Recipients of one message by default: RFC 5321 §4.5.3.1.8 asks servers to
 * take at least 100. The next one gets `452 4.5.3`.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_RECIPIENTS } from "@spindle/spindle/protocols/smtp";
 * console.assert(DEFAULT_MAX_RECIPIENTS === 100);
 * ```
 */
export const DEFAULT_MAX_RECIPIENTS = 100;

/**
 * Error replies in a row after which the server answers `421 4.7.0` and
 * closes: a client that only sends garbage (or an HTTP request) is not kept.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_ERRORS } from "@spindle/spindle/protocols/smtp";
 * console.assert(DEFAULT_MAX_ERRORS === 10);
 * ```
 */
export const DEFAULT_MAX_ERRORS = 10;

/**
 * Milliseconds the server waits for the client's next command or data (RFC
 * 5321 §4.5.3.2.7: at least 5 minutes), then answers `421 4.4.2` and closes.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_IDLE_TIMEOUT } from "@spindle/spindle/protocols/smtp";
 * console.assert(DEFAULT_IDLE_TIMEOUT === 300_000);
 * ```
 */
export const DEFAULT_IDLE_TIMEOUT = 5 * 60_000;

/**
 * The longest local part (RFC 5321 §4.5.3.1.1): 64 octets.
 *
 * @example Usage
 * ```ts
 * import { MAX_LOCAL_PART_LENGTH } from "@spindle/spindle/protocols/smtp";
 * console.assert(MAX_LOCAL_PART_LENGTH === 64);
 * ```
 */
export const MAX_LOCAL_PART_LENGTH = 64;

/**
 * The longest domain (RFC 5321 §4.5.3.1.2): 255 octets.
 *
 * @example Usage
 * ```ts
 * import { MAX_DOMAIN_LENGTH } from "@spindle/spindle/protocols/smtp";
 * console.assert(MAX_DOMAIN_LENGTH === 255);
 * ```
 */
export const MAX_DOMAIN_LENGTH = 255;

/**
 * The most lines of one reply the client reads (an EHLO reply has one per
 * extension, a dozen in practice); a server that sends more is broken or
 * hostile, and the client fails with `SMTPProtocolError`.
 *
 * @example Usage
 * ```ts
 * import { MAX_REPLY_LINES } from "@spindle/spindle/protocols/smtp";
 * console.assert(MAX_REPLY_LINES === 100);
 * ```
 */
export const MAX_REPLY_LINES = 100;

/**
 * Milliseconds the client waits for each reply by default (RFC 5321
 * §4.5.3.2 asks for minutes; 5 covers its longest, the reply to the final
 * dot, with room).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_REPLY_TIMEOUT } from "@spindle/spindle/protocols/smtp";
 * console.assert(DEFAULT_REPLY_TIMEOUT === 300_000);
 * ```
 */
export const DEFAULT_REPLY_TIMEOUT = 5 * 60_000;

/**
 * The limits of the server, each with its default above.
 *
 * @example Usage
 * ```ts
 * import type { SMTPLimits } from "@spindle/spindle/protocols/smtp";
 * const limits: SMTPLimits = { maxMessageSize: 10 * 1024 * 1024, maxRecipients: 50 };
 * console.assert(limits.maxRecipients === 50);
 * ```
 */
export interface SMTPLimits {
  /** Bytes of one message; default {@linkcode DEFAULT_MAX_MESSAGE_SIZE}. */
  maxMessageSize?: number;
  /** Recipients of one message; default {@linkcode DEFAULT_MAX_RECIPIENTS}. */
  maxRecipients?: number;
  /** Error replies in a row before closing; default {@linkcode DEFAULT_MAX_ERRORS}. */
  maxErrors?: number;
  /** Milliseconds of silence before closing; default {@linkcode DEFAULT_IDLE_TIMEOUT}. */
  idleTimeout?: number;
}
