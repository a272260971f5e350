/**
 * The plain data of the PROXY protocol: a decoded header.
 *
 * @module
 */

/**
 * One v2 TLV (type, length, value).
 *
 * @example Usage
 * ```ts
 * import type { ProxyTLV } from "@spindle/spindle/protocols/haproxy";
 * const tlv: ProxyTLV = { type: 0x01, value: new TextEncoder().encode("h2") };
 * console.assert(tlv.value.length === 2);
 * ```
 */
export interface ProxyTLV {
  /** The type byte (see `TLVType`). */
  type: number;
  /** The value. */
  value: Uint8Array;
}

/**
 * The SSL TLV's details (v2, type 0x20).
 *
 * @example Usage
 * ```ts
 * import type { ProxySSL } from "@spindle/spindle/protocols/haproxy";
 * const ssl: ProxySSL = { client: 1, verified: true, version: "TLSv1.3" };
 * console.assert(ssl.verified);
 * ```
 */
export interface ProxySSL {
  /** The client bit field (PP2_CLIENT_SSL 1, CERT_CONN 2, CERT_SESS 4). */
  client: number;
  /** The client certificate was verified. */
  verified: boolean;
  /** The TLS version, such as `"TLSv1.3"`. */
  version?: string;
  /** The client certificate's common name. */
  cn?: string;
  /** The cipher. */
  cipher?: string;
}

/**
 * A decoded PROXY header. `command` is `"PROXY"` for a relayed connection
 * (with `source` and `destination`) or `"LOCAL"` (v2 health checks, v1
 * `UNKNOWN`): then the connection's own addresses hold.
 *
 * @example Usage
 * ```ts
 * import type { ProxyHeader } from "@spindle/spindle/protocols/haproxy";
 * const header: ProxyHeader = {
 *   version: 1,
 *   command: "PROXY",
 *   family: "TCP4",
 *   source: { transport: "tcp", hostname: "192.0.2.1", port: 56324 },
 *   destination: { transport: "tcp", hostname: "192.0.2.2", port: 443 },
 *   tlvs: [],
 * };
 * console.assert(header.source?.port === 56324);
 * ```
 */
export interface ProxyHeader {
  /** 1 (text) or 2 (binary). */
  version: 1 | 2;
  /** `"PROXY"`: relayed; `"LOCAL"`: the proxy's own connection (health check, v1 UNKNOWN). */
  command: "PROXY" | "LOCAL";
  /** `TCP4`, `TCP6`, `UDP4`, `UDP6`, `UNIX`, `UNIX_DGRAM` or `UNKNOWN`. */
  family: string;
  /** The client's address (TCP/UDP families). */
  source?: Deno.NetAddr;
  /** The address the client connected to. */
  destination?: Deno.NetAddr;
  /** The v2 TLVs, in order (empty for v1). */
  tlvs: ProxyTLV[];
  /** The ALPN TLV, as text. */
  alpn?: string;
  /** The authority TLV (the SNI host name). */
  authority?: string;
  /** The SSL TLV. */
  ssl?: ProxySSL;
}
