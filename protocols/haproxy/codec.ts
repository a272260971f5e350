/**
 * The PROXY header codec (v1 text and v2 binary): {@linkcode decodeProxyHeader}
 * reads one from the bytes received so far, {@linkcode encodeProxyHeader}
 * writes one.
 *
 * @module
 */
import {
  formatIPv4,
  formatIPv6,
  parseIPv4,
  parseIPv6,
} from "../../reactor/ip_address.ts";
import { TLVType, V2_SIGNATURE } from "./constants.ts";
import { ProxyHeaderError } from "./errors.ts";
import {
  DEFAULT_MAX_V2_HEADER_BYTES,
  MAX_V1_HEADER_BYTES,
  type ProxyLimits,
} from "./limits.ts";
import type { ProxyHeader, ProxySSL, ProxyTLV } from "./message.ts";

const V1_PREFIX = new TextEncoder().encode("PROXY ");
const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

/** Whether `bytes` starts like `prefix` (as far as both go). */
function startsLike(bytes: Uint8Array, prefix: Uint8Array): boolean {
  const n = Math.min(bytes.byteLength, prefix.byteLength);
  for (let i = 0; i < n; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/**
 * Decodes the PROXY header at the start of `bytes`: the header and its
 * length in bytes, or `null` when more bytes are needed. Throws
 * `ProxyHeaderError` for a missing or malformed header.
 *
 * @example Usage
 * ```ts
 * import { decodeProxyHeader } from "@spindle/spindle/protocols/haproxy";
 * const bytes = new TextEncoder().encode("PROXY TCP4 192.0.2.1 192.0.2.2 56324 443\r\nGET /");
 * const decoded = decodeProxyHeader(bytes);
 * console.assert(decoded?.header.source?.hostname === "192.0.2.1" && decoded.length === 42);
 * ```
 */
export function decodeProxyHeader(
  bytes: Uint8Array,
  limits: ProxyLimits = {},
): { header: ProxyHeader; length: number } | null {
  if (
    startsLike(bytes, V2_SIGNATURE) && bytes.byteLength > 0 && bytes[0] === 0x0d
  ) {
    return decodeV2(
      bytes,
      limits.maxV2HeaderBytes ?? DEFAULT_MAX_V2_HEADER_BYTES,
    );
  }
  if (!startsLike(bytes, V1_PREFIX)) {
    throw new ProxyHeaderError(
      "the connection does not start with a PROXY header (v1 'PROXY ' or the v2 signature): is the proxy set to send one (send-proxy)?",
    );
  }
  return decodeV1(bytes);
}

function decodeV1(
  bytes: Uint8Array,
): { header: ProxyHeader; length: number } | null {
  const scan = Math.min(bytes.byteLength, MAX_V1_HEADER_BYTES);
  let end = -1;
  for (let i = 1; i < scan; i++) {
    if (bytes[i] === 0x0a && bytes[i - 1] === 0x0d) {
      end = i + 1;
      break;
    }
  }
  if (end === -1) {
    if (bytes.byteLength >= MAX_V1_HEADER_BYTES) {
      throw new ProxyHeaderError(
        `the v1 PROXY header has no CRLF within ${MAX_V1_HEADER_BYTES} bytes`,
      );
    }
    return null;
  }
  const line = latin1.decode(bytes.subarray(0, end - 2));
  const parts = line.split(" ");
  const family = parts[1];
  if (family === "UNKNOWN") {
    return {
      header: { version: 1, command: "LOCAL", family: "UNKNOWN", tlvs: [] },
      length: end,
    };
  }
  if (family !== "TCP4" && family !== "TCP6") {
    throw new ProxyHeaderError(
      `the v1 PROXY header names protocol ${
        JSON.stringify(family)
      }: only TCP4, TCP6 and UNKNOWN exist`,
    );
  }
  if (parts.length !== 6) {
    throw new ProxyHeaderError(
      `the v1 PROXY header has ${parts.length} fields, not 6: ${
        JSON.stringify(line)
      }`,
    );
  }
  const parse = family === "TCP4" ? parseIPv4 : parseIPv6;
  const format = family === "TCP4" ? formatIPv4 : formatIPv6;
  const address = (text: string, which: string): string => {
    const parsed = parse(text);
    if (parsed === null) {
      throw new ProxyHeaderError(
        `the v1 PROXY header's ${which} address ${
          JSON.stringify(text)
        } is not ${family === "TCP4" ? "IPv4" : "IPv6"}`,
      );
    }
    return format(parsed);
  };
  const port = (text: string, which: string): number => {
    const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(value <= 65535)) {
      throw new ProxyHeaderError(
        `the v1 PROXY header's ${which} port ${
          JSON.stringify(text)
        } is not a port (0..65535)`,
      );
    }
    return value;
  };
  return {
    header: {
      version: 1,
      command: "PROXY",
      family,
      source: {
        transport: "tcp",
        hostname: address(parts[2]!, "source"),
        port: port(parts[4]!, "source"),
      },
      destination: {
        transport: "tcp",
        hostname: address(parts[3]!, "destination"),
        port: port(parts[5]!, "destination"),
      },
      tlvs: [],
    },
    length: end,
  };
}

const FAMILIES: Record<number, string> = {
  0x00: "UNKNOWN",
  0x11: "TCP4",
  0x12: "UDP4",
  0x21: "TCP6",
  0x22: "UDP6",
  0x31: "UNIX",
  0x32: "UNIX_DGRAM",
};

function decodeV2(
  bytes: Uint8Array,
  limit: number,
): { header: ProxyHeader; length: number } | null {
  if (bytes.byteLength < 16) return null;
  const versionCommand = bytes[12]!;
  if (versionCommand >> 4 !== 2) {
    throw new ProxyHeaderError(
      `the v2 PROXY header says version ${versionCommand >> 4}: only 2 exists`,
    );
  }
  const command = versionCommand & 0x0f;
  if (command > 1) {
    throw new ProxyHeaderError(
      `the v2 PROXY header has command ${command}: only LOCAL (0) and PROXY (1) exist`,
    );
  }
  const familyByte = bytes[13]!;
  const family = FAMILIES[familyByte] ??
    (familyByte >> 4 <= 3 && (familyByte & 0x0f) === 0 ? "UNKNOWN" : undefined);
  if (family === undefined) {
    throw new ProxyHeaderError(
      `the v2 PROXY header has address family and protocol 0x${
        familyByte.toString(16)
      }, which is not defined`,
    );
  }
  const length = 16 + ((bytes[14]! << 8) | bytes[15]!);
  if (length > limit) {
    throw new ProxyHeaderError(
      `the v2 PROXY header is ${length} bytes, over the limit of ${limit}`,
    );
  }
  if (bytes.byteLength < length) return null;
  const block = bytes.subarray(16, length);
  const header: ProxyHeader = {
    version: 2,
    command: command === 0 ? "LOCAL" : "PROXY",
    family,
    tlvs: [],
  };
  const need = family.endsWith("4")
    ? 12
    : family.endsWith("6")
    ? 36
    : family.startsWith("UNIX")
    ? 216
    : 0;
  if (block.byteLength < need) {
    throw new ProxyHeaderError(
      `the v2 PROXY header's address block is ${block.byteLength} bytes, short of the ${need} ${family} needs`,
    );
  }
  if (need === 12 || need === 36) {
    const size = need === 12 ? 4 : 16;
    const format = size === 4 ? formatIPv4 : formatIPv6;
    const view = new DataView(block.buffer, block.byteOffset, need);
    const transport = family.startsWith("TCP") ? "tcp" : "udp";
    header.source = {
      transport,
      hostname: format(block, 0),
      port: view.getUint16(size * 2),
    };
    header.destination = {
      transport,
      hostname: format(block, size),
      port: view.getUint16(size * 2 + 2),
    };
  }
  header.tlvs = decodeTLVs(block.subarray(need));
  for (const tlv of header.tlvs) {
    if (tlv.type === TLVType.ALPN) header.alpn = utf8.decode(tlv.value);
    else if (tlv.type === TLVType.AUTHORITY) {
      header.authority = utf8.decode(tlv.value);
    } else if (tlv.type === TLVType.SSL) header.ssl = decodeSSL(tlv.value);
  }
  if (header.command === "LOCAL") {
    delete header.source;
    delete header.destination;
  }
  return { header, length };
}

function decodeTLVs(bytes: Uint8Array): ProxyTLV[] {
  const tlvs: ProxyTLV[] = [];
  let at = 0;
  while (at < bytes.byteLength) {
    if (at + 3 > bytes.byteLength) {
      throw new ProxyHeaderError(
        "the v2 PROXY header ends inside a TLV's type and length",
      );
    }
    const type = bytes[at]!;
    const length = (bytes[at + 1]! << 8) | bytes[at + 2]!;
    if (at + 3 + length > bytes.byteLength) {
      throw new ProxyHeaderError(
        `the v2 PROXY header's TLV 0x${
          type.toString(16)
        } says ${length} bytes, more than the header holds`,
      );
    }
    tlvs.push({ type, value: bytes.slice(at + 3, at + 3 + length) });
    at += 3 + length;
  }
  return tlvs;
}

function decodeSSL(value: Uint8Array): ProxySSL {
  if (value.byteLength < 5) {
    throw new ProxyHeaderError(
      "the v2 PROXY header's SSL TLV is shorter than 5 bytes",
    );
  }
  const view = new DataView(value.buffer, value.byteOffset, 5);
  const ssl: ProxySSL = {
    client: value[0]!,
    verified: view.getUint32(1) === 0,
  };
  for (const sub of decodeTLVs(value.subarray(5))) {
    const text = utf8.decode(sub.value);
    if (sub.type === TLVType.SSL_VERSION) ssl.version = text;
    else if (sub.type === TLVType.SSL_CN) ssl.cn = text;
    else if (sub.type === TLVType.SSL_CIPHER) ssl.cipher = text;
  }
  return ssl;
}

/** What {@linkcode encodeProxyHeader} takes: a header's addresses (or none, for LOCAL) and TLVs. */
export interface ProxyHeaderInit {
  /** `"PROXY"` (the default) or `"LOCAL"`. */
  command?: "PROXY" | "LOCAL";
  /** The client's address (IPv4 or IPv6, TCP). */
  source?: Deno.NetAddr;
  /** The address the client connected to (the same family as `source`). */
  destination?: Deno.NetAddr;
  /** v2 TLVs to append. */
  tlvs?: ProxyTLV[];
}

function addressBytes(hostname: string): Uint8Array {
  const bytes = parseIPv4(hostname) ?? parseIPv6(hostname);
  if (bytes === null) {
    throw new TypeError(`${JSON.stringify(hostname)} is not an IP address`);
  }
  return bytes;
}

/**
 * Encodes a PROXY header, v1 (text) or v2 (binary, the default). Without
 * `source` (or with command `LOCAL`), it says the connection is the
 * proxy's own: `PROXY UNKNOWN` in v1, `LOCAL` in v2.
 *
 * @example Usage
 * ```ts
 * import { encodeProxyHeader } from "@spindle/spindle/protocols/haproxy";
 * const bytes = encodeProxyHeader({
 *   source: { transport: "tcp", hostname: "192.0.2.1", port: 56324 },
 *   destination: { transport: "tcp", hostname: "192.0.2.2", port: 443 },
 * }, { version: 1 });
 * console.assert(new TextDecoder().decode(bytes) === "PROXY TCP4 192.0.2.1 192.0.2.2 56324 443\r\n");
 * ```
 */
export function encodeProxyHeader(
  init: ProxyHeaderInit,
  options: { version?: 1 | 2 } = {},
): Uint8Array {
  const { source, destination } = init;
  const local = init.command === "LOCAL" || source === undefined ||
    destination === undefined;
  const src = local ? null : addressBytes(source!.hostname);
  const dst = local ? null : addressBytes(destination!.hostname);
  if (src !== null && dst !== null && src.byteLength !== dst.byteLength) {
    throw new TypeError(
      "source and destination must be of one family (IPv4 or IPv6)",
    );
  }
  if ((options.version ?? 2) === 1) {
    if (src === null) return new TextEncoder().encode("PROXY UNKNOWN\r\n");
    const family = src.byteLength === 4 ? "TCP4" : "TCP6";
    const format = src.byteLength === 4 ? formatIPv4 : formatIPv6;
    return new TextEncoder().encode(
      `PROXY ${family} ${format(src)} ${format(dst!)} ${source!.port} ${
        destination!.port
      }\r\n`,
    );
  }
  const tlvs = init.tlvs ?? [];
  const addressLength = src === null ? 0 : src.byteLength * 2 + 4;
  const tlvLength = tlvs.reduce((n, tlv) => n + 3 + tlv.value.byteLength, 0);
  const bytes = new Uint8Array(16 + addressLength + tlvLength);
  bytes.set(V2_SIGNATURE);
  bytes[12] = src === null ? 0x20 : 0x21;
  bytes[13] = src === null ? 0x00 : src.byteLength === 4 ? 0x11 : 0x21;
  const view = new DataView(bytes.buffer);
  view.setUint16(14, addressLength + tlvLength);
  let at = 16;
  if (src !== null) {
    bytes.set(src, at);
    bytes.set(dst!, at + src.byteLength);
    at += src.byteLength * 2;
    view.setUint16(at, source!.port);
    view.setUint16(at + 2, destination!.port);
    at += 4;
  }
  for (const tlv of tlvs) {
    bytes[at] = tlv.type;
    view.setUint16(at + 1, tlv.value.byteLength);
    bytes.set(tlv.value, at + 3);
    at += 3 + tlv.value.byteLength;
  }
  return bytes;
}
