/**
 * The SSH data types of RFC 4251 §5 (byte, boolean, uint32, uint64, string,
 * mpint, name-list), read and written over byte arrays.
 *
 * @module
 */
import { SSHProtocolError } from "./errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads RFC 4251 §5 values from a message; reading past its end throws
 * {@linkcode SSHProtocolError}.
 *
 * @example Usage
 * ```ts
 * import { SSHReader, SSHWriter } from "@spindle/spindle/protocols/ssh";
 * const bytes = new SSHWriter().byte(5).string("ssh-userauth").finish();
 * const reader = new SSHReader(bytes);
 * console.assert(reader.byte() === 5 && reader.text() === "ssh-userauth");
 * ```
 */
export class SSHReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset: number;

  /** Creates a reader over `bytes`, from `offset`. */
  constructor(bytes: Uint8Array, offset = 0) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    this.#offset = offset;
  }

  /** How many bytes are left. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(count: number): number {
    const at = this.#offset;
    if (at + count > this.#bytes.length) {
      throw new SSHProtocolError(
        `a message ended early: needed ${count} more bytes at offset ${at} of ${this.#bytes.length}`,
      );
    }
    this.#offset = at + count;
    return at;
  }

  /** A byte. */
  byte(): number {
    return this.#bytes[this.#need(1)]!;
  }

  /** A boolean (any non-zero byte is true). */
  boolean(): boolean {
    return this.byte() !== 0;
  }

  /** A uint32. */
  uint32(): number {
    return this.#view.getUint32(this.#need(4));
  }

  /** A uint64, as a number (exact up to 2^53). */
  uint64(): number {
    const at = this.#need(8);
    return this.#view.getUint32(at) * 2 ** 32 + this.#view.getUint32(at + 4);
  }

  /** A string's bytes, as a view into the message. */
  bytes(): Uint8Array {
    const length = this.uint32();
    const at = this.#need(length);
    return this.#bytes.subarray(at, at + length);
  }

  /** A string, decoded as UTF-8; throws on invalid UTF-8. */
  text(): string {
    try {
      return decoder.decode(this.bytes());
    } catch (error) {
      if (error instanceof SSHProtocolError) throw error;
      throw new SSHProtocolError("a string was not valid UTF-8");
    }
  }

  /** A name-list. */
  nameList(): string[] {
    const text = this.text();
    return text === "" ? [] : text.split(",");
  }

  /** `count` raw bytes. */
  raw(count: number): Uint8Array {
    const at = this.#need(count);
    return this.#bytes.subarray(at, at + count);
  }

  /** The bytes left, as a view. */
  rest(): Uint8Array {
    return this.raw(this.remaining);
  }
}

/**
 * Builds a message of RFC 4251 §5 values in a growing buffer.
 *
 * @example Usage
 * ```ts
 * import { SSHWriter } from "@spindle/spindle/protocols/ssh";
 * const bytes = new SSHWriter().uint32(1).string("a").finish();
 * console.assert(bytes.length === 9);
 * ```
 */
export class SSHWriter {
  #bytes: Uint8Array<ArrayBuffer>;
  #view: DataView;
  #length: number;

  /** Creates a writer; `reserve` bytes are left blank at the start (for packet headers). */
  constructor(reserve = 0, capacity = 256) {
    this.#bytes = new Uint8Array(Math.max(capacity, reserve + 16));
    this.#view = new DataView(this.#bytes.buffer);
    this.#length = reserve;
  }

  #grow(count: number): number {
    const at = this.#length;
    if (at + count > this.#bytes.length) {
      const bigger = new Uint8Array(
        Math.max(this.#bytes.length * 2, at + count),
      );
      bigger.set(this.#bytes.subarray(0, at));
      this.#bytes = bigger;
      this.#view = new DataView(bigger.buffer);
    }
    this.#length = at + count;
    return at;
  }

  /** Appends a byte. */
  byte(value: number): this {
    const at = this.#grow(1);
    this.#bytes[at] = value;
    return this;
  }

  /** Appends a boolean. */
  boolean(value: boolean): this {
    return this.byte(value ? 1 : 0);
  }

  /** Appends a uint32. */
  uint32(value: number): this {
    const at = this.#grow(4);
    this.#view.setUint32(at, value);
    return this;
  }

  /** Appends a uint64 (from a number up to 2^53). */
  uint64(value: number): this {
    const at = this.#grow(8);
    this.#view.setUint32(at, Math.floor(value / 2 ** 32));
    this.#view.setUint32(at + 4, value >>> 0);
    return this;
  }

  /** Appends a string: bytes as they are, text as UTF-8. */
  string(value: Uint8Array | string): this {
    const bytes = typeof value === "string" ? encoder.encode(value) : value;
    this.uint32(bytes.length);
    const at = this.#grow(bytes.length);
    this.#bytes.set(bytes, at);
    return this;
  }

  /** Appends a name-list. */
  nameList(names: readonly string[]): this {
    return this.string(names.join(","));
  }

  /** Appends an mpint from its unsigned big-endian magnitude. */
  mpint(magnitude: Uint8Array): this {
    let start = 0;
    while (start < magnitude.length && magnitude[start] === 0) start++;
    const digits = magnitude.subarray(start);
    const pad = digits.length > 0 && (digits[0]! & 0x80) !== 0 ? 1 : 0;
    this.uint32(digits.length + pad);
    if (pad) this.byte(0);
    const at = this.#grow(digits.length);
    this.#bytes.set(digits, at);
    return this;
  }

  /** Appends raw bytes. */
  raw(bytes: Uint8Array): this {
    const at = this.#grow(bytes.length);
    this.#bytes.set(bytes, at);
    return this;
  }

  /** The bytes written so far (a view of the buffer). */
  finish(): Uint8Array<ArrayBuffer> {
    return this.#bytes.subarray(0, this.#length);
  }
}
