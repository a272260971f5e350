// Modified UTF-7 (RFC 3501 §5.1.3), the IMAP4rev1 encoding of mailbox names:
// printable ASCII stands for itself ('&' as "&-"), anything else is UTF-16
// in a base64 variant (',' for '/') between '&' and '-'.

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/** `name` in modified UTF-7. */
export function encodeMailboxName(name: string): string {
  let out = "";
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      out += c === 0x26 ? "&-" : name[i];
      i++;
      continue;
    }
    let j = i;
    while (j < name.length) {
      const d = name.charCodeAt(j);
      if (d >= 0x20 && d <= 0x7e) break;
      j++;
    }
    const bytes: number[] = [];
    for (let k = i; k < j; k++) {
      const unit = name.charCodeAt(k);
      bytes.push(unit >> 8, unit & 0xff);
    }
    let bits = 0;
    let value = 0;
    out += "&";
    for (const byte of bytes) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += B64[(value >> bits) & 0x3f];
      }
    }
    if (bits > 0) out += B64[(value << (6 - bits)) & 0x3f];
    out += "-";
    i = j;
  }
  return out;
}

/**
 * The name `encoded` stands for, or null when it is not valid modified
 * UTF-7: an '&' never closed, bad base64, leftover bits, an encoded
 * printable ASCII character (which must stand for itself, so that no name
 * has two spellings: "&AC8-" may not sneak a '/' past a check), or
 * broken UTF-16.
 */
export function decodeMailboxName(encoded: string): string | null {
  let out = "";
  let i = 0;
  while (i < encoded.length) {
    const c = encoded[i]!;
    const code = c.charCodeAt(0);
    if (code > 0x7e) {
      out += c; // UTF-8 names (IMAP4rev2) pass as they are
      i++;
      continue;
    }
    if (c !== "&") {
      out += c;
      i++;
      continue;
    }
    const end = encoded.indexOf("-", i + 1);
    if (end < 0) return null;
    if (end === i + 1) {
      out += "&";
      i = end + 1;
      continue;
    }
    let bits = 0;
    let value = 0;
    const units: number[] = [];
    let bytes: number[] = [];
    for (let k = i + 1; k < end; k++) {
      const digit = B64.indexOf(encoded[k]!);
      if (digit < 0) return null;
      value = ((value << 6) | digit) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes.push((value >> bits) & 0xff);
        if (bytes.length === 2) {
          units.push((bytes[0]! << 8) | bytes[1]!);
          bytes = [];
        }
      }
    }
    if (bytes.length !== 0 || bits >= 6 || (value & ((1 << bits) - 1)) !== 0) {
      return null;
    }
    const text = String.fromCharCode(...units);
    if (!text.isWellFormed()) return null;
    for (const unit of units) {
      if (unit >= 0x20 && unit <= 0x7e) return null;
    }
    out += text;
    i = end + 1;
  }
  return out;
}
