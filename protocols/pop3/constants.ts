/**
 * POP3's well-known ports.
 *
 * @module
 */

/**
 * The POP3 port (RFC 1939), with STLS (RFC 2595).
 *
 * @example Usage
 * ```ts
 * import { POP3_PORT } from "@spindle/spindle/protocols/pop3";
 * console.assert(POP3_PORT === 110);
 * ```
 */
export const POP3_PORT = 110;

/**
 * The POP3 port over implicit TLS (RFC 8314).
 *
 * @example Usage
 * ```ts
 * import { POP3S_PORT } from "@spindle/spindle/protocols/pop3";
 * console.assert(POP3S_PORT === 995);
 * ```
 */
export const POP3S_PORT = 995;
