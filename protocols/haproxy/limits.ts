/**
 * The limits of the PROXY protocol, each default once with its reason.
 *
 * @module
 */

/**
 * The longest v1 header, CRLF included: 107 bytes, the spec's worst case
 * (§2.1, two full IPv6 addresses and ports).
 *
 * @example Usage
 * ```ts
 * import { MAX_V1_HEADER_BYTES } from "@spindle/spindle/protocols/haproxy";
 * console.assert(MAX_V1_HEADER_BYTES === 107);
 * ```
 */
export const MAX_V1_HEADER_BYTES = 107;

/**
 * The longest v2 header Spindle accepts: 16 bytes of fixed header and
 * 2 KiB of addresses and TLVs. HAProxy sends a few hundred bytes at most
 * (addresses, ALPN, SNI, SSL details); the field could say 64 KiB.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_V2_HEADER_BYTES } from "@spindle/spindle/protocols/haproxy";
 * console.assert(DEFAULT_MAX_V2_HEADER_BYTES === 16 + 2048);
 * ```
 */
export const DEFAULT_MAX_V2_HEADER_BYTES: number = 16 + 2048;

/**
 * The default time a connection has to send its whole PROXY header, in
 * milliseconds: 5 s. The proxy sends it at once on connecting, so a
 * connection that is slower is no proxy.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_HEADER_TIMEOUT } from "@spindle/spindle/protocols/haproxy";
 * console.assert(DEFAULT_HEADER_TIMEOUT === 5_000);
 * ```
 */
export const DEFAULT_HEADER_TIMEOUT = 5_000;

/**
 * The sources a header is accepted from when none are named: loopback.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_TRUSTED } from "@spindle/spindle/protocols/haproxy";
 * console.assert(DEFAULT_TRUSTED.includes("127.0.0.0/8"));
 * ```
 */
export const DEFAULT_TRUSTED: readonly string[] = ["127.0.0.0/8", "::1/128"];

/**
 * The limits of the PROXY header reader.
 *
 * @example Usage
 * ```ts
 * import type { ProxyLimits } from "@spindle/spindle/protocols/haproxy";
 * const limits: ProxyLimits = { maxV2HeaderBytes: 512 };
 * console.assert(limits.maxV2HeaderBytes === 512);
 * ```
 */
export interface ProxyLimits {
  /** The longest v2 header accepted. Default {@linkcode DEFAULT_MAX_V2_HEADER_BYTES}. */
  maxV2HeaderBytes?: number;
}
