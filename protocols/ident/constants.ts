/**
 * The wire constants of the Identification Protocol (RFC 1413).
 *
 * @module
 */

/**
 * Ident's well-known TCP port (RFC 1413).
 *
 * @example Usage
 * ```ts
 * import { IDENT_PORT } from "@spindle/spindle/protocols/ident";
 * console.assert(IDENT_PORT === 113);
 * ```
 */
export const IDENT_PORT = 113;

/**
 * The error codes RFC 1413 defines; a server may also send its own,
 * starting with `X`.
 *
 * @example Usage
 * ```ts
 * import { IDENT_ERRORS } from "@spindle/spindle/protocols/ident";
 * console.assert(IDENT_ERRORS.includes("NO-USER"));
 * ```
 */
export const IDENT_ERRORS = [
  "INVALID-PORT",
  "NO-USER",
  "HIDDEN-USER",
  "UNKNOWN-ERROR",
] as const;
