/**
 * The limits of ident's server and client, each with its reason.
 *
 * @module
 */

/**
 * The longest query line the server reads, in bytes: `65535 , 65535` with
 * generous spaces is far shorter.
 *
 * @example Usage
 * ```ts
 * import { MAX_IDENT_QUERY_LENGTH } from "@spindle/spindle/protocols/ident";
 * console.assert(MAX_IDENT_QUERY_LENGTH === 64);
 * ```
 */
export const MAX_IDENT_QUERY_LENGTH = 64;

/**
 * The longest reply line the client reads, in bytes: a user id is at most
 * 512 octets (RFC 1413, "Format of a response"), plus the ports, the
 * operating system and the separators.
 *
 * @example Usage
 * ```ts
 * import { MAX_IDENT_REPLY_LENGTH } from "@spindle/spindle/protocols/ident";
 * console.assert(MAX_IDENT_REPLY_LENGTH === 1000);
 * ```
 */
export const MAX_IDENT_REPLY_LENGTH = 1000;

/**
 * The longest user id, in octets (RFC 1413).
 *
 * @example Usage
 * ```ts
 * import { MAX_USER_ID_LENGTH } from "@spindle/spindle/protocols/ident";
 * console.assert(MAX_USER_ID_LENGTH === 512);
 * ```
 */
export const MAX_USER_ID_LENGTH = 512;

/**
 * Milliseconds the server waits for each query: RFC 1413 suggests
 * servers close an idle connection after 60 to 180 seconds; clients send
 * their query at once, so less is kinder to the server.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_IDENT_TIMEOUT } from "@spindle/spindle/protocols/ident";
 * console.assert(DEFAULT_IDENT_TIMEOUT === 60_000);
 * ```
 */
export const DEFAULT_IDENT_TIMEOUT = 60_000;
