/**
 * Every size, count and time limit of the SSH transport, authentication,
 * channels and SFTP, each defined once with where it comes from.
 *
 * @module
 */

/**
 * The largest packet accepted, in bytes: RFC 4253 §6.1 requires 35000 of
 * every implementation, and OpenSSH accepts up to 256 KiB; we take what
 * OpenSSH sends (channel data of 32 KiB plus headers).
 *
 * @example Usage
 * ```ts
 * import { MAX_PACKET_SIZE } from "@spindle/spindle/protocols/ssh";
 * console.assert(MAX_PACKET_SIZE >= 35000);
 * ```
 */
export const MAX_PACKET_SIZE = 256 * 1024;

/**
 * The longest identification line (`SSH-2.0-...`), CR LF included
 * (RFC 4253 §4.2: 255 bytes).
 *
 * @example Usage
 * ```ts
 * import { MAX_VERSION_LINE } from "@spindle/spindle/protocols/ssh";
 * console.assert(MAX_VERSION_LINE === 255);
 * ```
 */
export const MAX_VERSION_LINE = 255;

/**
 * The most bytes of banner lines a client accepts before the server's
 * version line (RFC 4253 §4.2 allows lines before it; OpenSSH reads 1024
 * lines at most).
 *
 * @example Usage
 * ```ts
 * import { MAX_BANNER_BYTES } from "@spindle/spindle/protocols/ssh";
 * console.assert(MAX_BANNER_BYTES === 64 * 1024);
 * ```
 */
export const MAX_BANNER_BYTES = 64 * 1024;

/**
 * The time a connection has to finish its key exchange and authentication,
 * in milliseconds (OpenSSH's LoginGraceTime is 120 s; ours is shorter).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_HANDSHAKE_TIMEOUT } from "@spindle/spindle/protocols/ssh";
 * console.assert(DEFAULT_HANDSHAKE_TIMEOUT === 60_000);
 * ```
 */
export const DEFAULT_HANDSHAKE_TIMEOUT = 60_000;

/**
 * Bytes sent or received under one set of keys before a new key exchange
 * (RFC 4253 §9 recommends rekeying after 1 GiB).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_REKEY_BYTES } from "@spindle/spindle/protocols/ssh";
 * console.assert(DEFAULT_REKEY_BYTES === 2 ** 30);
 * ```
 */
export const DEFAULT_REKEY_BYTES = 2 ** 30;

/**
 * Time under one set of keys before a new key exchange, in milliseconds
 * (RFC 4253 §9: one hour).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_REKEY_INTERVAL } from "@spindle/spindle/protocols/ssh";
 * console.assert(DEFAULT_REKEY_INTERVAL === 3_600_000);
 * ```
 */
export const DEFAULT_REKEY_INTERVAL = 3_600_000;

/**
 * The receive window each channel opens with and tops up to, in bytes
 * (OpenSSH uses 2 MiB for sessions).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_WINDOW_SIZE } from "@spindle/spindle/protocols/ssh";
 * console.assert(DEFAULT_WINDOW_SIZE === 2 * 1024 * 1024);
 * ```
 */
export const DEFAULT_WINDOW_SIZE = 2 * 1024 * 1024;

/**
 * The largest data packet each channel accepts, in bytes (OpenSSH: 32 KiB).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_CHANNEL_PACKET } from "@spindle/spindle/protocols/ssh";
 * console.assert(DEFAULT_MAX_CHANNEL_PACKET === 32 * 1024);
 * ```
 */
export const DEFAULT_MAX_CHANNEL_PACKET = 32 * 1024;

/**
 * The most channels open at once on one connection (OpenSSH's MaxSessions
 * is 10 sessions; forwarded channels count here too).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_CHANNELS } from "@spindle/spindle/protocols/ssh";
 * console.assert(DEFAULT_MAX_CHANNELS === 64);
 * ```
 */
export const DEFAULT_MAX_CHANNELS = 64;

/**
 * The most authentication requests one connection may make, whatever their
 * outcome (OpenSSH's MaxAuthTries is 6; queries count here, failures also
 * count in the shared `LoginLimiter`).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_AUTH_REQUESTS } from "@spindle/spindle/protocols/ssh";
 * console.assert(DEFAULT_MAX_AUTH_REQUESTS === 20);
 * ```
 */
export const DEFAULT_MAX_AUTH_REQUESTS = 20;

/**
 * The most `env` variables a session accepts (each still has to be in the
 * allow-list).
 *
 * @example Usage
 * ```ts
 * import { MAX_SESSION_ENV } from "@spindle/spindle/protocols/ssh";
 * console.assert(MAX_SESSION_ENV === 64);
 * ```
 */
export const MAX_SESSION_ENV = 64;

/**
 * The largest SFTP message, in bytes (OpenSSH's sftp-server: 256 KiB).
 *
 * @example Usage
 * ```ts
 * import { MAX_SFTP_MESSAGE } from "@spindle/spindle/protocols/ssh";
 * console.assert(MAX_SFTP_MESSAGE === 256 * 1024);
 * ```
 */
export const MAX_SFTP_MESSAGE = 256 * 1024;

/**
 * The most handles (open files and folders) one SFTP session holds
 * (OpenSSH's sftp-server: 512).
 *
 * @example Usage
 * ```ts
 * import { MAX_SFTP_HANDLES } from "@spindle/spindle/protocols/ssh";
 * console.assert(MAX_SFTP_HANDLES === 512);
 * ```
 */
export const MAX_SFTP_HANDLES = 512;

/**
 * The largest read an SFTP server answers, in bytes (OpenSSH: 256 KiB less
 * headers; clients ask for 32 KiB).
 *
 * @example Usage
 * ```ts
 * import { MAX_SFTP_READ } from "@spindle/spindle/protocols/ssh";
 * console.assert(MAX_SFTP_READ === 64 * 1024);
 * ```
 */
export const MAX_SFTP_READ = 64 * 1024;

/**
 * The most remote forwards (`ssh -R`, `tcpip-forward`) one connection may
 * hold at once: each is a listening port on the server.
 *
 * @example Usage
 * ```ts
 * import { MAX_REMOTE_FORWARDS } from "@spindle/spindle/protocols/ssh";
 * console.assert(MAX_REMOTE_FORWARDS === 16);
 * ```
 */
export const MAX_REMOTE_FORWARDS = 16;
