/**
 * Text ⇄ bytes for IPv4 and IPv6 addresses: what DNS records, the PROXY
 * protocol, SOCKS and address rules carry.
 *
 * @module
 */

/**
 * The 4 bytes of a dotted-quad IPv4 address, or `null` if it is not one.
 *
 * @example Usage
 * ```ts
 * import { parseIPv4 } from "@spindle/spindle/reactor";
 * console.assert(parseIPv4("10.0.0.1")?.[3] === 1);
 * console.assert(parseIPv4("10.0.0.256") === null);
 * ```
 */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

/**
 * The 16 bytes of an IPv6 address (with `::` and an optional dotted-quad
 * tail), or `null`.
 *
 * @example Usage
 * ```ts
 * import { parseIPv6 } from "@spindle/spindle/reactor";
 * console.assert(parseIPv6("::1")?.[15] === 1);
 * console.assert(parseIPv6("1::2::3") === null);
 * ```
 */
export function parseIPv6(text: string): Uint8Array | null {
  let s = text;
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.indexOf(".", lastColon) > 0) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    s = s.slice(0, lastColon + 1) +
      (((v4[0]! << 8) | v4[1]!).toString(16)) + ":" +
      (((v4[2]! << 8) | v4[3]!).toString(16));
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === "") return [];
    const groups: number[] = [];
    for (const group of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
      groups.push(parseInt(group, 16));
    }
    return groups;
  };
  const head = parseGroups(halves[0]!);
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (head === null || rest === null) return null;
  const groups = [...head];
  const given = head.length + rest.length;
  if (halves.length === 2) {
    if (given > 7) return null;
    for (let i = given; i < 8; i++) groups.push(0);
  } else if (given !== 8) {
    return null;
  }
  groups.push(...rest);
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[i * 2] = groups[i]! >> 8;
    bytes[i * 2 + 1] = groups[i]! & 0xff;
  }
  return bytes;
}

/**
 * The dotted-quad text of 4 bytes at `offset`.
 *
 * @example Usage
 * ```ts
 * import { formatIPv4 } from "@spindle/spindle/reactor";
 * console.assert(formatIPv4(new Uint8Array([127, 0, 0, 1])) === "127.0.0.1");
 * ```
 */
export function formatIPv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${
    bytes[offset + 3]
  }`;
}

/**
 * The RFC 5952 text of 16 bytes at `offset` (lowercase, longest zero run as
 * `::`).
 *
 * @example Usage
 * ```ts
 * import { formatIPv6, parseIPv6 } from "@spindle/spindle/reactor";
 * console.assert(formatIPv6(parseIPv6("2001:db8:0:0:0:0:0:1")!) === "2001:db8::1");
 * ```
 */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) {
    groups.push((bytes[offset + i * 2]! << 8) | bytes[offset + i * 2 + 1]!);
  }
  // RFC 5952 section 5: an IPv4-mapped address ends in dotted decimal.
  if (groups[5] === 0xffff && groups.slice(0, 5).every((g) => g === 0)) {
    return `::ffff:${formatIPv4(bytes, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((n) => n.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${
    hex(groups.slice(bestStart + bestLength))
  }`;
}
