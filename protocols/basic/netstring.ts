/**
 * Netstring framing (`<length>:<bytes>,`, D. J. Bernstein's format and
 * Twisted's `NetstringReceiver`), with a length limit.
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
import {
  FrameTooLongError,
  MalformedNetstringError,
  TruncatedFrameError,
} from "./errors.ts";

const ZERO = 48;
const NINE = 57;
const COLON = 58;
const COMMA = 44;

const LENGTH = 0;
const DATA = 1;
const TRAILER = 2;

/** Options for the netstring decoder, encoder and codec. */
export interface NetstringOptions extends FrameLimits {}

/**
 * The incremental netstring-decoding core behind {@linkcode NetstringDecoder}.
 * Payloads that lie whole in a chunk are handed out without a copy. `decode`
 * takes an optional `max` number of netstrings to stop after (for protocol
 * switching: {@linkcode NetstringDecoderCore.release} then returns the rest).
 *
 * @example Usage
 * ```ts
 * import { NetstringDecoderCore } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const out: Uint8Array[] = [];
 * new NetstringDecoderCore().decode(new TextEncoder().encode("5:hello,0:,"), out);
 * assertEquals(out.map((bytes) => new TextDecoder().decode(bytes)), ["hello", ""]);
 * ```
 */
export class NetstringDecoderCore implements DecoderCore<Uint8Array> {
  /** The longest payload accepted, in bytes. */
  readonly maxLength: number;
  #state = LENGTH;
  #digits = 0;
  #length = 0;
  #payload: Uint8Array = EMPTY_BYTES;
  #filled = 0;
  #rest: Uint8Array = EMPTY_BYTES;

  /** Creates the core; see {@linkcode NetstringOptions}. */
  constructor(options: NetstringOptions = {}) {
    this.maxLength = frameLimit(options.maxLength, Number.MAX_SAFE_INTEGER);
  }

  /**
   * Appends the netstrings that `chunk` completes to `out` (at most `max`).
   * Throws {@linkcode MalformedNetstringError} or {@linkcode FrameTooLongError}.
   */
  decode(chunk: Uint8Array, out: Uint8Array[], max: number = Infinity): void {
    const input = concatBytes(this.#rest, chunk);
    this.#rest = EMPTY_BYTES;
    const stop = this.#scan(input, out, max);
    if (stop < input.length) this.#rest = input.subarray(stop);
  }

  /** Checks that the input did not stop inside a netstring. */
  end(out: Uint8Array[]): void {
    this.decode(EMPTY_BYTES, out);
    const left = this.#rest.length + this.#partialLength();
    if (left > 0) throw new TruncatedFrameError(left);
  }

  /** Returns the bytes not yet decoded (a partial netstring included), and forgets them. */
  release(): Uint8Array {
    if (this.#rest.length > 0) {
      const rest = this.#rest;
      this.#rest = EMPTY_BYTES;
      return rest;
    }
    let partial = EMPTY_BYTES;
    if (this.#digits > 0) {
      partial = toBytes(
        String(this.#length) + (this.#state === LENGTH ? "" : ":"),
      );
      partial = concatBytes(partial, this.#payload.slice(0, this.#filled));
    }
    this.#reset();
    return partial;
  }

  #partialLength(): number {
    if (this.#digits === 0) return 0;
    return this.#digits + (this.#state === LENGTH ? 0 : 1) + this.#filled;
  }

  #reset(): void {
    this.#state = LENGTH;
    this.#digits = 0;
    this.#length = 0;
    this.#payload = EMPTY_BYTES;
    this.#filled = 0;
  }

  #scan(chunk: Uint8Array, out: Uint8Array[], max: number): number {
    let count = 0;
    let i = 0;
    const size = chunk.length;
    while (i < size && count < max) {
      if (this.#state === LENGTH) {
        const byte = chunk[i++] as number;
        if (byte >= ZERO && byte <= NINE) {
          if (this.#digits > 0 && this.#length === 0) {
            throw new MalformedNetstringError(
              "a netstring length has a leading zero: the peer must send a canonical netstring",
            );
          }
          this.#length = this.#length * 10 + (byte - ZERO);
          this.#digits++;
          if (this.#length > this.maxLength) {
            throw new FrameTooLongError(this.#length, this.maxLength);
          }
        } else if (byte === COLON && this.#digits > 0) {
          const length = this.#length;
          if (size - i >= length) {
            this.#payload = chunk.subarray(i, i + length);
            this.#filled = length;
            i += length;
            this.#state = TRAILER;
          } else {
            this.#payload = new Uint8Array(length);
            this.#state = DATA;
          }
        } else {
          throw new MalformedNetstringError(
            `a netstring length had the byte 0x${
              byte.toString(16).padStart(2, "0")
            }: the peer must send <digits>:<bytes>,`,
          );
        }
      } else if (this.#state === DATA) {
        const take = Math.min(this.#length - this.#filled, size - i);
        this.#payload.set(chunk.subarray(i, i + take), this.#filled);
        this.#filled += take;
        i += take;
        if (this.#filled === this.#length) this.#state = TRAILER;
      } else {
        if (chunk[i++] !== COMMA) {
          throw new MalformedNetstringError(
            "a netstring did not end with a comma: the peer's lengths and payloads disagree",
          );
        }
        out.push(this.#payload);
        this.#reset();
        count++;
      }
    }
    return i;
  }
}

/**
 * The netstring-encoding core behind {@linkcode NetstringEncoder}. A payload over
 * `maxLength` raises {@linkcode FrameTooLongError}.
 *
 * @example Usage
 * ```ts
 * import { NetstringEncoderCore } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const bytes = new NetstringEncoderCore().encode("hello");
 * assertEquals(new TextDecoder().decode(bytes), "5:hello,");
 * ```
 */
export class NetstringEncoderCore
  implements EncoderCore<string | Uint8Array, Uint8Array<ArrayBuffer>> {
  /** The longest payload sent, in bytes. */
  readonly maxLength: number;

  /** Creates the core; see {@linkcode NetstringOptions}. */
  constructor(options: NetstringOptions = {}) {
    this.maxLength = frameLimit(options.maxLength, Number.MAX_SAFE_INTEGER);
  }

  /** Returns `payload` as one netstring. */
  encode(payload: string | Uint8Array): Uint8Array<ArrayBuffer> {
    const bytes = toBytes(payload);
    if (bytes.length > this.maxLength) {
      throw new FrameTooLongError(bytes.length, this.maxLength);
    }
    const header = toBytes(`${bytes.length}:`);
    const framed = new Uint8Array(header.length + bytes.length + 1);
    framed.set(header);
    framed.set(bytes, header.length);
    framed[framed.length - 1] = COMMA;
    return framed;
  }
}

/**
 * Netstring framing as a {@linkcode Codec}, for `frame(conn, codec)`.
 *
 * @example Usage
 * ```ts
 * import { NetstringCodec } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const codec = new NetstringCodec({ maxLength: 100 });
 * const out: Uint8Array[] = [];
 * codec.createDecoder().decode(codec.createEncoder().encode("hi"), out);
 * assertEquals(out, [new TextEncoder().encode("hi")]);
 * ```
 */
export class NetstringCodec implements Codec<Uint8Array, string | Uint8Array> {
  #options: NetstringOptions;

  /** Creates the codec; the options apply to every core it makes. */
  constructor(options: NetstringOptions = {}) {
    this.#options = options;
    frameLimit(options.maxLength, Number.MAX_SAFE_INTEGER);
  }

  /** A new netstring decoder core. */
  createDecoder(): NetstringDecoderCore {
    return new NetstringDecoderCore(this.#options);
  }

  /** A new netstring encoder core. */
  createEncoder(): NetstringEncoderCore {
    return new NetstringEncoderCore(this.#options);
  }
}

/**
 * A `TransformStream` from bytes to netstring payloads (bytes that may share
 * memory with the input chunks).
 *
 * @example Usage
 * ```ts
 * import { NetstringDecoder, NetstringEncoder } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const payloads = await Array.fromAsync(
 *   ReadableStream.from(["a", "bc"])
 *     .pipeThrough(new NetstringEncoder())
 *     .pipeThrough(new NetstringDecoder({ maxLength: 1024 })),
 * );
 * assertEquals(payloads.map((p) => new TextDecoder().decode(p)), ["a", "bc"]);
 * ```
 */
export class NetstringDecoder extends DecoderStream<Uint8Array> {
  /** The core this transform runs. */
  declare readonly [decoderCore]: NetstringDecoderCore;

  /** Creates the transform; see {@linkcode NetstringOptions}. */
  constructor(options: NetstringOptions = {}) {
    super(new NetstringDecoderCore(options));
  }
}

/**
 * A `TransformStream` from payloads (strings or bytes) to netstrings.
 *
 * @example Usage
 * ```ts
 * import { NetstringEncoder } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const text = await new Response(
 *   ReadableStream.from(["abc"]).pipeThrough(new NetstringEncoder()),
 * ).text();
 * assertEquals(text, "3:abc,");
 * ```
 */
export class NetstringEncoder extends EncoderStream<
  string | Uint8Array,
  Uint8Array<ArrayBuffer>
> {
  /** The core this transform runs. */
  declare readonly [encoderCore]: NetstringEncoderCore;

  /** Creates the transform; see {@linkcode NetstringOptions}. */
  constructor(options: NetstringOptions = {}) {
    super(new NetstringEncoderCore(options));
  }
}
