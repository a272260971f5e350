/**
 * A parser for zone files in the RFC 1035 §5 master file format.
 *
 * @module
 */
import { RecordClass, RecordType, recordTypeCode } from "./constants.ts";
import { DNSFormatError, ZoneFileError } from "./errors.ts";
import { ZONE_LIMITS, type ZoneLimits } from "./limits.ts";
import type { ResourceRecord, SOAData } from "./message.ts";
import { nameToLabels, normalizeName } from "./name.ts";
import { entries, type Entry, parseTTL } from "./_zone_tokens.ts";
import { parseData } from "./_zone_rdata.ts";

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
export interface ParseZoneOptions extends ZoneLimits {
  /** The origin before any `$ORIGIN` (and the zone's name when the file has no SOA). */
  origin?: string;
  /** The file name used in error messages. Default `"<zone>"`. */
  fileName?: string;
  /** The TTL of records that give none, before any `$TTL`. */
  defaultTTL?: number;
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
  const parser = new ZoneParser(options);
  for (const entry of entries(text, parser.fileName)) parser.take(entry);
  return parser.finish();
}

/** The owner, TTL, class and type that start a record entry; `index` is where its RDATA starts. */
interface RecordHead {
  owner: string;
  ttl: number | undefined;
  klass: number;
  type: number;
  index: number;
}

/** The state carried from entry to entry: origin, defaults, the records so far. */
class ZoneParser {
  readonly fileName: string;
  #maxRecords: number;
  #origin: string | undefined;
  #defaultTTL: number | undefined;
  #lastTTL: number | undefined;
  #lastOwner: string | undefined;
  #lastClass: number = RecordClass.IN;
  #soaMinimum: number | undefined;
  #apex: string | undefined;
  #records: ResourceRecord[] = [];
  /** The line of the entry being parsed, for errors. */
  #line = 0;

  constructor(options: ParseZoneOptions) {
    this.fileName = options.fileName ?? "<zone>";
    this.#maxRecords = options.maxRecords ?? ZONE_LIMITS.maxRecords;
    this.#origin = options.origin === undefined
      ? undefined
      : normalizeName(options.origin);
    this.#defaultTTL = options.defaultTTL;
  }

  take(entry: Entry): void {
    this.#line = entry.line;
    const first = entry.tokens[0]!;
    if (!first.quoted && first.text.startsWith("$") && !entry.ownerOmitted) {
      this.#directive(entry);
    } else {
      this.#record(entry);
    }
  }

  finish(): ZoneData {
    const origin = this.#apex ?? this.#origin;
    if (origin === undefined) {
      throw new ZoneFileError(
        this.fileName,
        1,
        "the zone has no SOA record and no origin was given: pass options.origin",
      );
    }
    return { origin, records: this.#records };
  }

  #fail = (message: string): never => {
    throw new ZoneFileError(this.fileName, this.#line, message);
  };

  /** `name` made absolute against the current origin, checked against the wire limits. */
  #absolute = (name: string): string => {
    let result: string;
    if (name === "@") {
      result = this.#origin ??
        this.#fail("'@' is used but no origin is set: add $ORIGIN");
    } else if (normalizeName(name) !== name || name === ".") {
      result = normalizeName(name);
    } else {
      const origin = this.#origin ?? this.#fail(
        `the relative name ${
          JSON.stringify(name)
        } needs an origin: add $ORIGIN`,
      );
      result = origin === "" ? name : `${name}.${origin}`;
    }
    try {
      nameToLabels(result);
    } catch (error) {
      if (error instanceof DNSFormatError) this.#fail(error.message);
      throw error;
    }
    return result;
  };

  #directive({ tokens }: Entry): void {
    const directive = tokens[0]!.text.toUpperCase();
    if (directive === "$ORIGIN") {
      if (tokens.length !== 2) this.#fail("$ORIGIN takes one domain name");
      const name = tokens[1]!.text;
      if (
        normalizeName(name) === name && name !== "@" &&
        this.#origin === undefined
      ) {
        this.#fail("$ORIGIN with a relative name needs an earlier origin");
      }
      this.#origin = this.#absolute(name);
    } else if (directive === "$TTL") {
      if (tokens.length !== 2) this.#fail("$TTL takes one TTL");
      this.#defaultTTL = parseTTL(tokens[1]!.text) ??
        this.#fail(`${JSON.stringify(tokens[1]!.text)} is not a TTL`);
    } else {
      this.#fail(
        `the directive ${
          tokens[0]!.text
        } is not supported (only $ORIGIN and $TTL)`,
      );
    }
  }

  #record(entry: Entry): void {
    const { owner, ttl, klass, type, index } = this.#head(entry);
    const data = parseData(
      type,
      entry.tokens.slice(index),
      this.#absolute,
      this.#fail,
    );
    if (type === RecordType.SOA) {
      this.#soaMinimum = (data as SOAData).minimum;
      this.#apex ??= owner;
    }
    if (ttl !== undefined) this.#lastTTL = ttl;
    const recordTTL = ttl ?? this.#defaultTTL ?? this.#lastTTL ??
      this.#soaMinimum ??
      this.#fail("the record has no TTL: give one or add $TTL");
    this.#lastOwner = owner;
    this.#lastClass = klass;
    if (this.#records.length >= this.#maxRecords) {
      this.#fail(
        `the zone has more than ${this.#maxRecords} records (maxRecords)`,
      );
    }
    this.#records.push({
      name: owner,
      type,
      class: klass,
      ttl: recordTTL,
      data,
    });
  }

  /** The owner (or the last one), then TTL and class in either order, then the type. */
  #head({ ownerOmitted, tokens }: Entry): RecordHead {
    let index = 0;
    let owner: string;
    if (ownerOmitted) {
      owner = this.#lastOwner ?? this.#fail(
        "the first record has no owner name: start the line with a name",
      );
    } else {
      owner = this.#absolute(tokens[0]!.text);
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
        const code = token.quoted ? undefined : recordTypeCode(token.text);
        type = code ?? this.#fail(
          `${JSON.stringify(token.text)} is not a record type, TTL or class`,
        );
      }
    }
    return {
      owner,
      ttl,
      klass: klass ?? this.#lastClass,
      type: type ?? this.#fail("the entry has no record type"),
      index,
    };
  }
}
