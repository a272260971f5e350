/**
 * The wire constants of SOCKS 4, 4a and 5 (RFC 1928, RFC 1929).
 *
 * @module
 */

/**
 * SOCKS's well-known port (RFC 1928 §3).
 *
 * @example Usage
 * ```ts
 * import { SOCKS_PORT } from "@spindle/spindle/protocols/socks";
 * console.assert(SOCKS_PORT === 1080);
 * ```
 */
export const SOCKS_PORT = 1080;

/**
 * The reply codes of SOCKS 5 (RFC 1928 §6).
 *
 * @example Usage
 * ```ts
 * import { Socks5Reply } from "@spindle/spindle/protocols/socks";
 * console.assert(Socks5Reply.NOT_ALLOWED === 2);
 * ```
 */
export const Socks5Reply = {
  SUCCEEDED: 0,
  GENERAL_FAILURE: 1,
  NOT_ALLOWED: 2,
  NETWORK_UNREACHABLE: 3,
  HOST_UNREACHABLE: 4,
  CONNECTION_REFUSED: 5,
  TTL_EXPIRED: 6,
  COMMAND_NOT_SUPPORTED: 7,
  ADDRESS_TYPE_NOT_SUPPORTED: 8,
} as const;

/**
 * The authentication methods of SOCKS 5 (RFC 1928 §3) that Spindle speaks,
 * and the "none acceptable" answer.
 *
 * @example Usage
 * ```ts
 * import { Socks5Method } from "@spindle/spindle/protocols/socks";
 * console.assert(Socks5Method.USERNAME_PASSWORD === 2);
 * ```
 */
export const Socks5Method = {
  NO_AUTH: 0,
  USERNAME_PASSWORD: 2,
  NO_ACCEPTABLE: 0xff,
} as const;

/**
 * The address types of a SOCKS 5 request (RFC 1928 §4).
 *
 * @example Usage
 * ```ts
 * import { Socks5AddressType } from "@spindle/spindle/protocols/socks";
 * console.assert(Socks5AddressType.DOMAIN === 3);
 * ```
 */
export const Socks5AddressType = {
  IPV4: 1,
  DOMAIN: 3,
  IPV6: 4,
} as const;

/**
 * The CONNECT command, the same number in SOCKS 4 and 5.
 *
 * @example Usage
 * ```ts
 * import { SOCKS_CONNECT } from "@spindle/spindle/protocols/socks";
 * console.assert(SOCKS_CONNECT === 1);
 * ```
 */
export const SOCKS_CONNECT = 1;

/**
 * SOCKS 4's "request granted" and "request rejected or failed" codes.
 *
 * @example Usage
 * ```ts
 * import { Socks4Reply } from "@spindle/spindle/protocols/socks";
 * console.assert(Socks4Reply.GRANTED === 90);
 * ```
 */
export const Socks4Reply = { GRANTED: 90, REJECTED: 91 } as const;
