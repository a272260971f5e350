/**
 * SMTP's well-known ports.
 *
 * @module
 */

/**
 * The port of mail relay between servers (RFC 5321 §4.5.4.2).
 *
 * @example Usage
 * ```ts
 * import { SMTP_PORT } from "@spindle/spindle/protocols/smtp";
 * console.assert(SMTP_PORT === 25);
 * ```
 */
export const SMTP_PORT = 25;

/**
 * The port of message submission with STARTTLS (RFC 6409).
 *
 * @example Usage
 * ```ts
 * import { SUBMISSION_PORT } from "@spindle/spindle/protocols/smtp";
 * console.assert(SUBMISSION_PORT === 587);
 * ```
 */
export const SUBMISSION_PORT = 587;

/**
 * The port of message submission over implicit TLS (RFC 8314).
 *
 * @example Usage
 * ```ts
 * import { SUBMISSIONS_PORT } from "@spindle/spindle/protocols/smtp";
 * console.assert(SUBMISSIONS_PORT === 465);
 * ```
 */
export const SUBMISSIONS_PORT = 465;
