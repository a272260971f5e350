/**
 * The limits of the FTP server and client, each with its reason.
 *
 * @module
 */

/**
 * The longest command line the server reads, in bytes: a command and a
 * path of 4096 bytes (Linux's PATH_MAX) fit; longer ones close the session.
 *
 * @example Usage
 * ```ts
 * import { MAX_COMMAND_LENGTH } from "@spindle/spindle/protocols/ftp";
 * console.assert(MAX_COMMAND_LENGTH === 4200);
 * ```
 */
export const MAX_COMMAND_LENGTH = 4200;

/**
 * Milliseconds a client has to open the passive data connection it asked
 * for, before the server gives up on it.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_DATA_TIMEOUT } from "@spindle/spindle/protocols/ftp";
 * console.assert(DEFAULT_DATA_TIMEOUT === 30_000);
 * ```
 */
export const DEFAULT_DATA_TIMEOUT = 30_000;

/**
 * Milliseconds a control connection may stay silent (RFC 959 leaves it to
 * the server; vsftpd's default is 300 s).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_IDLE_TIMEOUT } from "@spindle/spindle/protocols/ftp";
 * console.assert(DEFAULT_IDLE_TIMEOUT === 300_000);
 * ```
 */
export const DEFAULT_IDLE_TIMEOUT = 300_000;

/**
 * The longest reply the client reads, in lines: a multi-line FEAT or HELP
 * is a few dozen.
 *
 * @example Usage
 * ```ts
 * import { MAX_REPLY_LINES } from "@spindle/spindle/protocols/ftp";
 * console.assert(MAX_REPLY_LINES === 1000);
 * ```
 */
export const MAX_REPLY_LINES = 1000;
