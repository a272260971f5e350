/**
 * Numeric codes of the DNS wire format: record types, classes, opcodes and
 * response codes.
 *
 * @module
 */

/**
 * Record (and query) type codes, RFC 1035 §3.2.2 and later RFCs.
 *
 * @example Usage
 * ```ts
 * import { RecordType } from "@spindle/spindle/protocols/dns";
 * console.assert(RecordType.AAAA === 28);
 * ```
 */
export const RecordType = {
  /** An IPv4 address. */
  A: 1,
  /** An authoritative name server. */
  NS: 2,
  /** The canonical name for an alias. */
  CNAME: 5,
  /** The start of a zone of authority. */
  SOA: 6,
  /** A domain name pointer (reverse lookups). */
  PTR: 12,
  /** Host information. */
  HINFO: 13,
  /** A mail exchange. */
  MX: 15,
  /** Text strings. */
  TXT: 16,
  /** An IPv6 address (RFC 3596). */
  AAAA: 28,
  /** A service location (RFC 2782). */
  SRV: 33,
  /** The EDNS0 pseudo-record (RFC 6891). */
  OPT: 41,
  /** Certification authority authorization (RFC 8659). */
  CAA: 257,
  /** A zone transfer (query type only). */
  AXFR: 252,
  /** Every record of the name (query type only). */
  ANY: 255,
} as const;

/**
 * A record type code: one of {@linkcode RecordType} or any other 16-bit number (RFC 3597).
 *
 * @example Usage
 * ```ts
 * import { RecordType, type RecordTypeCode } from "@spindle/spindle/protocols/dns";
 * const type: RecordTypeCode = RecordType.MX;
 * console.assert(type === 15);
 * ```
 */
export type RecordTypeCode = number;

/**
 * Record class codes. Almost everything is {@linkcode RecordClass.IN}.
 *
 * @example Usage
 * ```ts
 * import { RecordClass } from "@spindle/spindle/protocols/dns";
 * console.assert(RecordClass.IN === 1);
 * ```
 */
export const RecordClass = {
  /** The Internet. */
  IN: 1,
  /** Chaos (used for `version.bind` style queries). */
  CH: 3,
  /** Hesiod. */
  HS: 4,
  /** Any class (query only). */
  ANY: 255,
} as const;

/**
 * Response codes (RCODE), including the extended ones carried by EDNS0.
 *
 * @example Usage
 * ```ts
 * import { Rcode } from "@spindle/spindle/protocols/dns";
 * console.assert(Rcode.NXDOMAIN === 3);
 * ```
 */
export const Rcode = {
  /** No error. */
  NOERROR: 0,
  /** The server could not parse the query. */
  FORMERR: 1,
  /** The server failed to process the query. */
  SERVFAIL: 2,
  /** The name does not exist. */
  NXDOMAIN: 3,
  /** The server does not support the kind of query. */
  NOTIMP: 4,
  /** The server refuses to answer (for example, outside its zones). */
  REFUSED: 5,
  /** An EDNS version the server does not speak (extended RCODE, RFC 6891). */
  BADVERS: 16,
} as const;

/**
 * Operation codes (OPCODE).
 *
 * @example Usage
 * ```ts
 * import { Opcode } from "@spindle/spindle/protocols/dns";
 * console.assert(Opcode.QUERY === 0);
 * ```
 */
export const Opcode = {
  /** A standard query. */
  QUERY: 0,
  /** An inverse query (obsolete). */
  IQUERY: 1,
  /** A server status request. */
  STATUS: 2,
  /** A zone change notification (RFC 1996). */
  NOTIFY: 4,
  /** A dynamic update (RFC 2136). */
  UPDATE: 5,
} as const;

const typeNames: Map<number, string> = new Map(
  Object.entries(RecordType).map(([name, code]) => [code, name]),
);
const typeCodes: Map<string, number> = new Map(Object.entries(RecordType));

/**
 * The mnemonic of a record type (`"MX"`), or `TYPE<n>` (RFC 3597) for codes
 * without one.
 *
 * @example Usage
 * ```ts
 * import { recordTypeName } from "@spindle/spindle/protocols/dns";
 * console.assert(recordTypeName(15) === "MX");
 * console.assert(recordTypeName(65280) === "TYPE65280");
 * ```
 */
export function recordTypeName(type: RecordTypeCode): string {
  return typeNames.get(type) ?? `TYPE${type}`;
}

/**
 * The code of a record type mnemonic (`"MX"`, case-insensitive) or of
 * `TYPE<n>`; `undefined` for names it does not know.
 *
 * @example Usage
 * ```ts
 * import { recordTypeCode } from "@spindle/spindle/protocols/dns";
 * console.assert(recordTypeCode("aaaa") === 28);
 * console.assert(recordTypeCode("TYPE99") === 99);
 * ```
 */
export function recordTypeCode(name: string): RecordTypeCode | undefined {
  const upper = name.toUpperCase();
  const known = typeCodes.get(upper);
  if (known !== undefined) return known;
  const match = /^TYPE(\d{1,5})$/.exec(upper);
  if (match === null) return undefined;
  const code = Number(match[1]);
  return code <= 0xffff ? code : undefined;
}
