/**
 * The wire constants of finger (RFC 1288).
 *
 * @module
 */

/**
 * Finger's well-known TCP port (RFC 1288 §2.1).
 *
 * @example Usage
 * ```ts
 * import { FINGER_PORT } from "@spindle/spindle/protocols/finger";
 * console.assert(FINGER_PORT === 79);
 * ```
 */
export const FINGER_PORT = 79;

/**
 * The answer to a query that asks this server to finger another host
 * ({Q2}), which RFC 1288 §3.2.1 lets servers refuse and §2.5.5 advises
 * them to, by default.
 *
 * @example Usage
 * ```ts
 * import { FORWARDING_DENIED } from "@spindle/spindle/protocols/finger";
 * console.assert(FORWARDING_DENIED.startsWith("Finger forwarding"));
 * ```
 */
export const FORWARDING_DENIED = "Finger forwarding service denied\r\n";
