/**
 * PROXY protocol wire constants (HAProxy's proxy-protocol.txt, v1 and v2).
 *
 * @module
 */

/**
 * The 12 bytes that open a v2 header (§2.2).
 *
 * @example Usage
 * ```ts
 * import { V2_SIGNATURE } from "@spindle/spindle/protocols/haproxy";
 * console.assert(V2_SIGNATURE.length === 12);
 * ```
 */
export const V2_SIGNATURE: Uint8Array = new Uint8Array([
  0x0d,
  0x0a,
  0x0d,
  0x0a,
  0x00,
  0x0d,
  0x0a,
  0x51,
  0x55,
  0x49,
  0x54,
  0x0a,
]);

/**
 * The v2 TLV types (§2.2.7) that Spindle names.
 *
 * @example Usage
 * ```ts
 * import { TLVType } from "@spindle/spindle/protocols/haproxy";
 * console.assert(TLVType.ALPN === 0x01);
 * ```
 */
export const TLVType = {
  /** The application protocol the client negotiated (ALPN). */
  ALPN: 0x01,
  /** The host name the client asked for (SNI). */
  AUTHORITY: 0x02,
  /** A CRC32c of the header. */
  CRC32C: 0x03,
  /** Padding. */
  NOOP: 0x04,
  /** An opaque connection id. */
  UNIQUE_ID: 0x05,
  /** The client's TLS details, with sub-TLVs. */
  SSL: 0x20,
  /** SSL sub-TLV: the TLS version. */
  SSL_VERSION: 0x21,
  /** SSL sub-TLV: the client certificate's common name. */
  SSL_CN: 0x22,
  /** SSL sub-TLV: the cipher. */
  SSL_CIPHER: 0x23,
  /** SSL sub-TLV: the signature algorithm. */
  SSL_SIG_ALG: 0x24,
  /** SSL sub-TLV: the key algorithm. */
  SSL_KEY_ALG: 0x25,
  /** The network namespace. */
  NETNS: 0x30,
} as const;
