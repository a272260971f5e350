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

function latin1(bytes: Uint8Array, start: number, end: number): string {
  // One call for the whole line (lines are short: MAX_RESPONSE_LINE).
  return String.fromCharCode.apply(
    null,
    bytes.subarray(start, end) as unknown as number[],
  );
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
  // The VALUE line whose data block is awaited.
  #pending: { key: string; flags: number; size: number; cas?: string } | null =
    null;

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
      const pending = this.#pending;
      if (pending !== null) {
        const end = pos + pending.size;
        if (buffer.length < end + 2) break;
        if (buffer[end] !== 13 || buffer[end + 1] !== 10) {
          throw new MalformedResponseError(
            `VALUE ${pending.key}: data not ended by CRLF`,
          );
        }
        out.push({
          key: pending.key,
          flags: pending.flags,
          value: buffer.subarray(pos, end),
          cas: pending.cas,
        });
        this.#pending = null;
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
      const line = latin1(buffer, pos, end);
      pos = newline + 1;
      // "VALUE " starts with V (86) A (65): checked on bytes, cheaply.
      if (line.startsWith("VALUE ")) this.#pending = this.#valueHeader(line);
      else out.push(line);
    }
    this.#buffer = pos === buffer.length ? EMPTY_BYTES : buffer.subarray(pos);
  }

  #valueHeader(
    line: string,
  ): { key: string; flags: number; size: number; cas?: string } {
    const parts = line.split(" ");
    if (parts.length !== 4 && parts.length !== 5) {
      throw new MalformedResponseError(line);
    }
    const flags = Number(parts[2]);
    const size = Number(parts[3]);
    if (!Number.isInteger(flags) || !Number.isInteger(size) || size < 0) {
      throw new MalformedResponseError(line);
    }
    if (size > this.#maxValueSize) {
      throw new ValueTooLargeError(size, this.#maxValueSize);
    }
    return { key: parts[1]!, flags, size, cas: parts[4] };
  }

  /** The end of input: fails when it came mid-response. */
  end(_out: MemcacheResponsePart[]): void {
    if (this.#buffer.length > 0 || this.#pending !== null) {
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
