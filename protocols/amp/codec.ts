/**
 * AMP boxes on the wire: the incremental decoder and encoder cores, and the
 * {@linkcode AmpBoxDecoder} / {@linkcode AmpBoxEncoder} streams over them.
 *
 * A box is a sequence of key/value pairs, each a 2-byte big-endian length
 * followed by that many bytes (keys 1–255 bytes, values 0–65535 bytes), ended
 * by an empty key (two zero bytes).
 *
 * @module
 */
import { concatBytes, concatChunks } from "../../reactor/bytes.ts";
import type { Codec, DecoderCore, EncoderCore } from "../../reactor/codec.ts";
import { DecoderStream } from "../../reactor/decoder_stream.ts";
import { EncoderStream } from "../../reactor/encoder_stream.ts";
import {
  BoxTooLargeError,
  EmptyKeyError,
  InvalidKeyError,
  KeyTooLongError,
  TooManyKeysError,
  TruncatedBoxError,
  ValueTooLongError,
} from "./errors.ts";

import {
  type BoxLimits,
  DEFAULT_MAX_BOX_BYTES,
  DEFAULT_MAX_KEYS,
  MAX_KEY_LENGTH,
  MAX_VALUE_LENGTH,
} from "./limits.ts";
import type { AmpBox } from "./message.ts";

/** Options for {@linkcode BoxDecoderCore}: its limits. */
export interface BoxDecoderOptions extends BoxLimits {}

const KEY_LENGTH = 0;
const KEY = 1;
const VALUE_LENGTH = 2;
const VALUE = 3;

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

function decodeKey(bytes: Uint8Array, start: number, end: number): string {
  // Keys are nearly always short ASCII names: skip TextDecoder for them.
  let text = "";
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x80) {
      try {
        return utf8Decoder.decode(bytes.subarray(start, end));
      } catch (error) {
        throw new InvalidKeyError({ cause: error });
      }
    }
    text += String.fromCharCode(byte);
  }
  return text;
}

/**
 * The incremental AMP box decoder: bytes in, {@linkcode AmpBox}es out. The same
 * input split at any byte boundaries gives the same boxes. An empty box is
 * passed on as an empty map (the AMP peer rejects it).
 *
 * The decoder never keeps or exposes the caller's chunk: values are views into
 * one copy of the chunk they arrived in (one allocation per chunk instead of
 * one per value), so a value kept for long keeps that copy alive — `slice()`
 * it to keep just its bytes.
 *
 * @example Usage
 * ```ts
 * import { BoxDecoderCore, encodeBox } from "@spindle/spindle/protocols/amp";
 * const bytes = encodeBox(new Map([["_command", new TextEncoder().encode("Sum")]]));
 * const core = new BoxDecoderCore();
 * const boxes: Map<string, Uint8Array>[] = [];
 * core.decode(bytes.subarray(0, 5), boxes);
 * core.decode(bytes.subarray(5), boxes);
 * console.assert(new TextDecoder().decode(boxes[0]!.get("_command")) === "Sum");
 * ```
 */
export class BoxDecoderCore implements DecoderCore<AmpBox> {
  #maxBoxBytes: number;
  #maxKeys: number;
  #state = KEY_LENGTH;
  /** The first byte of a length prefix split across chunks, or -1. */
  #lengthHigh = -1;
  /** The length of the key or value being read. */
  #need = 0;
  /** The key or value being read, when it spans chunks. */
  #payload: Uint8Array | null = null;
  #filled = 0;
  #box: AmpBox | null = null;
  /** Bytes not looked at yet because `decode` stopped at `max` boxes. */
  #pending: Uint8Array | null = null;
  /** The key whose value is being read. */
  #key = "";
  #boxBytes = 0;

  /** Creates a decoder with the given limits. */
  constructor(options: BoxDecoderOptions = {}) {
    this.#maxBoxBytes = options.maxBoxBytes ?? DEFAULT_MAX_BOX_BYTES;
    this.#maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  /**
   * Decodes the whole boxes in `chunk` (and what was buffered) into `out`.
   * With `max`, stops after that many boxes and keeps the rest of `chunk` for
   * the next call (or for {@linkcode BoxDecoderCore.release}), so a protocol
   * can switch framing right after a given box.
   */
  decode(chunk: Uint8Array, out: AmpBox[], max: number = Infinity): void {
    // Values are views into one copy of the chunk: a copy per value would
    // cost an allocation each, many times the price of a view.
    let copy: Uint8Array | null = null;
    const pending = this.#pending;
    if (pending !== null) {
      this.#pending = null;
      chunk = concatBytes(pending, chunk);
      copy = chunk;
    }
    const n = chunk.length;
    const limit = out.length + max;
    let i = 0;
    if (max <= 0) {
      if (n > 0) this.#pending = copy ?? chunk.slice();
      return;
    }
    while (i < n) {
      const state = this.#state;
      if (state === KEY_LENGTH || state === VALUE_LENGTH) {
        let length: number;
        if (this.#lengthHigh >= 0) {
          length = (this.#lengthHigh << 8) | chunk[i]!;
          this.#lengthHigh = -1;
          i += 1;
        } else if (n - i >= 2) {
          length = (chunk[i]! << 8) | chunk[i + 1]!;
          i += 2;
        } else {
          const high = chunk[i]!;
          if (state === KEY_LENGTH && high !== 0) {
            throw new KeyTooLongError(high << 8);
          }
          this.#lengthHigh = high;
          i += 1;
          continue;
        }
        if (state === VALUE_LENGTH) this.#valueLength(length);
        else {
          this.#keyLength(length, out);
          if (out.length >= limit && i < n) {
            this.#pending = copy !== null ? copy.subarray(i) : chunk.slice(i);
            return;
          }
        }
      } else {
        const need = this.#need;
        let payload = this.#payload;
        if (payload === null) {
          if (n - i >= need) {
            if (state === KEY) {
              this.#key = decodeKey(chunk, i, i + need);
              this.#state = VALUE_LENGTH;
            } else {
              copy ??= chunk.slice();
              this.#box!.set(this.#key, copy.subarray(i, i + need));
              this.#state = KEY_LENGTH;
            }
            i += need;
            continue;
          }
          payload = this.#payload = new Uint8Array(need);
          this.#filled = 0;
        }
        const rest = need - this.#filled;
        const take = rest <= n - i ? rest : n - i;
        payload.set(chunk.subarray(i, i + take), this.#filled);
        this.#filled += take;
        i += take;
        if (this.#filled === need) {
          this.#payload = null;
          if (state === KEY) {
            this.#key = decodeKey(payload, 0, need);
            this.#state = VALUE_LENGTH;
          } else {
            this.#box!.set(this.#key, payload);
            this.#state = KEY_LENGTH;
          }
        }
      }
    }
  }

  #count(bytes: number): void {
    this.#boxBytes += bytes;
    if (this.#boxBytes > this.#maxBoxBytes) {
      throw new BoxTooLargeError(this.#maxBoxBytes);
    }
  }

  #keyLength(length: number, out: AmpBox[]): void {
    if (length === 0) {
      out.push(this.#box ?? new Map());
      this.#box = null;
      this.#boxBytes = 0;
      return;
    }
    if (length > MAX_KEY_LENGTH) throw new KeyTooLongError(length);
    const box = this.#box ??= new Map();
    if (box.size >= this.#maxKeys) throw new TooManyKeysError(this.#maxKeys);
    this.#count(2 + length);
    this.#state = KEY;
    this.#need = length;
  }

  #valueLength(length: number): void {
    this.#count(2 + length);
    if (length === 0) {
      this.#box!.set(this.#key, new Uint8Array(0));
      this.#state = KEY_LENGTH;
      return;
    }
    this.#state = VALUE;
    this.#need = length;
  }

  /**
   * Decodes what an earlier `max` held back, then throws
   * {@linkcode TruncatedBoxError} if the input ended inside a box.
   */
  end(out: AmpBox[]): void {
    if (this.#pending !== null) this.decode(new Uint8Array(0), out);
    if (
      this.#box !== null || this.#state !== KEY_LENGTH || this.#lengthHigh >= 0
    ) {
      throw new TruncatedBoxError();
    }
  }

  /**
   * Returns the bytes not decoded yet — the box in progress and what an
   * earlier `max` held back — exactly as they arrived, and resets the decoder.
   */
  release(): Uint8Array {
    const parts: Uint8Array[] = [];
    if (this.#box !== null) {
      for (const [key, value] of this.#box) {
        parts.push(prefixed(utf8Encoder.encode(key)), prefixed(value));
      }
    }
    const state = this.#state;
    if (state === VALUE_LENGTH || state === VALUE) {
      parts.push(prefixed(utf8Encoder.encode(this.#key)));
    }
    if (state === KEY || state === VALUE) {
      const length = this.#need;
      parts.push(new Uint8Array([length >> 8, length & 0xff]));
      if (this.#payload !== null) {
        parts.push(this.#payload.subarray(0, this.#filled));
      }
    }
    if (this.#lengthHigh >= 0) parts.push(new Uint8Array([this.#lengthHigh]));
    if (this.#pending !== null) parts.push(this.#pending);
    this.#pending = null;
    this.#state = KEY_LENGTH;
    this.#lengthHigh = -1;
    this.#need = 0;
    this.#payload = null;
    this.#filled = 0;
    this.#box = null;
    this.#key = "";
    this.#boxBytes = 0;
    return concatChunks(parts);
  }
}

function prefixed(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + bytes.length);
  out[0] = bytes.length >> 8;
  out[1] = bytes.length & 0xff;
  out.set(bytes, 2);
  return out;
}

// Keys repeat on every box (`_ask`, `_command`, argument names): encode each once.
const keyCache = new Map<string, Uint8Array>();
const KEY_CACHE_SIZE = 1024;

function encodeKey(key: string): Uint8Array {
  let bytes = keyCache.get(key);
  if (bytes !== undefined) return bytes;
  bytes = utf8Encoder.encode(key);
  if (bytes.length === 0) throw new EmptyKeyError();
  if (bytes.length > MAX_KEY_LENGTH) throw new KeyTooLongError(bytes.length);
  if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear();
  keyCache.set(key, bytes);
  return bytes;
}

/**
 * Encodes one box to its wire form. Throws {@linkcode EmptyKeyError},
 * {@linkcode KeyTooLongError} or {@linkcode ValueTooLongError} when a key or
 * value breaks AMP's limits.
 *
 * @example Usage
 * ```ts
 * import { encodeBox } from "@spindle/spindle/protocols/amp";
 * const bytes = encodeBox(new Map([["a", new Uint8Array([0x31])]]));
 * console.assert(bytes.join() === [0, 1, 0x61, 0, 1, 0x31, 0, 0].join());
 * ```
 */
export function encodeBox(box: AmpBox): Uint8Array<ArrayBuffer> {
  let length = 2;
  const keys: Uint8Array[] = [];
  for (const [key, value] of box) {
    const keyBytes = encodeKey(key);
    if (value.length > MAX_VALUE_LENGTH) {
      throw new ValueTooLongError(key, value.length);
    }
    keys.push(keyBytes);
    length += 4 + keyBytes.length + value.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  let index = 0;
  for (const value of box.values()) {
    const keyBytes = keys[index++]!;
    out[offset] = 0;
    out[offset + 1] = keyBytes.length;
    out.set(keyBytes, offset + 2);
    offset += 2 + keyBytes.length;
    out[offset] = value.length >> 8;
    out[offset + 1] = value.length & 0xff;
    out.set(value, offset + 2);
    offset += 2 + value.length;
  }
  // The last two bytes are already zero: the empty key that ends the box.
  return out;
}

/**
 * Decodes a byte string that holds whole boxes only (as an `AmpList` value
 * does). Throws {@linkcode TruncatedBoxError} if it ends inside a box.
 *
 * @example Usage
 * ```ts
 * import { decodeBoxes, encodeBox } from "@spindle/spindle/protocols/amp";
 * const one = encodeBox(new Map([["a", new Uint8Array([1])]]));
 * console.assert(decodeBoxes(new Uint8Array([...one, ...one])).length === 2);
 * ```
 */
export function decodeBoxes(
  bytes: Uint8Array,
  options?: BoxDecoderOptions,
): AmpBox[] {
  const core = new BoxDecoderCore(options);
  const out: AmpBox[] = [];
  core.decode(bytes, out);
  core.end(out);
  return out;
}

/**
 * The AMP box encoder core: one box in, its wire bytes out.
 *
 * @example Usage
 * ```ts
 * import { BoxEncoderCore } from "@spindle/spindle/protocols/amp";
 * const bytes = new BoxEncoderCore().encode(new Map());
 * console.assert(bytes.length === 2);
 * ```
 */
export class BoxEncoderCore implements EncoderCore<AmpBox> {
  /** Encodes `box`, as {@linkcode encodeBox} does. */
  encode(box: AmpBox): Uint8Array<ArrayBuffer> {
    return encodeBox(box);
  }
}

/**
 * The AMP box framing as a {@linkcode Codec}: fresh cores per connection.
 *
 * @example Usage
 * ```ts
 * import { BoxCodec } from "@spindle/spindle/protocols/amp";
 * const codec = new BoxCodec({ maxKeys: 64 });
 * const bytes = codec.createEncoder().encode(new Map([["k", new Uint8Array()]]));
 * const boxes: Map<string, Uint8Array>[] = [];
 * codec.createDecoder().decode(bytes, boxes);
 * console.assert(boxes[0]!.has("k"));
 * ```
 */
export class BoxCodec implements Codec<AmpBox> {
  #options: BoxDecoderOptions;
  /** Creates the codec; `options` apply to every decoder it makes. */
  constructor(options: BoxDecoderOptions = {}) {
    this.#options = { ...options };
  }
  /** A new decoder core with this codec's limits. */
  createDecoder(): BoxDecoderCore {
    return new BoxDecoderCore(this.#options);
  }
  /** A new encoder core. */
  createEncoder(): BoxEncoderCore {
    return new BoxEncoderCore();
  }
}

/**
 * Decodes a byte stream into AMP boxes. Malformed input errors the stream with
 * a `ProtocolError` subclass. On a Spindle connection's readable,
 * `pipeThrough` runs its core in the connection's read loop.
 *
 * @example Usage
 * ```ts
 * import { AmpBoxDecoder, encodeBox } from "@spindle/spindle/protocols/amp";
 * const bytes = encodeBox(new Map([["k", new Uint8Array([7])]]));
 * const boxes = await Array.fromAsync(
 *   ReadableStream.from([bytes.subarray(0, 3), bytes.subarray(3)]).pipeThrough(new AmpBoxDecoder()),
 * );
 * console.assert(boxes[0]!.get("k")![0] === 7);
 * ```
 */
export class AmpBoxDecoder extends DecoderStream<AmpBox> {
  /** Creates the decoder with the given limits. */
  constructor(options?: BoxDecoderOptions) {
    super(new BoxDecoderCore(options));
  }
}

/**
 * Encodes AMP boxes into bytes.
 *
 * @example Usage
 * ```ts
 * import { AmpBoxEncoder } from "@spindle/spindle/protocols/amp";
 * const chunks = await Array.fromAsync(
 *   ReadableStream.from([new Map([["k", new Uint8Array([7])]])]).pipeThrough(new AmpBoxEncoder()),
 * );
 * console.assert(chunks[0]!.length === 8);
 * ```
 */
export class AmpBoxEncoder extends EncoderStream<AmpBox> {
  /** Creates the encoder. */
  constructor() {
    super(new BoxEncoderCore());
  }
}
