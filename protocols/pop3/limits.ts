/**
 * The limits of Spindle's POP3 server, each with where it comes from.
 *
 * @module
 */

/**
 * The longest command line, CRLF excluded: RFC 2449 §4 allows 255 octets
 * with CRLF; a SASL response line may be longer (RFC 5034 §4: 255 is a
 * minimum), so 1000 as for SMTP. A longer line ends the session.
 *
 * @example Usage
 * ```ts
 * import { MAX_COMMAND_LENGTH } from "@spindle/spindle/protocols/pop3";
 * console.assert(MAX_COMMAND_LENGTH === 1000);
 * ```
 */
export const MAX_COMMAND_LENGTH = 1000;

/**
 * Milliseconds of silence before the server closes a session: RFC 1939 §3's
 * autologout timer, at least 10 minutes. Deletions are not applied then.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_POP3_IDLE_TIMEOUT } from "@spindle/spindle/protocols/pop3";
 * console.assert(DEFAULT_POP3_IDLE_TIMEOUT === 600_000);
 * ```
 */
export const DEFAULT_POP3_IDLE_TIMEOUT = 10 * 60_000;

/**
 * Error replies in a row after which the session is closed.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_POP3_MAX_ERRORS } from "@spindle/spindle/protocols/pop3";
 * console.assert(DEFAULT_POP3_MAX_ERRORS === 10);
 * ```
 */
export const DEFAULT_POP3_MAX_ERRORS = 10;

/**
 * The limits of the POP3 server.
 *
 * @example Usage
 * ```ts
 * import type { POP3Limits } from "@spindle/spindle/protocols/pop3";
 * const limits: POP3Limits = { idleTimeout: 60_000 };
 * console.assert(limits.idleTimeout === 60_000);
 * ```
 */
export interface POP3Limits {
  /** Milliseconds of silence before closing; default {@linkcode DEFAULT_POP3_IDLE_TIMEOUT}. */
  idleTimeout?: number;
  /** Error replies in a row before closing; default {@linkcode DEFAULT_POP3_MAX_ERRORS}. */
  maxErrors?: number;
}
