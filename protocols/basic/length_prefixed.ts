/**
 * Length-prefixed framing: each frame is a 1, 2 or 4-byte big-endian length
 * followed by that many bytes (Twisted's `Int8StringReceiver`,
 * `Int16StringReceiver` and `Int32StringReceiver`), with a length limit.
 *
 * @module
 */
import {
  type Codec,
  type DecoderCore,
  decoderCore,
  type EncoderCore,
  encoderCore,
} from "../../reactor/codec.ts";
import { concatBytes, EMPTY_BYTES, toBytes } from "../../reactor/bytes.ts";
import { DecoderStream } from "../../reactor/decoder_stream.ts";
import { EncoderStream } from "../../reactor/encoder_stream.ts";
import { frameLimit } from "./_frame_limit.ts";
import type { FrameLimits } from "./limits.ts";
import { FrameTooLongError, TruncatedFrameError } from "./errors.ts";

/** How many bytes carry a frame's length. */
export type PrefixLength = 1 | 2 | 4;

/** Options for the length-prefixed decoder, encoder and codec. */
export interface LengthPrefixedOptions extends FrameLimits {
  /** Bytes in the big-endian length prefix: 1, 2 or 4 (the default). */
  prefixLength?: PrefixLength;
}

function prefixOf(options: LengthPrefixedOptions): PrefixLength {
  const prefix = options.prefixLength ?? 4;
  if (prefix !== 1 && prefix !== 2 && prefix !== 4) {
    throw new RangeError(`prefixLength must be 1, 2 or 4, got ${prefix}`);
  }
  return prefix;
}

function capacityOf(prefix: PrefixLength): number {
  return 2 ** (8 * prefix) - 1;
}

/**
 * The incremental decoding core behind {@linkcode LengthPrefixedDecoder}. Payloads
 * that lie whole in a chunk are handed out without a copy. `decode` takes an
 * optional `max` number of frames to stop after (for protocol switching:
 * {@linkcode LengthPrefixedDecoderCore.release} then returns the rest).
 *
 * @example Usage
 * ```ts
 * import { LengthPrefixedDecoderCore } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const out: Uint8Array[] = [];
 * const core = new LengthPrefixedDecoderCore({ prefixLength: 2 });
 * core.decode(new Uint8Array([0, 2, 104, 105, 0]), out);
 * core.decode(new Uint8Array([0]), out);
 * assertEquals(out, [new Uint8Array([104, 105]), new Uint8Array(0)]);
 * ```
 */
export class LengthPrefixedDecoderCore implements DecoderCore<Uint8Array> {
  /** Bytes in the length prefix. */
  readonly prefixLength: PrefixLength;
  /** The longest payload accepted, in bytes. */
  readonly maxLength: number;
  #prefixRead = 0;
  #length = 0;
  // null while reading the prefix.
  #payload: Uint8Array | null = null;
  #filled = 0;
  #rest: Uint8Array = EMPTY_BYTES;

  /** Creates the core; see {@linkcode LengthPrefixedOptions}. */
  constructor(options: LengthPrefixedOptions = {}) {
    this.prefixLength = prefixOf(options);
    this.maxLength = frameLimit(
      options.maxLength,
      capacityOf(this.prefixLength),
    );
  }

  /**
   * Appends the frames that `chunk` completes to `out` (at most `max`).
   * Throws {@linkcode FrameTooLongError}.
   */
  decode(chunk: Uint8Array, out: Uint8Array[], max: number = Infinity): void {
    const input = concatBytes(this.#rest, chunk);
    this.#rest = EMPTY_BYTES;
    const stop = this.#scan(input, out, max);
    if (stop < input.length) this.#rest = input.subarray(stop);
  }

  /** Checks that the input did not stop inside a frame. */
  end(out: Uint8Array[]): void {
    this.decode(EMPTY_BYTES, out);
    const left = this.#rest.length + this.#prefixRead + this.#filled;
    if (left > 0) throw new TruncatedFrameError(left);
  }

  /** Returns the bytes not yet decoded (a partial frame included), and forgets them. */
  release(): Uint8Array {
    if (this.#rest.length > 0) {
      const rest = this.#rest;
      this.#rest = EMPTY_BYTES;
      return rest;
    }
    const read = this.#prefixRead;
    const partial = new Uint8Array(read + this.#filled);
    // The prefix bytes read so far are the top bytes of #length.
    let value = this.#length;
    for (let k = read - 1; k >= 0; k--) {
      partial[k] = value % 256;
      value = Math.floor(value / 256);
    }
    if (this.#payload !== null) {
      partial.set(this.#payload.subarray(0, this.#filled), read);
    }
    this.#reset();
    return partial;
  }

  #reset(): void {
    this.#prefixRead = 0;
    this.#length = 0;
    this.#payload = null;
    this.#filled = 0;
  }

  #scan(chunk: Uint8Array, out: Uint8Array[], max: number): number {
    let count = 0;
    let i = 0;
    const size = chunk.length;
    const prefix = this.prefixLength;
    while (i < size && count < max) {
      if (this.#payload === null) {
        while (this.#prefixRead < prefix && i < size) {
          this.#length = this.#length * 256 + (chunk[i++] as number);
          this.#prefixRead++;
        }
        if (this.#prefixRead < prefix) break;
        const length = this.#length;
        if (length > this.maxLength) {
          throw new FrameTooLongError(length, this.maxLength);
        }
        if (size - i >= length) {
          out.push(chunk.subarray(i, i + length));
          i += length;
          this.#reset();
          count++;
          continue;
        }
        this.#payload = new Uint8Array(length);
      }
      const take = Math.min(this.#length - this.#filled, size - i);
      this.#payload.set(chunk.subarray(i, i + take), this.#filled);
      this.#filled += take;
      i += take;
      if (this.#filled === this.#length) {
        out.push(this.#payload);
        this.#reset();
        count++;
      }
    }
    return i;
  }
}

/**
 * The encoding core behind {@linkcode LengthPrefixedEncoder}. A payload over
 * `maxLength` (or over what the prefix can express) raises
 * {@linkcode FrameTooLongError}.
 *
 * @example Usage
 * ```ts
 * import { LengthPrefixedEncoderCore } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const bytes = new LengthPrefixedEncoderCore({ prefixLength: 1 }).encode("hi");
 * assertEquals(bytes, new Uint8Array([2, 104, 105]));
 * ```
 */
export class LengthPrefixedEncoderCore
  implements EncoderCore<string | Uint8Array, Uint8Array<ArrayBuffer>> {
  /** Bytes in the length prefix. */
  readonly prefixLength: PrefixLength;
  /** The longest payload sent, in bytes. */
  readonly maxLength: number;
  #limit: number;

  /** Creates the core; see {@linkcode LengthPrefixedOptions}. */
  constructor(options: LengthPrefixedOptions = {}) {
    this.prefixLength = prefixOf(options);
    const capacity = capacityOf(this.prefixLength);
    this.maxLength = frameLimit(options.maxLength, capacity);
    this.#limit = Math.min(this.maxLength, capacity);
  }

  /** Returns the length prefix followed by `payload`. */
  encode(payload: string | Uint8Array): Uint8Array<ArrayBuffer> {
    const bytes = toBytes(payload);
    const length = bytes.length;
    if (length > this.#limit) throw new FrameTooLongError(length, this.#limit);
    const prefix = this.prefixLength;
    const framed = new Uint8Array(prefix + length);
    let value = length;
    for (let k = prefix - 1; k >= 0; k--) {
      framed[k] = value & 0xff;
      value >>>= 8;
    }
    framed.set(bytes, prefix);
    return framed;
  }
}

/**
 * Length-prefixed framing as a {@linkcode Codec}, for `frame(conn, codec)`.
 *
 * @example Usage
 * ```ts
 * import { LengthPrefixedCodec } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const codec = new LengthPrefixedCodec({ prefixLength: 2 });
 * const out: Uint8Array[] = [];
 * codec.createDecoder().decode(codec.createEncoder().encode("hi"), out);
 * assertEquals(out, [new TextEncoder().encode("hi")]);
 * ```
 */
export class LengthPrefixedCodec
  implements Codec<Uint8Array, string | Uint8Array> {
  #options: LengthPrefixedOptions;

  /** Creates the codec; the options apply to every core it makes. */
  constructor(options: LengthPrefixedOptions = {}) {
    this.#options = options;
    new LengthPrefixedDecoderCore(options);
  }

  /** A new decoder core. */
  createDecoder(): LengthPrefixedDecoderCore {
    return new LengthPrefixedDecoderCore(this.#options);
  }

  /** A new encoder core. */
  createEncoder(): LengthPrefixedEncoderCore {
    return new LengthPrefixedEncoderCore(this.#options);
  }
}

/**
 * A `TransformStream` from bytes to length-prefixed payloads (bytes that may
 * share memory with the input chunks).
 *
 * @example Usage
 * ```ts
 * import { LengthPrefixedDecoder, LengthPrefixedEncoder } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const payloads = await Array.fromAsync(
 *   ReadableStream.from(["a", "bc"])
 *     .pipeThrough(new LengthPrefixedEncoder({ prefixLength: 2 }))
 *     .pipeThrough(new LengthPrefixedDecoder({ prefixLength: 2 })),
 * );
 * assertEquals(payloads.map((p) => new TextDecoder().decode(p)), ["a", "bc"]);
 * ```
 */
export class LengthPrefixedDecoder extends DecoderStream<Uint8Array> {
  /** The core this transform runs. */
  declare readonly [decoderCore]: LengthPrefixedDecoderCore;

  /** Creates the transform; see {@linkcode LengthPrefixedOptions}. */
  constructor(options: LengthPrefixedOptions = {}) {
    super(new LengthPrefixedDecoderCore(options));
  }
}

/**
 * A `TransformStream` from payloads (strings or bytes) to length-prefixed frames.
 *
 * @example Usage
 * ```ts
 * import { LengthPrefixedEncoder } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const bytes = await new Response(
 *   ReadableStream.from(["ok"]).pipeThrough(new LengthPrefixedEncoder({ prefixLength: 1 })),
 * ).bytes();
 * assertEquals(bytes, new Uint8Array([2, 111, 107]));
 * ```
 */
export class LengthPrefixedEncoder extends EncoderStream<
  string | Uint8Array,
  Uint8Array<ArrayBuffer>
> {
  /** The core this transform runs. */
  declare readonly [encoderCore]: LengthPrefixedEncoderCore;

  /** Creates the transform; see {@linkcode LengthPrefixedOptions}. */
  constructor(options: LengthPrefixedOptions = {}) {
    super(new LengthPrefixedEncoderCore(options));
  }
}
