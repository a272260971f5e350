/**
 * The DNS wire format (RFC 1035 §4, RFC 3596, RFC 2782, RFC 8659, RFC 6891,
 * RFC 3597): {@linkcode encodeMessage} and {@linkcode decodeMessage}.
 *
 * @module
 */
import { RecordType } from "./constants.ts";
import { DNSFormatError } from "./errors.ts";
import {
  MAX_COMPRESSION_POINTERS,
  MAX_MESSAGE_SIZE,
  MAX_NAME_LENGTH,
  MESSAGE_LIMITS,
  type MessageLimits,
} from "./limits.ts";
import { labelToString, nameKey, nameToLabels } from "./name.ts";
import {
  formatIPv4,
  formatIPv6,
  parseIPv4,
  parseIPv6,
} from "../../reactor/ip_address.ts";
import type {
  AddressData,
  CAAData,
  DNSMessage,
  EDNS,
  EDNSOption,
  MXData,
  NameData,
  OpaqueData,
  Question,
  RecordData,
  ResourceRecord,
  SOAData,
  SRVData,
  TXTData,
} from "./message.ts";

/**
 * Options of {@linkcode decodeMessage}: its limits, and whether a truncated
 * response may end early.
 *
 * @example Usage
 * ```ts
 * import { createMessage, decodeMessage, encodeMessage, type DecodeOptions } from "@spindle/spindle/protocols/dns";
 * const options: DecodeOptions = { maxRecords: 100, allowTruncated: false };
 * console.assert(decodeMessage(encodeMessage(createMessage()), options).id === 0);
 * ```
 */
export interface DecodeOptions extends MessageLimits {
  /**
   * Accept a message with the TC bit that ends in the middle of its sections,
   * returning the records that were complete (a truncated UDP response).
   * Default `true`.
   */
  allowTruncated?: boolean;
}

/**
 * Options of {@linkcode encodeMessage}.
 *
 * @example Usage
 * ```ts
 * import { createMessage, encodeMessage, type EncodeOptions } from "@spindle/spindle/protocols/dns";
 * const options: EncodeOptions = { lengthPrefix: true };
 * console.assert(encodeMessage(createMessage(), options).length === 14);
 * ```
 */
export interface EncodeOptions {
  /** Compress names (RFC 1035 §4.1.4). Default `true`. */
  compress?: boolean;
  /** Prefix the message with its 16-bit length, as DNS over TCP sends it. Default `false`. */
  lengthPrefix?: boolean;
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

// ---------------------------------------------------------------- decoding

class Reader {
  bytes: Uint8Array;
  pos: number;
  end: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.pos = 0;
    this.end = bytes.length;
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new DNSFormatError(
        `the message ends inside ${what} (offset ${this.pos}, ${this.end} bytes in all)`,
      );
    }
  }

  u8(): number {
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    const b = this.bytes;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(): number {
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) |
      b[p + 3]!) >>>
      0;
  }

  /**
   * Reads a possibly compressed name. Pointers must point strictly before the
   * start of the label run that contains them, so every chain ends; the
   * uncompressed name must fit in 255 bytes.
   */
  name(): string {
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    let segmentStart = pos;
    let jumps = 0;
    let wireLength = 1;
    let name = "";
    for (;;) {
      if (pos >= end) {
        throw new DNSFormatError(
          `the message ends inside a name (offset ${pos})`,
        );
      }
      const length = bytes[pos]!;
      if (length === 0) {
        pos += 1;
        break;
      }
      const kind = length & 0xc0;
      if (kind === 0xc0) {
        if (pos + 1 >= end) {
          throw new DNSFormatError(
            `the message ends inside a compression pointer (offset ${pos})`,
          );
        }
        const target = ((length & 0x3f) << 8) | bytes[pos + 1]!;
        if (target >= segmentStart) {
          throw new DNSFormatError(
            `the compression pointer at offset ${pos} points forward or loops (to ${target})`,
          );
        }
        if (jumps === 0) this.pos = pos + 2;
        if (++jumps > MAX_COMPRESSION_POINTERS) {
          throw new DNSFormatError(
            `a name at offset ${this.pos} follows more than ${MAX_COMPRESSION_POINTERS} compression pointers`,
          );
        }
        pos = target;
        segmentStart = target;
        continue;
      }
      if (kind !== 0) {
        throw new DNSFormatError(
          `unsupported label type 0x${kind.toString(16)} at offset ${pos}`,
        );
      }
      wireLength += length + 1;
      if (wireLength > MAX_NAME_LENGTH) {
        throw new DNSFormatError(
          `a name at offset ${this.pos} is longer than ${MAX_NAME_LENGTH} bytes`,
        );
      }
      const labelEnd = pos + 1 + length;
      if (labelEnd > end) {
        throw new DNSFormatError(
          `the message ends inside a label (offset ${pos})`,
        );
      }
      if (name.length > 0) name += ".";
      name += labelToString(bytes, pos + 1, labelEnd);
      pos = labelEnd;
    }
    if (jumps === 0) this.pos = pos;
    return name;
  }
}

/**
 * Decodes one DNS message. Throws {@linkcode DNSFormatError} when the bytes
 * are not a well-formed message or break a limit in `options`.
 *
 * @example Usage
 * ```ts
 * import { decodeMessage, encodeMessage, RecordType } from "@spindle/spindle/protocols/dns";
 * const bytes = encodeMessage({
 *   id: 1, response: false, opcode: 0, authoritative: false, truncated: false,
 *   recursionDesired: true, recursionAvailable: false, authenticData: false,
 *   checkingDisabled: false, rcode: 0,
 *   questions: [{ name: "example.org", type: RecordType.MX, class: 1 }],
 *   answers: [], authority: [], additional: [],
 * });
 * console.assert(decodeMessage(bytes).questions[0]?.name === "example.org");
 * ```
 */
export function decodeMessage(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): DNSMessage {
  const maxRecords = options.maxRecords ?? MESSAGE_LIMITS.maxRecords;
  const allowTruncated = options.allowTruncated ?? true;
  const r = new Reader(bytes);
  r.need(12, "the header");
  const id = r.u16();
  const flags = r.u16();
  const qdcount = r.u16();
  const ancount = r.u16();
  const nscount = r.u16();
  const arcount = r.u16();
  if (qdcount + ancount + nscount + arcount > maxRecords) {
    throw new DNSFormatError(
      `the message claims ${
        qdcount + ancount + nscount + arcount
      } records; the limit is ${maxRecords}`,
    );
  }
  const truncated = (flags & 0x0200) !== 0;
  const message: DNSMessage = {
    id,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    authenticData: (flags & 0x0020) !== 0,
    checkingDisabled: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
    questions: [],
    answers: [],
    authority: [],
    additional: [],
  };
  try {
    for (let i = 0; i < qdcount; i++) {
      const name = r.name();
      r.need(4, "a question");
      message.questions.push({ name, type: r.u16(), class: r.u16() });
    }
    for (let i = 0; i < ancount; i++) message.answers.push(readRecord(r));
    for (let i = 0; i < nscount; i++) message.authority.push(readRecord(r));
    for (let i = 0; i < arcount; i++) {
      const record = readRecord(r);
      if (record.type === RecordType.OPT) {
        if (message.edns !== undefined) {
          throw new DNSFormatError("the message has more than one OPT record");
        }
        if (record.name !== "") {
          throw new DNSFormatError("the OPT record's owner is not the root");
        }
        message.edns = optToEDNS(record);
        message.rcode |= (record.ttl >>> 24) << 4;
      } else {
        message.additional.push(record);
      }
    }
  } catch (error) {
    if (truncated && allowTruncated && error instanceof DNSFormatError) {
      return message;
    }
    throw error;
  }
  if (r.pos !== r.end) {
    throw new DNSFormatError(
      `${r.end - r.pos} bytes follow the end of the message`,
    );
  }
  return message;
}

function optToEDNS(record: ResourceRecord): EDNS {
  const rdata = (record.data as OpaqueData).rdata;
  const options: EDNSOption[] = [];
  let pos = 0;
  while (pos < rdata.length) {
    if (pos + 4 > rdata.length) {
      throw new DNSFormatError("the OPT record ends inside an option header");
    }
    const code = (rdata[pos]! << 8) | rdata[pos + 1]!;
    const length = (rdata[pos + 2]! << 8) | rdata[pos + 3]!;
    pos += 4;
    if (pos + length > rdata.length) {
      throw new DNSFormatError("the OPT record ends inside an option");
    }
    options.push({ code, data: rdata.slice(pos, pos + length) });
    pos += length;
  }
  return {
    udpPayloadSize: record.class,
    version: (record.ttl >>> 16) & 0xff,
    dnssecOk: (record.ttl & 0x8000) !== 0,
    options,
  };
}

function readRecord(r: Reader): ResourceRecord {
  const name = r.name();
  r.need(10, "a record header");
  const type = r.u16();
  const klass = r.u16();
  const ttl = r.u32();
  const rdlength = r.u16();
  r.need(rdlength, "a record's data");
  const rdataEnd = r.pos + rdlength;
  const data = readData(r, type, rdlength, rdataEnd);
  if (r.pos !== rdataEnd) {
    throw new DNSFormatError(
      `the data of a type ${type} record is not ${rdlength} bytes long as its header says`,
    );
  }
  return { name, type, class: klass, ttl, data };
}

function readData(
  r: Reader,
  type: number,
  length: number,
  end: number,
): RecordData {
  // Names inside RDATA must not run past it, even though pointers may point anywhere before.
  const outerEnd = r.end;
  r.end = end;
  try {
    switch (type) {
      case RecordType.A:
        if (length !== 4) break;
        r.pos += 4;
        return { address: formatIPv4(r.bytes, end - 4) };
      case RecordType.AAAA:
        if (length !== 16) break;
        r.pos += 16;
        return { address: formatIPv6(r.bytes, end - 16) };
      case RecordType.NS:
      case RecordType.CNAME:
      case RecordType.PTR:
        return { name: r.name() };
      case RecordType.MX: {
        r.need(2, "an MX record");
        const preference = r.u16();
        return { preference, exchange: r.name() };
      }
      case RecordType.SOA: {
        const mname = r.name();
        const rname = r.name();
        r.need(20, "an SOA record");
        return {
          mname,
          rname,
          serial: r.u32(),
          refresh: r.u32(),
          retry: r.u32(),
          expire: r.u32(),
          minimum: r.u32(),
        };
      }
      case RecordType.TXT: {
        const strings: string[] = [];
        while (r.pos < end) {
          const n = r.u8();
          r.need(n, "a TXT string");
          strings.push(textDecoder.decode(r.bytes.subarray(r.pos, r.pos + n)));
          r.pos += n;
        }
        return { strings };
      }
      case RecordType.SRV: {
        r.need(6, "an SRV record");
        const priority = r.u16();
        const weight = r.u16();
        const port = r.u16();
        return { priority, weight, port, target: r.name() };
      }
      case RecordType.CAA: {
        r.need(2, "a CAA record");
        const flags = r.u8();
        const tagLength = r.u8();
        r.need(tagLength, "a CAA tag");
        const tag = textDecoder.decode(
          r.bytes.subarray(r.pos, r.pos + tagLength),
        );
        r.pos += tagLength;
        const value = textDecoder.decode(r.bytes.subarray(r.pos, end));
        r.pos = end;
        return { flags, tag, value };
      }
    }
    const rdata = r.bytes.slice(r.pos, end);
    r.pos = end;
    return { rdata };
  } finally {
    r.end = outerEnd;
  }
}

// ---------------------------------------------------------------- encoding

interface ParsedName {
  labels: Uint8Array[];
  /** keys[i]: the lowered text of the name from label i on, for compression. */
  keys: string[];
}

const NAME_CACHE_LIMIT = 4096;
const nameCache = new Map<string, ParsedName>();

function parseName(name: string): ParsedName {
  let parsed = nameCache.get(name);
  if (parsed !== undefined) return parsed;
  const labels = nameToLabels(name);
  const key = nameKey(name);
  const keys: string[] = [];
  if (!key.includes("\\")) {
    let index = 0;
    for (const label of labels) {
      keys.push(key.slice(index));
      index += label.length + 1;
    }
  } else {
    const texts = labels.map((label) =>
      nameKey(labelToString(label, 0, label.length))
    );
    for (let i = 0; i < texts.length; i++) keys.push(texts.slice(i).join("."));
  }
  parsed = { labels, keys };
  if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear();
  nameCache.set(name, parsed);
  return parsed;
}

class Writer {
  buf: Uint8Array = new Uint8Array(4096);
  pos = 0;
  base = 0;
  compress = true;
  names: Map<string, number> = new Map();

  reset(base: number, compress: boolean): void {
    this.pos = base;
    this.base = base;
    this.compress = compress;
    this.names.clear();
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos + n - this.base > MAX_MESSAGE_SIZE) {
      throw new DNSFormatError(
        `the message would be longer than ${MAX_MESSAGE_SIZE} bytes`,
      );
    }
    const bigger = new Uint8Array(
      Math.max(this.buf.length * 2, this.pos + n),
    );
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf[this.pos] = v >> 8;
    this.buf[this.pos + 1] = v;
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos += 4;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  name(name: string, compressible: boolean): void {
    const { labels, keys } = parseName(name);
    const compress = this.compress && compressible;
    for (let i = 0; i < labels.length; i++) {
      const key = keys[i]!;
      if (compress) {
        const pointer = this.names.get(key);
        if (pointer !== undefined) {
          this.u16(0xc000 | pointer);
          return;
        }
      }
      const offset = this.pos - this.base;
      if (offset < 0x4000 && !this.names.has(key)) this.names.set(key, offset);
      const label = labels[i]!;
      this.ensure(label.length + 1);
      this.buf[this.pos++] = label.length;
      this.buf.set(label, this.pos);
      this.pos += label.length;
    }
    this.u8(0);
  }
}

const writer = new Writer();

function checkUint(value: unknown, max: number, what: string): number {
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 0 ||
    value > max
  ) {
    throw new DNSFormatError(
      `${what} must be an integer from 0 to ${max}, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Encodes a message in wire format, compressing names unless told not to.
 * Throws {@linkcode DNSFormatError} when the message cannot be represented:
 * a label over 63 bytes, a name over 255 bytes, a bad address, a number out
 * of range, a result over 65535 bytes, or an RCODE over 15 without EDNS.
 *
 * @example Usage
 * ```ts
 * import { createMessage, encodeMessage, RecordType } from "@spindle/spindle/protocols/dns";
 * const bytes = encodeMessage(createMessage({
 *   id: 0x1234,
 *   questions: [{ name: "example.org", type: RecordType.A, class: 1 }],
 * }));
 * console.assert(bytes.length === 12 + 13 + 4);
 * ```
 */
export function encodeMessage(
  message: DNSMessage,
  options: EncodeOptions = {},
): Uint8Array {
  const w = writer;
  const prefix = options.lengthPrefix ? 2 : 0;
  w.reset(prefix, options.compress ?? true);
  const rcode = checkUint(message.rcode, 0xfff, "rcode");
  if (rcode > 15 && message.edns === undefined) {
    throw new DNSFormatError(
      `rcode ${rcode} needs EDNS (an OPT record) to be sent: set message.edns`,
    );
  }
  w.ensure(12);
  w.u16(checkUint(message.id, 0xffff, "the message ID"));
  w.u16(
    (message.response ? 0x8000 : 0) |
      (checkUint(message.opcode, 15, "opcode") << 11) |
      (message.authoritative ? 0x0400 : 0) |
      (message.truncated ? 0x0200 : 0) |
      (message.recursionDesired ? 0x0100 : 0) |
      (message.recursionAvailable ? 0x0080 : 0) |
      (message.authenticData ? 0x0020 : 0) |
      (message.checkingDisabled ? 0x0010 : 0) |
      (rcode & 0xf),
  );
  w.u16(message.questions.length);
  w.u16(message.answers.length);
  w.u16(message.authority.length);
  w.u16(message.additional.length + (message.edns ? 1 : 0));
  for (const question of message.questions) writeQuestion(w, question);
  for (const record of message.answers) writeRecord(w, record);
  for (const record of message.authority) writeRecord(w, record);
  for (const record of message.additional) writeRecord(w, record);
  if (message.edns !== undefined) writeOPT(w, message.edns, rcode >> 4);
  const length = w.pos - prefix;
  if (length > MAX_MESSAGE_SIZE) {
    throw new DNSFormatError(
      `the message is ${length} bytes; the limit is ${MAX_MESSAGE_SIZE}`,
    );
  }
  if (prefix) {
    w.buf[0] = length >> 8;
    w.buf[1] = length;
  }
  return w.buf.slice(0, w.pos);
}

function writeQuestion(w: Writer, question: Question): void {
  w.name(question.name, true);
  w.u16(checkUint(question.type, 0xffff, "a question's type"));
  w.u16(checkUint(question.class, 0xffff, "a question's class"));
}

function writeOPT(w: Writer, edns: EDNS, extendedRcode: number): void {
  w.u8(0);
  w.u16(RecordType.OPT);
  w.u16(checkUint(edns.udpPayloadSize, 0xffff, "the EDNS UDP payload size"));
  w.u8(extendedRcode);
  w.u8(checkUint(edns.version, 255, "the EDNS version"));
  w.u16(edns.dnssecOk ? 0x8000 : 0);
  const lengthAt = w.pos;
  w.u16(0);
  for (const option of edns.options) {
    w.u16(checkUint(option.code, 0xffff, "an EDNS option code"));
    w.u16(checkUint(option.data.length, 0xffff, "an EDNS option's length"));
    w.bytes(option.data);
  }
  patchLength(w, lengthAt);
}

function patchLength(w: Writer, at: number): void {
  const length = w.pos - at - 2;
  if (length > 0xffff) {
    throw new DNSFormatError(
      `a record's data is ${length} bytes; the limit is 65535`,
    );
  }
  w.buf[at] = length >> 8;
  w.buf[at + 1] = length;
}

function writeRecord(w: Writer, record: ResourceRecord): void {
  w.name(record.name, true);
  const type = checkUint(record.type, 0xffff, "a record's type");
  w.u16(type);
  w.u16(checkUint(record.class, 0xffff, "a record's class"));
  w.u32(checkUint(record.ttl, 0xffffffff, "a record's TTL"));
  const lengthAt = w.pos;
  w.u16(0);
  writeData(w, type, record.data);
  patchLength(w, lengthAt);
}

function shapeError(type: number, expected: string): DNSFormatError {
  return new DNSFormatError(
    `a type ${type} record needs data of the shape ${expected}`,
  );
}

function writeData(w: Writer, type: number, data: RecordData): void {
  if (data === null || typeof data !== "object") {
    throw new DNSFormatError(`a type ${type} record has no data object`);
  }
  if ("rdata" in data && data.rdata instanceof Uint8Array) {
    w.bytes(data.rdata);
    return;
  }
  switch (type) {
    case RecordType.A:
    case RecordType.AAAA: {
      const text = (data as AddressData).address;
      if (typeof text !== "string") throw shapeError(type, "{ address }");
      const bytes = type === RecordType.A ? parseIPv4(text) : parseIPv6(text);
      if (bytes === null) {
        throw new DNSFormatError(
          `${JSON.stringify(text)} is not an IPv${
            type === RecordType.A ? 4 : 6
          } address`,
        );
      }
      w.bytes(bytes);
      return;
    }
    case RecordType.NS:
    case RecordType.CNAME:
    case RecordType.PTR: {
      const name = (data as NameData).name;
      if (typeof name !== "string") throw shapeError(type, "{ name }");
      w.name(name, true);
      return;
    }
    case RecordType.MX: {
      const mx = data as MXData;
      if (typeof mx.exchange !== "string") {
        throw shapeError(type, "{ preference, exchange }");
      }
      w.u16(checkUint(mx.preference, 0xffff, "an MX preference"));
      w.name(mx.exchange, true);
      return;
    }
    case RecordType.SOA: {
      const soa = data as SOAData;
      if (typeof soa.mname !== "string" || typeof soa.rname !== "string") {
        throw shapeError(type, "{ mname, rname, serial, ... }");
      }
      w.name(soa.mname, true);
      w.name(soa.rname, true);
      w.u32(checkUint(soa.serial, 0xffffffff, "an SOA serial"));
      w.u32(checkUint(soa.refresh, 0xffffffff, "an SOA refresh"));
      w.u32(checkUint(soa.retry, 0xffffffff, "an SOA retry"));
      w.u32(checkUint(soa.expire, 0xffffffff, "an SOA expire"));
      w.u32(checkUint(soa.minimum, 0xffffffff, "an SOA minimum"));
      return;
    }
    case RecordType.TXT: {
      const strings = (data as TXTData).strings;
      if (!Array.isArray(strings)) throw shapeError(type, "{ strings }");
      for (const s of strings) {
        const bytes = textEncoder.encode(s);
        if (bytes.length > 255) {
          throw new DNSFormatError(
            `a TXT string is ${bytes.length} bytes; split it into strings of at most 255`,
          );
        }
        w.u8(bytes.length);
        w.bytes(bytes);
      }
      return;
    }
    case RecordType.SRV: {
      const srv = data as SRVData;
      if (typeof srv.target !== "string") {
        throw shapeError(type, "{ priority, weight, port, target }");
      }
      w.u16(checkUint(srv.priority, 0xffff, "an SRV priority"));
      w.u16(checkUint(srv.weight, 0xffff, "an SRV weight"));
      w.u16(checkUint(srv.port, 0xffff, "an SRV port"));
      // RFC 2782: the target is not compressed.
      w.name(srv.target, false);
      return;
    }
    case RecordType.CAA: {
      const caa = data as CAAData;
      if (typeof caa.tag !== "string" || typeof caa.value !== "string") {
        throw shapeError(type, "{ flags, tag, value }");
      }
      const tag = textEncoder.encode(caa.tag);
      if (tag.length < 1 || tag.length > 255) {
        throw new DNSFormatError("a CAA tag must be 1 to 255 bytes");
      }
      w.u8(checkUint(caa.flags, 255, "CAA flags"));
      w.u8(tag.length);
      w.bytes(tag);
      w.bytes(textEncoder.encode(caa.value));
      return;
    }
  }
  throw new DNSFormatError(
    `a type ${type} record needs its data as { rdata: Uint8Array } (RFC 3597)`,
  );
}
