/**
 * The wire constants of FTP (RFC 959).
 *
 * @module
 */

/**
 * FTP's well-known control port (RFC 959).
 *
 * @example Usage
 * ```ts
 * import { FTP_PORT } from "@spindle/spindle/protocols/ftp";
 * console.assert(FTP_PORT === 21);
 * ```
 */
export const FTP_PORT = 21;
