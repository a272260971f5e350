/**
 * Address ranges in CIDR notation (`10.0.0.0/8`, `::1/128`), and the check of
 * an address against them: trusted proxies, allow and deny rules.
 *
 * @module
 */
import { parseIPv4, parseIPv6 } from "./ip_address.ts";

/** One parsed range: its address bytes (4 or 16) and prefix length in bits. */
export interface AddressRange {
  /** The range's address, 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array;
  /** How many leading bits an address must share with `bytes`. */
  readonly bits: number;
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
 * Parses CIDR ranges (`10.0.0.0/8`, `::1/128`, or a bare address, a range of
 * one); throws a `TypeError` naming the bad one.
 *
 * @example Usage
 * ```ts
 * import { parseAddressRanges } from "@spindle/spindle/reactor";
 * const [range] = parseAddressRanges(["10.0.0.0/8"]);
 * console.assert(range?.bits === 8);
 * ```
 */
export function parseAddressRanges(list: readonly string[]): AddressRange[] {
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

/**
 * Whether `address` (IPv4 or IPv6 text) falls in one of `ranges`; text that
 * is no address falls in none.
 *
 * @example Usage
 * ```ts
 * import { inAddressRanges, parseAddressRanges } from "@spindle/spindle/reactor";
 * const private10 = parseAddressRanges(["10.0.0.0/8"]);
 * console.assert(inAddressRanges("10.1.2.3", private10));
 * console.assert(!inAddressRanges("192.168.0.1", private10));
 * ```
 */
export function inAddressRanges(
  address: string,
  ranges: readonly AddressRange[],
): boolean {
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
