/**
 * A parser for zone files in the RFC 1035 §5 master file format.
 *
 * @module
 */
import {
  RecordClass,
  RecordType,
  recordTypeCode,
  recordTypeName,
} from "./constants.ts";
import { DNSFormatError, ZoneFileError } from "./errors.ts";
import { parseIPv4, parseIPv6 } from "./address.ts";
import { nameToLabels, normalizeName } from "./name.ts";
import type { RecordData, ResourceRecord, SOAData } from "./message.ts";

/**
 * Options of {@linkcode parseZone}.
 *
 * @example Usage
 * ```ts
 * import { parseZone, type ParseZoneOptions } from "@spindle/spindle/protocols/dns";
 * const options: ParseZoneOptions = { origin: "example.org", fileName: "db.example", defaultTTL: 60 };
 * console.assert(parseZone("www A 192.0.2.1\n", options).records[0]?.ttl === 60);
 * ```
 */
export interface ParseZoneOptions {
  /** The origin before any `$ORIGIN` (and the zone's name when the file has no SOA). */
  origin?: string;
  /** The file name used in error messages. Default `"<zone>"`. */
  fileName?: string;
  /** The TTL of records that give none, before any `$TTL`. */
  defaultTTL?: number;
  /** The most records accepted. Default 1,000,000. */
  maxRecords?: number;
}

/**
 * What a zone file holds: its origin (the apex) and its records, in file order.
 *
 * @example Usage
 * ```ts
 * import { parseZone, type ZoneData } from "@spindle/spindle/protocols/dns";
 * const data: ZoneData = parseZone("@ 60 IN SOA ns hm 1 60 60 60 60\n", { origin: "example.org" });
 * console.assert(data.origin === "example.org");
 * ```
 */
export interface ZoneData {
  /** The zone's apex: the owner of its SOA record, else the origin given. */
  origin: string;
  /** Every record, names made absolute (without the trailing dot). */
  records: ResourceRecord[];
}

interface Token {
  text: string;
  quoted: boolean;
}

interface Entry {
  line: number;
  ownerOmitted: boolean;
  tokens: Token[];
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Splits the text into logical entries: parentheses join lines, comments go. */
function* entries(text: string, fileName: string): Generator<Entry> {
  let i = 0;
  let line = 1;
  let depth = 0;
  let parenLine = 0;
  let current: Entry | null = null;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
      if (depth === 0 && current !== null) {
        if (current.tokens.length > 0) yield current;
        current = null;
      }
      continue;
    }
    if (current === null) {
      current = {
        line,
        ownerOmitted: c === " " || c === "\t",
        tokens: [],
      };
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === ";") {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    if (c === "(") {
      if (depth === 0) parenLine = line;
      depth++;
      i++;
      continue;
    }
    if (c === ")") {
      if (depth === 0) {
        throw new ZoneFileError(fileName, line, "')' without a matching '('");
      }
      depth--;
      i++;
      continue;
    }
    if (c === '"') {
      let s = "";
      i++;
      for (;;) {
        if (i >= n) {
          throw new ZoneFileError(
            fileName,
            current.line,
            "a quoted string is not closed: add the missing '\"'",
          );
        }
        const d = text[i]!;
        if (d === '"') break;
        if (d === "\\" && i + 1 < n) {
          s += d + text[i + 1];
          if (text[i + 1] === "\n") line++;
          i += 2;
          continue;
        }
        if (d === "\n") line++;
        s += d;
        i++;
      }
      i++;
      current.tokens.push({ text: s, quoted: true });
      continue;
    }
    let s = "";
    while (i < n) {
      const d = text[i]!;
      if (
        d === " " || d === "\t" || d === "\r" || d === "\n" || d === ";" ||
        d === "(" || d === ")" || d === '"'
      ) break;
      if (d === "\\" && i + 1 < n) {
        s += d + text[i + 1];
        i += 2;
        continue;
      }
      s += d;
      i++;
    }
    current.tokens.push({ text: s, quoted: false });
  }
  if (depth > 0) {
    throw new ZoneFileError(
      fileName,
      parenLine,
      "'(' is never closed: add the missing ')'",
    );
  }
  if (current !== null && current.tokens.length > 0) yield current;
}

/** The bytes of a character-string with its `\X` and `\DDD` escapes resolved. */
function unescapeBytes(text: string): Uint8Array {
  if (!text.includes("\\")) return textEncoder.encode(text);
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && i + 1 < text.length) {
      const digits = text.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits) && Number(digits) <= 255) {
        bytes.push(Number(digits));
        i += 3;
      } else {
        bytes.push(...textEncoder.encode(text[i + 1]!));
        i += 1;
      }
    } else {
      bytes.push(...textEncoder.encode(c));
    }
  }
  return Uint8Array.from(bytes);
}

const TTL_UNITS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};

/** A TTL such as `3600` or `1h30m` (BIND's units), or `null`. */
function parseTTL(text: string): number | null {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return value <= 0x7fffffff ? value : null;
  }
  if (!/^(\d+[smhdw])+$/i.test(text)) return null;
  let total = 0;
  for (const [, digits, unit] of text.matchAll(/(\d+)([smhdw])/gi)) {
    total += Number(digits) * TTL_UNITS[unit!.toLowerCase()]!;
  }
  return total <= 0x7fffffff ? total : null;
}

const CLASSES: Record<string, number> = {
  IN: RecordClass.IN,
  CH: RecordClass.CH,
  HS: RecordClass.HS,
};

/**
 * Parses a zone file (RFC 1035 §5): `$ORIGIN`, `$TTL`, `@`, relative names,
 * owner/TTL/class left out (taken from the entry before), parentheses across
 * lines, `;` comments, quoted strings, and RFC 3597's `\# <length> <hex>`
 * for any type. Types with a text form: A, AAAA, NS, CNAME, PTR, MX, SOA,
 * TXT, SRV, CAA. Throws {@linkcode ZoneFileError} naming the file and line.
 *
 * @example Usage
 * ```ts
 * import { parseZone } from "@spindle/spindle/protocols/dns";
 * const zone = parseZone(`
 * $TTL 3600
 * @   IN SOA ns1 hostmaster ( 1 7200 900 1209600 300 )
 *     IN NS  ns1
 * ns1    A   192.0.2.53
 * www    A   192.0.2.1
 * `, { origin: "example.org" });
 * console.assert(zone.records.length === 4);
 * console.assert(zone.records[3]?.name === "www.example.org");
 * ```
 */
export function parseZone(
  text: string,
  options: ParseZoneOptions = {},
): ZoneData {
  const fileName = options.fileName ?? "<zone>";
  const maxRecords = options.maxRecords ?? 1_000_000;
  let origin: string | undefined = options.origin === undefined
    ? undefined
    : normalizeName(options.origin);
  let defaultTTL = options.defaultTTL;
  let lastTTL: number | undefined;
  let lastOwner: string | undefined;
  let lastClass: number = RecordClass.IN;
  let soaMinimum: number | undefined;
  let apex: string | undefined;
  const records: ResourceRecord[] = [];

  for (const entry of entries(text, fileName)) {
    const fail = (message: string): never => {
      throw new ZoneFileError(fileName, entry.line, message);
    };
    const absolute = (name: string): string => {
      let result: string;
      if (name === "@") {
        if (origin === undefined) {
          fail("'@' is used but no origin is set: add $ORIGIN");
        }
        result = origin!;
      } else if (normalizeName(name) !== name || name === ".") {
        result = normalizeName(name);
      } else {
        if (origin === undefined) {
          fail(
            `the relative name ${
              JSON.stringify(name)
            } needs an origin: add $ORIGIN`,
          );
        }
        result = origin === "" ? name : `${name}.${origin}`;
      }
      try {
        nameToLabels(result);
      } catch (error) {
        if (error instanceof DNSFormatError) fail(error.message);
        throw error;
      }
      return result;
    };
    const tokens = entry.tokens;
    const first = tokens[0]!;
    if (!first.quoted && first.text.startsWith("$") && !entry.ownerOmitted) {
      const directive = first.text.toUpperCase();
      if (directive === "$ORIGIN") {
        if (tokens.length !== 2) fail("$ORIGIN takes one domain name");
        const name = tokens[1]!.text;
        if (normalizeName(name) === name && name !== "@") {
          if (origin === undefined) {
            fail("$ORIGIN with a relative name needs an earlier origin");
          }
        }
        origin = absolute(name);
      } else if (directive === "$TTL") {
        if (tokens.length !== 2) fail("$TTL takes one TTL");
        const ttl = parseTTL(tokens[1]!.text);
        if (ttl === null) {
          fail(`${JSON.stringify(tokens[1]!.text)} is not a TTL`);
        }
        defaultTTL = ttl!;
      } else {
        fail(
          `the directive ${first.text} is not supported (only $ORIGIN and $TTL)`,
        );
      }
      continue;
    }

    let index = 0;
    let owner: string;
    if (entry.ownerOmitted) {
      if (lastOwner === undefined) {
        fail("the first record has no owner name: start the line with a name");
      }
      owner = lastOwner!;
    } else {
      owner = absolute(tokens[0]!.text);
      index = 1;
    }
    let ttl: number | undefined;
    let klass: number | undefined;
    let type: number | undefined;
    while (index < tokens.length && type === undefined) {
      const token = tokens[index++]!;
      const upper = token.text.toUpperCase();
      const asTTL = token.quoted ? null : parseTTL(token.text);
      if (ttl === undefined && asTTL !== null) {
        ttl = asTTL;
      } else if (klass === undefined && CLASSES[upper] !== undefined) {
        klass = CLASSES[upper];
      } else if (klass === undefined && /^CLASS\d+$/.test(upper)) {
        klass = Number(upper.slice(5));
      } else {
        const code = recordTypeCode(token.text);
        if (code === undefined || token.quoted) {
          fail(
            `${JSON.stringify(token.text)} is not a record type, TTL or class`,
          );
        }
        type = code;
      }
    }
    if (type === undefined) fail("the entry has no record type");
    klass ??= lastClass;
    const rdata = tokens.slice(index);
    const data = parseData(type!, rdata, absolute, fail);
    if (type === RecordType.SOA) {
      soaMinimum = (data as SOAData).minimum;
      apex ??= owner;
    }
    if (ttl === undefined) {
      ttl = defaultTTL ?? lastTTL ?? soaMinimum;
      if (ttl === undefined) {
        fail("the record has no TTL: give one or add $TTL");
      }
    } else {
      lastTTL = ttl;
    }
    lastOwner = owner;
    lastClass = klass;
    if (records.length >= maxRecords) {
      fail(`the zone has more than ${maxRecords} records (maxRecords)`);
    }
    records.push({ name: owner, type: type!, class: klass, ttl: ttl!, data });
  }
  const zoneOrigin = apex ?? origin;
  if (zoneOrigin === undefined) {
    throw new ZoneFileError(
      fileName,
      1,
      "the zone has no SOA record and no origin was given: pass options.origin",
    );
  }
  return { origin: zoneOrigin, records };
}

function parseData(
  type: number,
  tokens: Token[],
  absolute: (name: string) => string,
  fail: (message: string) => never,
): RecordData {
  const count = (n: number, shape: string) => {
    if (tokens.length !== n) {
      fail(
        `a ${
          recordTypeName(type)
        } record takes ${shape}; got ${tokens.length} fields`,
      );
    }
  };
  const uint = (token: Token, max: number, what: string): number => {
    if (!/^\d+$/.test(token.text) || Number(token.text) > max) {
      fail(
        `${what} ${
          JSON.stringify(token.text)
        } is not a number from 0 to ${max}`,
      );
    }
    return Number(token.text);
  };
  if (tokens[0]?.text === "\\#" && !tokens[0].quoted) {
    const length = uint(
      tokens[1] ?? { text: "", quoted: false },
      65535,
      "the RDATA length",
    );
    const hex = tokens.slice(2).map((t) => t.text).join("");
    if (!/^([0-9a-fA-F]{2})*$/.test(hex) || hex.length !== length * 2) {
      fail(`the generic RDATA does not have ${length} bytes of hex`);
    }
    const rdata = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      rdata[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    }
    return { rdata };
  }
  switch (type) {
    case RecordType.A:
    case RecordType.AAAA: {
      count(1, "one address");
      const text = tokens[0]!.text;
      const ok = type === RecordType.A ? parseIPv4(text) : parseIPv6(text);
      if (ok === null) {
        fail(
          `${JSON.stringify(text)} is not an IPv${
            type === RecordType.A ? 4 : 6
          } address`,
        );
      }
      return { address: text };
    }
    case RecordType.NS:
    case RecordType.CNAME:
    case RecordType.PTR:
      count(1, "one domain name");
      return { name: absolute(tokens[0]!.text) };
    case RecordType.MX:
      count(2, "a preference and a host name");
      return {
        preference: uint(tokens[0]!, 65535, "the MX preference"),
        exchange: absolute(tokens[1]!.text),
      };
    case RecordType.SOA: {
      count(7, "mname rname serial refresh retry expire minimum");
      const time = (token: Token, what: string): number => {
        const value = parseTTL(token.text);
        if (value === null) {
          fail(`the SOA ${what} ${JSON.stringify(token.text)} is not a time`);
        }
        return value!;
      };
      return {
        mname: absolute(tokens[0]!.text),
        rname: absolute(tokens[1]!.text),
        serial: uint(tokens[2]!, 0xffffffff, "the SOA serial"),
        refresh: time(tokens[3]!, "refresh"),
        retry: time(tokens[4]!, "retry"),
        expire: time(tokens[5]!, "expire"),
        minimum: time(tokens[6]!, "minimum"),
      };
    }
    case RecordType.TXT: {
      if (tokens.length === 0) fail("a TXT record needs at least one string");
      const strings = tokens.map((token) => {
        const bytes = unescapeBytes(token.text);
        if (bytes.length > 255) {
          fail(
            `a TXT string is ${bytes.length} bytes; split it into strings of at most 255`,
          );
        }
        return textDecoder.decode(bytes);
      });
      return { strings };
    }
    case RecordType.SRV:
      count(4, "priority weight port target");
      return {
        priority: uint(tokens[0]!, 65535, "the SRV priority"),
        weight: uint(tokens[1]!, 65535, "the SRV weight"),
        port: uint(tokens[2]!, 65535, "the SRV port"),
        target: absolute(tokens[3]!.text),
      };
    case RecordType.CAA: {
      count(3, "flags tag value");
      const tag = tokens[1]!.text;
      if (!/^[a-zA-Z0-9]{1,255}$/.test(tag)) {
        fail(`${JSON.stringify(tag)} is not a CAA tag`);
      }
      return {
        flags: uint(tokens[0]!, 255, "the CAA flags"),
        tag,
        value: textDecoder.decode(unescapeBytes(tokens[2]!.text)),
      };
    }
  }
  return fail(
    `records of type ${
      recordTypeName(type)
    } need the generic form: \\# <length> <hex>`,
  );
}
