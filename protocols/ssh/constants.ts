/**
 * SSH wire constants: message numbers (RFC 4250 §4.1), disconnect reasons
 * (RFC 4250 §4.2.2), channel open failure reasons (RFC 4254 §5.1), the
 * extended data type of stderr, and the well-known port.
 *
 * @module
 */

/**
 * SSH message numbers (RFC 4250 §4.1, RFC 8308 for EXT_INFO).
 *
 * @example Usage
 * ```ts
 * import { MSG } from "@spindle/spindle/protocols/ssh";
 * console.assert(MSG.KEXINIT === 20);
 * ```
 */
export const MSG = {
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  SERVICE_REQUEST: 5,
  SERVICE_ACCEPT: 6,
  EXT_INFO: 7,
  KEXINIT: 20,
  NEWKEYS: 21,
  KEX_ECDH_INIT: 30,
  KEX_ECDH_REPLY: 31,
  USERAUTH_REQUEST: 50,
  USERAUTH_FAILURE: 51,
  USERAUTH_SUCCESS: 52,
  USERAUTH_BANNER: 53,
  USERAUTH_PK_OK: 60,
  USERAUTH_INFO_REQUEST: 60,
  USERAUTH_INFO_RESPONSE: 61,
  GLOBAL_REQUEST: 80,
  REQUEST_SUCCESS: 81,
  REQUEST_FAILURE: 82,
  CHANNEL_OPEN: 90,
  CHANNEL_OPEN_CONFIRMATION: 91,
  CHANNEL_OPEN_FAILURE: 92,
  CHANNEL_WINDOW_ADJUST: 93,
  CHANNEL_DATA: 94,
  CHANNEL_EXTENDED_DATA: 95,
  CHANNEL_EOF: 96,
  CHANNEL_CLOSE: 97,
  CHANNEL_REQUEST: 98,
  CHANNEL_SUCCESS: 99,
  CHANNEL_FAILURE: 100,
} as const;

/**
 * Disconnect reason codes (RFC 4250 §4.2.2).
 *
 * @example Usage
 * ```ts
 * import { DISCONNECT } from "@spindle/spindle/protocols/ssh";
 * console.assert(DISCONNECT.BY_APPLICATION === 11);
 * ```
 */
export const DISCONNECT = {
  HOST_NOT_ALLOWED_TO_CONNECT: 1,
  PROTOCOL_ERROR: 2,
  KEY_EXCHANGE_FAILED: 3,
  MAC_ERROR: 5,
  SERVICE_NOT_AVAILABLE: 7,
  HOST_KEY_NOT_VERIFIABLE: 9,
  CONNECTION_LOST: 10,
  BY_APPLICATION: 11,
  TOO_MANY_CONNECTIONS: 12,
  AUTH_CANCELLED_BY_USER: 13,
  NO_MORE_AUTH_METHODS_AVAILABLE: 14,
} as const;

/**
 * Channel open failure reasons (RFC 4254 §5.1).
 *
 * @example Usage
 * ```ts
 * import { OPEN_FAILURE } from "@spindle/spindle/protocols/ssh";
 * console.assert(OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED === 1);
 * ```
 */
export const OPEN_FAILURE = {
  ADMINISTRATIVELY_PROHIBITED: 1,
  CONNECT_FAILED: 2,
  UNKNOWN_CHANNEL_TYPE: 3,
  RESOURCE_SHORTAGE: 4,
} as const;

/**
 * The extended data type of stderr (RFC 4254 §5.2).
 *
 * @example Usage
 * ```ts
 * import { EXTENDED_DATA_STDERR } from "@spindle/spindle/protocols/ssh";
 * console.assert(EXTENDED_DATA_STDERR === 1);
 * ```
 */
export const EXTENDED_DATA_STDERR = 1;

/**
 * The well-known SSH port (RFC 4253 §4.1).
 *
 * @example Usage
 * ```ts
 * import { SSH_PORT } from "@spindle/spindle/protocols/ssh";
 * console.assert(SSH_PORT === 22);
 * ```
 */
export const SSH_PORT = 22;
