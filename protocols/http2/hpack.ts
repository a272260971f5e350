/**
 * HPACK, the header compression of HTTP/2 (RFC 7541): a decoder with a
 * bounded dynamic table and a bounded header list, and an encoder that indexes
 * repeated fields and Huffman-codes strings when that is shorter.
 *
 * Header lists are flat arrays of strings, `[name, value, name, value, ...]`,
 * each string holding one byte per character (latin1), as HTTP fields are
 * bytes.
 *
 * @module
 */
import { HeaderListTooLargeError, HPACKDecodingError } from "./errors.ts";
import { huffmanDecode, huffmanEncode, huffmanLength } from "./_huffman.ts";
import {
  DEFAULT_HEADER_TABLE_SIZE,
  DEFAULT_MAX_HEADER_LIST_SIZE,
} from "./limits.ts";

/** The static table (RFC 7541 Appendix A), indexes 1..61. */
const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"],
  ["accept-language", ""],
  ["accept-ranges", ""],
  ["accept", ""],
  ["access-control-allow-origin", ""],
  ["age", ""],
  ["allow", ""],
  ["authorization", ""],
  ["cache-control", ""],
  ["content-disposition", ""],
  ["content-encoding", ""],
  ["content-language", ""],
  ["content-length", ""],
  ["content-location", ""],
  ["content-range", ""],
  ["content-type", ""],
  ["cookie", ""],
  ["date", ""],
  ["etag", ""],
  ["expect", ""],
  ["expires", ""],
  ["from", ""],
  ["host", ""],
  ["if-match", ""],
  ["if-modified-since", ""],
  ["if-none-match", ""],
  ["if-range", ""],
  ["if-unmodified-since", ""],
  ["last-modified", ""],
  ["link", ""],
  ["location", ""],
  ["max-forwards", ""],
  ["proxy-authenticate", ""],
  ["proxy-authorization", ""],
  ["range", ""],
  ["referer", ""],
  ["refresh", ""],
  ["retry-after", ""],
  ["server", ""],
  ["set-cookie", ""],
  ["strict-transport-security", ""],
  ["transfer-encoding", ""],
  ["user-agent", ""],
  ["vary", ""],
  ["via", ""],
  ["www-authenticate", ""],
];
const STATIC_LENGTH = STATIC_TABLE.length;
/** Static index of each name (its first entry) and of each name-value pair. */
const STATIC_NAMES = new Map<string, number>();
const STATIC_PAIRS = new Map<string, number>();
STATIC_TABLE.forEach(([name, value], i) => {
  if (!STATIC_NAMES.has(name)) STATIC_NAMES.set(name, i + 1);
  if (value !== "") STATIC_PAIRS.set(`${name}\0${value}`, i + 1);
});

/** The size of an entry: its name and value plus 32 (RFC 7541 §4.1). */
function entrySize(name: string, value: string): number {
  return name.length + value.length + 32;
}

/** A dynamic table (RFC 7541 §2.3.2): newest entries last in the array. */
class DynamicTable {
  entries: Array<[string, string]> = [];
  size = 0;
  maxSize: number;
  /** Entries ever added and ever evicted: an entry's id is its insertion number. */
  inserted = 0;
  evicted = 0;

  constructor(maxSize: number) {
    this.maxSize = maxSize;
  }

  /** The entry at HPACK dynamic index `index` (1: the newest). */
  get(index: number): [string, string] | undefined {
    return this.entries[this.entries.length - index];
  }

  add(name: string, value: string): void {
    const size = entrySize(name, value);
    this.evictTo(this.maxSize - size);
    // An entry larger than the table empties it and is not added (§4.4).
    if (size > this.maxSize) return;
    this.entries.push([name, value]);
    this.size += size;
    this.inserted++;
  }

  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evictTo(maxSize);
  }

  /** Evicts the oldest entries until the table holds at most `size` bytes. */
  evictTo(size: number): void {
    let drop = 0;
    while (this.size > Math.max(size, 0) && drop < this.entries.length) {
      const [name, value] = this.entries[drop++]!;
      this.size -= entrySize(name, value);
    }
    if (drop > 0) {
      this.entries.splice(0, drop);
      this.evicted += drop;
    }
  }
}

/** Options for {@linkcode HPACKDecoder}. */
export interface HPACKDecoderOptions {
  /** The dynamic table size we allow the peer (our SETTINGS_HEADER_TABLE_SIZE). Default 4096. */
  maxTableSize?: number;
  /** The largest header list decoded (RFC 7541 §4.1 sizes). Default 16384. */
  maxHeaderListSize?: number;
}

/**
 * Decodes header blocks, keeping the dynamic table across blocks. A block
 * whose header list grows over `maxHeaderListSize` stops decoding with
 * {@linkcode HeaderListTooLargeError} (before the bytes are copied), which
 * bounds HPACK bombs; malformed blocks raise {@linkcode HPACKDecodingError}.
 * Either way the table is out of step with the peer's, so the connection must
 * end.
 *
 * @example Usage
 * ```ts
 * import { HPACKDecoder, HPACKEncoder } from "@spindle/spindle/protocols/http2";
 * const block = new HPACKEncoder().encode([":method", "GET", "accept", "*\/*"]);
 * const fields = new HPACKDecoder().decode(block);
 * console.assert(fields[3] === "*\/*");
 * ```
 */
export class HPACKDecoder {
  #table: DynamicTable;
  #limit: number;
  #maxListSize: number;

  /** Creates a decoder with `options`' limits. */
  constructor(options: HPACKDecoderOptions = {}) {
    this.#limit = options.maxTableSize ?? DEFAULT_HEADER_TABLE_SIZE;
    this.#maxListSize = options.maxHeaderListSize ??
      DEFAULT_MAX_HEADER_LIST_SIZE;
    this.#table = new DynamicTable(this.#limit);
  }

  /** The dynamic table's current size in bytes (for tests). */
  get tableSize(): number {
    return this.#table.size;
  }

  /** The dynamic table's entries, newest first (for tests). */
  get tableEntries(): Array<[string, string]> {
    return [...this.#table.entries].reverse();
  }

  /** Decodes one whole header block into `[name, value, ...]`. */
  decode(block: Uint8Array): string[] {
    const out: string[] = [];
    const cursor = { at: 0 };
    let budget = this.#maxListSize;
    const table = this.#table;
    while (cursor.at < block.byteLength) {
      const byte = block[cursor.at]!;
      let name: string;
      let value: string;
      if (byte & 0x80) {
        // Indexed field (§6.1).
        const entry = this.#entry(readInteger(block, cursor, 7));
        [name, value] = entry;
      } else if ((byte & 0xe0) === 0x20) {
        // Dynamic table size update (§6.3): only before the first field.
        const size = readInteger(block, cursor, 5);
        if (out.length > 0) {
          throw new HPACKDecodingError(
            "a dynamic table size update after a field: send it at the start of the block (RFC 7541 §4.2)",
          );
        }
        if (size > this.#limit) {
          throw new HPACKDecodingError(
            `a dynamic table size update to ${size} bytes, over SETTINGS_HEADER_TABLE_SIZE (${this.#limit})`,
          );
        }
        table.resize(size);
        continue;
      } else {
        // Literal (§6.2): with incremental indexing (01), without (0000),
        // never indexed (0001).
        const indexing = (byte & 0xc0) === 0x40;
        const index = readInteger(block, cursor, indexing ? 6 : 4);
        name = index === 0
          ? readString(block, cursor, budget)
          : this.#entry(index)[0];
        value = readString(block, cursor, budget - name.length);
        if (indexing) table.add(name, value);
      }
      budget -= entrySize(name, value);
      if (budget < 0) throw new HeaderListTooLargeError(this.#maxListSize);
      out.push(name, value);
    }
    return out;
  }

  #entry(index: number): readonly [string, string] {
    if (index === 0) {
      throw new HPACKDecodingError("a field refers to index 0 (RFC 7541 §6.1)");
    }
    const entry = index <= STATIC_LENGTH
      ? STATIC_TABLE[index - 1]
      : this.#table.get(index - STATIC_LENGTH);
    if (entry === undefined) {
      throw new HPACKDecodingError(
        `a field refers to index ${index}, past the dynamic table`,
      );
    }
    return entry;
  }
}

/** Reads an HPACK integer with an `prefix`-bit prefix (RFC 7541 §5.1). */
function readInteger(
  block: Uint8Array,
  cursor: { at: number },
  prefix: number,
): number {
  const mask = (1 << prefix) - 1;
  let value = block[cursor.at++]! & mask;
  if (value < mask) return value;
  let shift = 0;
  while (true) {
    const byte = block[cursor.at++];
    if (byte === undefined) {
      throw new HPACKDecodingError("a header block ends inside an integer");
    }
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    // Nothing in HTTP/2 needs more than 31 bits; longer is an attack.
    if (value > 0x7fffffff || shift > 35) {
      throw new HPACKDecodingError("an integer in a header block is too large");
    }
    if ((byte & 0x80) === 0) return value;
  }
}

/** Reads a string literal (§5.2), refusing one that cannot fit in `budget` bytes. */
function readString(
  block: Uint8Array,
  cursor: { at: number },
  budget: number,
): string {
  if (cursor.at >= block.byteLength) {
    throw new HPACKDecodingError("a header block ends before a string");
  }
  const huffman = (block[cursor.at]! & 0x80) !== 0;
  const length = readInteger(block, cursor, 7);
  // The longest Huffman code is 30 bits: the decoded string is at least
  // this long, so an oversized one is refused before it is read.
  const least = huffman ? Math.floor(length * 8 / 30) : length;
  if (least > budget) throw new HeaderListTooLargeError(budget);
  const end = cursor.at + length;
  if (end > block.byteLength) {
    throw new HPACKDecodingError("a string runs past the end of its block");
  }
  const bytes = block.subarray(cursor.at, end);
  cursor.at = end;
  return huffman ? huffmanDecode(bytes) : latin1(bytes);
}

function latin1(bytes: Uint8Array): string {
  if (bytes.byteLength < 4096) {
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  let out = "";
  for (let i = 0; i < bytes.byteLength; i += 4096) {
    out += String.fromCharCode.apply(
      null,
      bytes.subarray(i, i + 4096) as unknown as number[],
    );
  }
  return out;
}

// Fields whose values change per message: indexing them would only churn
// the table.
const NOT_INDEXED = new Set([
  ":path",
  "content-length",
  "date",
  "etag",
  "last-modified",
  "age",
  "content-range",
  "location",
  "if-none-match",
  "if-modified-since",
]);
// Fields that intermediaries must never index either (§7.1.3): secrets.
const NEVER_INDEXED = new Set([
  "authorization",
  "proxy-authorization",
  "set-cookie",
  "cookie",
]);

/** Options for {@linkcode HPACKEncoder}. */
export interface HPACKEncoderOptions {
  /** The dynamic table size to use (at most the peer's SETTINGS_HEADER_TABLE_SIZE). Default 4096. */
  maxTableSize?: number;
}

/**
 * Encodes header lists into header blocks. Repeated fields are indexed in the
 * dynamic table, except those whose values change per message (`:path`,
 * `content-length`, `date`...) and secrets (`authorization`, `cookie`,
 * `set-cookie`), which are sent never-indexed; strings are Huffman-coded when
 * that is shorter.
 *
 * @example Usage
 * ```ts
 * import { HPACKEncoder } from "@spindle/spindle/protocols/http2";
 * const encoder = new HPACKEncoder();
 * const first = encoder.encode(["content-type", "text/plain"]);
 * const second = encoder.encode(["content-type", "text/plain"]);
 * console.assert(second.byteLength === 1 && first.byteLength > 1);
 * ```
 */
export class HPACKEncoder {
  #table: DynamicTable;
  #ids = new Map<string, number>();
  #nameIds = new Map<string, number>();
  #sizeUpdate = -1;

  /** Creates an encoder with `options.maxTableSize`. */
  constructor(options: HPACKEncoderOptions = {}) {
    this.#table = new DynamicTable(
      options.maxTableSize ?? DEFAULT_HEADER_TABLE_SIZE,
    );
  }

  /**
   * Uses a dynamic table of at most `size` bytes (the peer's
   * SETTINGS_HEADER_TABLE_SIZE changed); the next block says so first.
   */
  setMaxTableSize(size: number): void {
    const capped = Math.min(size, DEFAULT_HEADER_TABLE_SIZE);
    if (capped === this.#table.maxSize) return;
    this.#table.resize(capped);
    this.#sizeUpdate = capped;
  }

  /** Encodes `[name, value, ...]` into one header block. */
  encode(fields: readonly string[]): Uint8Array {
    let capacity = 8;
    for (let i = 0; i < fields.length; i++) capacity += fields[i]!.length + 6;
    const out = new Uint8Array(capacity);
    let at = 0;
    if (this.#sizeUpdate >= 0) {
      at = writeInteger(out, at, this.#sizeUpdate, 5, 0x20);
      this.#sizeUpdate = -1;
    }
    for (let i = 0; i < fields.length; i += 2) {
      at = this.#field(out, at, fields[i]!, fields[i + 1]!);
    }
    return out.subarray(0, at);
  }

  #field(out: Uint8Array, at: number, name: string, value: string): number {
    const table = this.#table;
    const pair = `${name}\0${value}`;
    const staticPair = STATIC_PAIRS.get(pair);
    if (staticPair !== undefined) {
      return writeInteger(out, at, staticPair, 7, 0x80);
    }
    const id = this.#ids.get(pair);
    if (id !== undefined && id > table.evicted) {
      return writeInteger(
        out,
        at,
        STATIC_LENGTH + table.inserted - id + 1,
        7,
        0x80,
      );
    }
    let nameIndex = STATIC_NAMES.get(name) ?? 0;
    if (nameIndex === 0) {
      const nameId = this.#nameIds.get(name);
      if (nameId !== undefined && nameId > table.evicted) {
        nameIndex = STATIC_LENGTH + table.inserted - nameId + 1;
      }
    }
    if (NEVER_INDEXED.has(name)) {
      at = writeInteger(out, at, nameIndex, 4, 0x10);
    } else if (
      NOT_INDEXED.has(name) || entrySize(name, value) > table.maxSize / 2
    ) {
      at = writeInteger(out, at, nameIndex, 4, 0x00);
    } else {
      at = writeInteger(out, at, nameIndex, 6, 0x40);
      table.add(name, value);
      const added = table.inserted;
      this.#ids.set(pair, added);
      this.#nameIds.set(name, added);
      if (this.#ids.size > 4 * (table.entries.length + 1)) this.#prune();
    }
    if (nameIndex === 0) at = writeString(out, at, name);
    return writeString(out, at, value);
  }

  /** Forgets the ids of evicted entries, so the maps stay as small as the table. */
  #prune(): void {
    const evicted = this.#table.evicted;
    for (const [key, id] of this.#ids) if (id <= evicted) this.#ids.delete(key);
    for (const [key, id] of this.#nameIds) {
      if (id <= evicted) this.#nameIds.delete(key);
    }
  }
}

/** Writes an HPACK integer with a `prefix`-bit prefix after the `flags` bits. */
function writeInteger(
  out: Uint8Array,
  at: number,
  value: number,
  prefix: number,
  flags: number,
): number {
  const mask = (1 << prefix) - 1;
  if (value < mask) {
    out[at++] = flags | value;
    return at;
  }
  out[at++] = flags | mask;
  value -= mask;
  while (value >= 0x80) {
    out[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

function writeString(out: Uint8Array, at: number, text: string): number {
  const coded = huffmanLength(text);
  if (coded < text.length) {
    at = writeInteger(out, at, coded, 7, 0x80);
    return huffmanEncode(text, out, at);
  }
  at = writeInteger(out, at, text.length, 7, 0);
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}
