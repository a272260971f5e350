/**
 * The response decoder of memcached's text protocol: lines, and the data
 * blocks that follow `VALUE` lines.
 *
 * @module
 */
import type { DecoderCore } from "../../reactor/codec.ts";
import { concatBytes, EMPTY_BYTES } from "../../reactor/bytes.ts";
import { LineTooLongError } from "../basic/errors.ts";
import { MalformedResponseError, ValueTooLargeError } from "./errors.ts";
import {
  DEFAULT_MAX_VALUE_SIZE,
  MAX_RESPONSE_LINE,
  type MemcacheLimits,
} from "./limits.ts";

/**
 * One item of a get or gets response.
 *
 * @example Usage
 * ```ts
 * import type { MemcacheItem } from "@spindle/spindle/protocols/memcache";
 * const item: MemcacheItem = { key: "k", flags: 0, value: new Uint8Array([1]) };
 * console.assert(item.value.length === 1);
 * ```
 */
export interface MemcacheItem {
  /** The key. */
  key: string;
  /** The flags stored with the value. */
  flags: number;
  /** The value. */
  value: Uint8Array;
  /** The CAS unique, for `gets` (a decimal string: it may pass 2^53). */
  cas?: string;
}

/**
 * What the decoder yields: a {@linkcode MemcacheItem} for each `VALUE`
 * block, a string for every other line (without its CRLF).
 *
 * @example Usage
 * ```ts
 * import type { MemcacheResponsePart } from "@spindle/spindle/protocols/memcache";
 * const part: MemcacheResponsePart = "STORED";
 * console.assert(part === "STORED");
 * ```
 */
export type MemcacheResponsePart = string | MemcacheItem;

const utf8 = new TextDecoder();

function latin1(bytes: Uint8Array, start: number, end: number): string {
  // One call for the whole line (lines are short: MAX_RESPONSE_LINE).
  return String.fromCharCode.apply(
    null,
    bytes.subarray(start, end) as unknown as number[],
  );
}

// A key as the client sent it: UTF-8, most often plain ASCII.
function keyString(bytes: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) return utf8.decode(bytes.subarray(start, end));
  }
  return latin1(bytes, start, end);
}

// The index of the first space in bytes[start, end), or `end`.
function nextSpace(bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (bytes[i] === 32) return i;
  return end;
}

// The decimal number in bytes[start, end), or -1 when it is not one.
function decimal(bytes: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The decoder core of memcached's responses: incremental, with limits on
 * line length and value size. Values are handed out as views of the input
 * chunks (which the reader owns), not copies.
 *
 * @example Usage
 * ```ts
 * import {
 *   MemcacheResponseCore,
 *   type MemcacheResponsePart,
 * } from "@spindle/spindle/protocols/memcache";
 * const core = new MemcacheResponseCore();
 * const out: MemcacheResponsePart[] = [];
 * core.decode(new TextEncoder().encode("VALUE k 0 2\r\nhi\r\nEND\r\n"), out);
 * console.assert(out.length === 2 && out[1] === "END");
 * ```
 */
export class MemcacheResponseCore implements DecoderCore<MemcacheResponsePart> {
  #buffer: Uint8Array = EMPTY_BYTES;
  #maxValueSize: number;
  // The VALUE line whose data block is awaited (size -1: none), in fields
  // rather than an object: one less allocation per item.
  #key = "";
  #flags = 0;
  #size = -1;
  #cas: string | undefined = undefined;

  /** Creates the core. */
  constructor(options: MemcacheLimits = {}) {
    this.#maxValueSize = options.maxValueSize ?? DEFAULT_MAX_VALUE_SIZE;
  }

  /** Decodes every whole line and value block in `chunk` into `out`. */
  decode(chunk: Uint8Array, out: MemcacheResponsePart[]): void {
    const buffer = this.#buffer.length === 0
      ? chunk
      : concatBytes(this.#buffer, chunk);
    let pos = 0;
    for (;;) {
      if (this.#size !== -1) {
        const end = pos + this.#size;
        if (buffer.length < end + 2) break;
        if (buffer[end] !== 13 || buffer[end + 1] !== 10) {
          throw new MalformedResponseError(
            `VALUE ${this.#key}: data not ended by CRLF`,
          );
        }
        out.push({
          key: this.#key,
          flags: this.#flags,
          value: buffer.subarray(pos, end),
          cas: this.#cas,
        });
        this.#size = -1;
        pos = end + 2;
        continue;
      }
      const newline = buffer.indexOf(10, pos);
      if (newline === -1) {
        if (buffer.length - pos > MAX_RESPONSE_LINE) {
          throw new LineTooLongError(MAX_RESPONSE_LINE);
        }
        break;
      }
      const end = newline > pos && buffer[newline - 1] === 13
        ? newline - 1
        : newline;
      // The lines of a get, "VALUE ..." and "END", are read as bytes: no
      // string is made of a whole line on the hot path.
      if (
        end - pos === 3 && buffer[pos] === 69 && buffer[pos + 1] === 78 &&
        buffer[pos + 2] === 68
      ) {
        out.push("END");
      } else if (
        buffer[pos] === 86 && buffer[pos + 1] === 65 &&
        buffer[pos + 2] === 76 && buffer[pos + 3] === 85 &&
        buffer[pos + 4] === 69 && buffer[pos + 5] === 32
      ) {
        this.#valueHeader(buffer, pos + 6, end);
      } else {
        out.push(latin1(buffer, pos, end));
      }
      pos = newline + 1;
    }
    this.#buffer = pos === buffer.length ? EMPTY_BYTES : buffer.subarray(pos);
  }

  // "VALUE <key> <flags> <bytes> [<cas unique>]", from after "VALUE ".
  #valueHeader(buffer: Uint8Array, start: number, end: number): void {
    const keyEnd = nextSpace(buffer, start, end);
    const flagsEnd = nextSpace(buffer, keyEnd + 1, end);
    const sizeEnd = nextSpace(buffer, flagsEnd + 1, end);
    const flags = decimal(buffer, keyEnd + 1, flagsEnd);
    const size = decimal(buffer, flagsEnd + 1, sizeEnd);
    const cas = sizeEnd < end ? latin1(buffer, sizeEnd + 1, end) : undefined;
    if (
      keyEnd === start || flags === -1 || size === -1 ||
      (cas !== undefined && !/^\d{1,20}$/.test(cas))
    ) {
      throw new MalformedResponseError(latin1(buffer, start - 6, end));
    }
    if (size > this.#maxValueSize) {
      throw new ValueTooLargeError(size, this.#maxValueSize);
    }
    this.#key = keyString(buffer, start, keyEnd);
    this.#flags = flags;
    this.#size = size;
    this.#cas = cas;
  }

  /** The end of input: fails when it came mid-response. */
  end(_out: MemcacheResponsePart[]): void {
    if (this.#buffer.length > 0 || this.#size !== -1) {
      throw new MalformedResponseError("(the connection ended mid-response)");
    }
  }

  /** Hands back the bytes not yet decoded. */
  release(): Uint8Array {
    const rest = this.#buffer;
    this.#buffer = EMPTY_BYTES;
    return rest;
  }
}
