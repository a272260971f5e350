/**
 * The limits of the SOCKS server and client, each with its reason.
 *
 * @module
 */

/**
 * The longest SOCKS 4 user id or SOCKS 4a host name, in bytes, before its
 * NUL: SOCKS 5 allows names of 255 bytes, and 4a has no limit of its own.
 *
 * @example Usage
 * ```ts
 * import { MAX_SOCKS4_STRING } from "@spindle/spindle/protocols/socks";
 * console.assert(MAX_SOCKS4_STRING === 255);
 * ```
 */
export const MAX_SOCKS4_STRING = 255;

/**
 * Milliseconds a client has to finish its handshake (greeting, login and
 * request) before the server closes the connection.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_SOCKS_HANDSHAKE_TIMEOUT } from "@spindle/spindle/protocols/socks";
 * console.assert(DEFAULT_SOCKS_HANDSHAKE_TIMEOUT === 10_000);
 * ```
 */
export const DEFAULT_SOCKS_HANDSHAKE_TIMEOUT = 10_000;

/**
 * Milliseconds the server waits to connect to a destination.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_SOCKS_CONNECT_TIMEOUT } from "@spindle/spindle/protocols/socks";
 * console.assert(DEFAULT_SOCKS_CONNECT_TIMEOUT === 15_000);
 * ```
 */
export const DEFAULT_SOCKS_CONNECT_TIMEOUT = 15_000;

/**
 * The limits of the SOCKS server.
 *
 * @example Usage
 * ```ts
 * import type { SocksServerLimits } from "@spindle/spindle/protocols/socks";
 * const limits: SocksServerLimits = { handshakeTimeout: 5_000 };
 * console.assert(limits.handshakeTimeout === 5_000);
 * ```
 */
export interface SocksServerLimits {
  /** Milliseconds for the handshake; default {@linkcode DEFAULT_SOCKS_HANDSHAKE_TIMEOUT}. */
  handshakeTimeout?: number;
  /** Milliseconds to reach a destination; default {@linkcode DEFAULT_SOCKS_CONNECT_TIMEOUT}. */
  connectTimeout?: number;
}
