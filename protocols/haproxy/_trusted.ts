/**
 * Trusted proxy sources: a list of CIDR ranges, and the check of an address
 * against it.
 *
 * @module
 */
import { parseIPv4, parseIPv6 } from "../dns/_address.ts";

/** One range: its bytes (4 or 16) and prefix length. */
interface Range {
  bytes: Uint8Array;
  bits: number;
}

/** The address's bytes; an IPv4-mapped IPv6 address counts as its IPv4 one. */
function bytesOf(address: string): Uint8Array | null {
  const v4 = parseIPv4(address);
  if (v4 !== null) return v4;
  const v6 = parseIPv6(address);
  if (v6 === null) return null;
  const mapped = v6.subarray(0, 10).every((b) => b === 0) &&
    v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

/**
 * Parses CIDR ranges (`10.0.0.0/8`, `::1/128`, or a bare address); throws a
 * `TypeError` naming the bad one.
 */
export function parseRanges(list: readonly string[]): Range[] {
  return list.map((text) => {
    const [address = "", prefix] = text.trim().split("/");
    const bytes = bytesOf(address);
    const max = (bytes?.byteLength ?? 0) * 8;
    const bits = prefix === undefined
      ? max
      : /^\d+$/.test(prefix)
      ? Number(prefix)
      : NaN;
    if (bytes === null || !(bits >= 0 && bits <= max)) {
      throw new TypeError(
        `${
          JSON.stringify(text)
        } is not an address range: write CIDR ranges such as 10.0.0.0/8 or ::1/128`,
      );
    }
    return { bytes, bits };
  });
}

/** Whether `address` falls in one of `ranges`. */
export function inRanges(address: string, ranges: readonly Range[]): boolean {
  const bytes = bytesOf(address);
  if (bytes === null) return false;
  return ranges.some((range) => {
    if (range.bytes.byteLength !== bytes.byteLength) return false;
    let bits = range.bits;
    for (let i = 0; bits > 0; i++, bits -= 8) {
      const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((bytes[i]! & mask) !== (range.bytes[i]! & mask)) return false;
    }
    return true;
  });
}
