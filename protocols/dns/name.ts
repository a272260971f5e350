/**
 * Domain names as strings: normalising, comparing (case-insensitively, as DNS
 * does, for ASCII letters only) and converting to and from wire labels.
 *
 * In a Spindle name string, a dot separates labels; a label byte that is a dot,
 * a backslash, a space, a control character or not ASCII is written `\DDD`
 * (three decimal digits, RFC 1035 §5.1), and `\.` / `\\` are accepted too.
 *
 * @module
 */
import { DNSFormatError } from "./errors.ts";
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from "./limits.ts";

const UPPER = /[A-Z]/;
const UPPER_GLOBAL = /[A-Z]/g;
const toLower = (c: string) => String.fromCharCode(c.charCodeAt(0) | 0x20);

/**
 * A name without its trailing dot (`"Example.org."` → `"Example.org"`; `"."` → `""`).
 *
 * @example Usage
 * ```ts
 * import { normalizeName } from "@spindle/spindle/protocols/dns";
 * console.assert(normalizeName("www.example.org.") === "www.example.org");
 * ```
 */
export function normalizeName(name: string): string {
  if (name.length > 0 && name.charCodeAt(name.length - 1) === 0x2e) {
    // "a\." ends in an escaped dot, which is part of the label.
    let backslashes = 0;
    for (let i = name.length - 2; i >= 0 && name[i] === "\\"; i--) {
      backslashes++;
    }
    if (backslashes % 2 === 0) return name.slice(0, -1);
  }
  return name;
}

/**
 * The form of a name used to compare and index it: trailing dot removed, ASCII
 * letters lowered (DNS compares names case-insensitively, RFC 4343).
 *
 * @example Usage
 * ```ts
 * import { nameKey } from "@spindle/spindle/protocols/dns";
 * console.assert(nameKey("WWW.Example.ORG.") === "www.example.org");
 * ```
 */
export function nameKey(name: string): string {
  const normal = normalizeName(name);
  return UPPER.test(normal) ? normal.replace(UPPER_GLOBAL, toLower) : normal;
}

/**
 * Whether two names are the same name (ignoring ASCII case and a trailing dot).
 *
 * @example Usage
 * ```ts
 * import { namesEqual } from "@spindle/spindle/protocols/dns";
 * console.assert(namesEqual("Example.ORG", "example.org."));
 * ```
 */
export function namesEqual(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

/**
 * Whether `name` is `ancestor` or below it (`www.example.org` is in `example.org`;
 * every name is in the root `""`).
 *
 * @example Usage
 * ```ts
 * import { isSubdomain } from "@spindle/spindle/protocols/dns";
 * console.assert(isSubdomain("www.Example.org", "example.org"));
 * console.assert(!isSubdomain("badexample.org", "example.org"));
 * ```
 */
export function isSubdomain(name: string, ancestor: string): boolean {
  const n = nameKey(name);
  const a = nameKey(ancestor);
  if (a === "") return true;
  if (n === a) return true;
  return n.length > a.length && n.endsWith(a) &&
    n.charCodeAt(n.length - a.length - 1) === 0x2e &&
    !isEscapedAt(n, n.length - a.length - 1);
}

function isEscapedAt(s: string, index: number): boolean {
  let backslashes = 0;
  for (let i = index - 1; i >= 0 && s[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1;
}

const encoder = new TextEncoder();

/**
 * The labels of a name as wire bytes, most specific first, without the root
 * label. Throws {@linkcode DNSFormatError} for an empty label, a label over 63
 * bytes or a name over 255 bytes.
 *
 * @example Usage
 * ```ts
 * import { nameToLabels } from "@spindle/spindle/protocols/dns";
 * console.assert(nameToLabels("www.example.org").length === 3);
 * ```
 */
export function nameToLabels(name: string): Uint8Array[] {
  const normal = normalizeName(name);
  if (normal === "") return [];
  const labels: Uint8Array[] = [];
  let wireLength = 1;
  if (!normal.includes("\\")) {
    for (const text of normal.split(".")) {
      const label = encoder.encode(text);
      checkLabel(label.length, name);
      wireLength += label.length + 1;
      labels.push(label);
    }
  } else {
    let bytes: number[] = [];
    const finish = () => {
      checkLabel(bytes.length, name);
      wireLength += bytes.length + 1;
      labels.push(Uint8Array.from(bytes));
      bytes = [];
    };
    for (let i = 0; i < normal.length; i++) {
      const c = normal[i]!;
      if (c === ".") {
        finish();
      } else if (c === "\\") {
        const next = normal[i + 1];
        if (next === undefined) {
          throw new DNSFormatError(
            `the name ${JSON.stringify(name)} ends in a lone backslash`,
          );
        }
        if (next >= "0" && next <= "9") {
          const digits = normal.slice(i + 1, i + 4);
          const value = Number(digits);
          if (!/^\d{3}$/.test(digits) || value > 255) {
            throw new DNSFormatError(
              `the name ${
                JSON.stringify(name)
              } has a bad \\DDD escape: use three decimal digits up to 255`,
            );
          }
          bytes.push(value);
          i += 3;
        } else {
          bytes.push(...encoder.encode(next));
          i += 1;
        }
      } else {
        bytes.push(...encoder.encode(c));
      }
    }
    finish();
  }
  if (wireLength > MAX_NAME_LENGTH) {
    throw new DNSFormatError(
      `the name ${
        JSON.stringify(name)
      } is ${wireLength} bytes in wire format; the limit is ${MAX_NAME_LENGTH}`,
    );
  }
  return labels;
}

function checkLabel(length: number, name: string): void {
  if (length === 0) {
    throw new DNSFormatError(
      `the name ${JSON.stringify(name)} has an empty label`,
    );
  }
  if (length > MAX_LABEL_LENGTH) {
    throw new DNSFormatError(
      `the name ${
        JSON.stringify(name)
      } has a ${length}-byte label; the limit is ${MAX_LABEL_LENGTH}`,
    );
  }
}

/** The text form of one wire label: bytes `start..end` of `bytes`, escaped as described above. */
export function labelToString(
  bytes: Uint8Array,
  start: number,
  end: number,
): string {
  let s = "";
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b <= 0x20 || b >= 0x7f || b === 0x2e || b === 0x5c) {
      s += "\\" + (b < 10 ? "00" : b < 100 ? "0" : "") + b;
    } else {
      s += String.fromCharCode(b);
    }
  }
  return s;
}
