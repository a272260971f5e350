/**
 * Line framing: lines ended by a delimiter (`\r\n` by default), decoded as
 * UTF-8 text or as bytes, with a length limit.
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
import { ByteFinder } from "./_byte_finder.ts";
import { DEFAULT_MAX_LINE_LENGTH, type LineLimits } from "./limits.ts";
import {
  DelimiterInLineError,
  InvalidUtf8Error,
  LineTooLongError,
} from "./errors.ts";

const CR = 13;
const LF = 10;
const CRLF = "\r\n";

/**
 * A decoded line: a `string` by default, a `Uint8Array` with `{ binary: true }`.
 *
 * @typeParam B Whether lines are decoded as bytes.
 */
export type Line<B extends boolean> = B extends true ? Uint8Array : string;

/**
 * Options for {@linkcode LineDecoder}, {@linkcode LineDecoderCore} and {@linkcode LineCodec}.
 *
 * @typeParam B Whether lines are decoded as bytes.
 */
export interface LineDecoderOptions<B extends boolean = false>
  extends LineLimits {
  /**
   * What ends a line, default `"\r\n"`. With `"\n"`, a `\r` right before the
   * `\n` is dropped too, so both `\n` and `\r\n` end a line.
   */
  delimiter?: string | Uint8Array;
  /**
   * `true` to get each line as bytes (which may share memory with the input
   * chunks: copy them to keep them past the chunk's life); by default lines are
   * UTF-8 text, and invalid UTF-8 raises {@linkcode InvalidUtf8Error}.
   */
  binary?: B;
}

/** Options for {@linkcode LineEncoder} and {@linkcode LineEncoderCore}. */
export interface LineEncoderOptions {
  /** What ends each line, default `"\r\n"`. */
  delimiter?: string | Uint8Array;
}

function delimiterBytes(
  delimiter: string | Uint8Array | undefined,
): Uint8Array {
  const bytes = toBytes(delimiter ?? CRLF);
  if (bytes.length === 0) {
    throw new RangeError("the line delimiter must not be empty");
  }
  return bytes;
}

/**
 * The incremental line-decoding core behind {@linkcode LineDecoder}: feed it byte
 * chunks, get whole lines. It scans with SIMD, hands out lines that lie
 * whole in a chunk without copying them, and buffers only a partial line.
 *
 * `decode` takes an optional `max`: it then stops after that many lines and
 * keeps the rest of the chunk undecoded, so a protocol can switch framing after
 * any line and {@linkcode LineDecoderCore.release} hands over every byte that
 * followed it.
 *
 * @typeParam B Whether lines are decoded as bytes.
 *
 * @example Usage
 * ```ts
 * import { LineDecoderCore } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const core = new LineDecoderCore();
 * const lines: string[] = [];
 * core.decode(new TextEncoder().encode("HELO a\r\nMAIL FR"), lines);
 * core.decode(new TextEncoder().encode("OM:<b>\r\n"), lines);
 * assertEquals(lines, ["HELO a", "MAIL FROM:<b>"]);
 * ```
 */
export class LineDecoderCore<B extends boolean = false>
  implements DecoderCore<Line<B>> {
  /** The delimiter, as bytes. */
  readonly delimiter: Uint8Array;
  /** The longest line accepted, in bytes. */
  readonly maxLength: number;
  /** Whether lines come out as bytes. */
  readonly binary: boolean;
  #last: number;
  #dlen: number;
  #lenientCr: boolean;
  // Finds the delimiter's last byte.
  #finder: ByteFinder;
  // A partial line may hold this many bytes beyond maxLength: a delimiter's
  // leading bytes (or the optional \r in "\n" mode) that may yet complete it.
  #slack: number;
  // Lines are decoded without `fatal` (several times faster in Deno) and only
  // text that came out with U+FFFD is checked again strictly.
  #text: TextDecoder | null;
  #strict: TextDecoder | null;
  // The delimiter as text, when lines are text and it is valid UTF-8: whole
  // runs of lines are then decoded at once and split as a string.
  #delimText: string | null = null;
  // The partial line, owned and reused: buf[0, len).
  #buf: Uint8Array = EMPTY_BYTES;
  #len = 0;
  // Undecoded bytes left when decode stopped at `max` lines (a view of the
  // caller's chunk, not a copy). Never non-empty together with the partial line.
  #rest: Uint8Array = EMPTY_BYTES;

  /** Creates the core; see {@linkcode LineDecoderOptions}. */
  constructor(options: LineDecoderOptions<B> = {}) {
    this.delimiter = delimiterBytes(options.delimiter);
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LINE_LENGTH;
    if (!(this.maxLength >= 0)) {
      throw new RangeError(`maxLength must be >= 0, got ${this.maxLength}`);
    }
    this.binary = options.binary ?? false;
    this.#dlen = this.delimiter.length;
    this.#last = this.delimiter[this.#dlen - 1] as number;
    this.#lenientCr = this.#dlen === 1 && this.#last === LF;
    this.#slack = this.#lenientCr ? 1 : this.#dlen - 1;
    this.#finder = new ByteFinder(this.#last);
    this.#text = this.binary
      ? null
      : new TextDecoder("utf-8", { ignoreBOM: true });
    this.#strict = this.binary
      ? null
      : new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    if (!this.binary) {
      try {
        this.#delimText = (this.#strict as TextDecoder).decode(this.delimiter);
      } catch {
        // Not text: lines are found byte by byte, one at a time.
      }
    }
  }

  /**
   * Appends the lines that `chunk` completes to `out` (at most `max` of them)
   * and keeps the rest for later.
   * Throws {@linkcode LineTooLongError} or {@linkcode InvalidUtf8Error}.
   */
  decode(chunk: Uint8Array, out: Line<B>[], max: number = Infinity): void {
    const input = concatBytes(this.#rest, chunk);
    // What is left of the last input was partly scanned already.
    if (input === this.#rest) this.#finder.rebase(input);
    else this.#finder.reset(input);
    this.#rest = EMPTY_BYTES;
    const stop = this.#scan(input, out, max);
    if (stop < input.length) this.#rest = input.subarray(stop);
  }

  /**
   * Decodes what is left: the undecoded lines, then a last line that had no
   * delimiter, if any.
   */
  end(out: Line<B>[]): void {
    this.decode(EMPTY_BYTES, out);
    if (this.#len > 0) {
      const length = this.#len;
      this.#len = 0;
      if (length > this.maxLength) throw new LineTooLongError(this.maxLength);
      out.push(this.#fromBuffer(length));
    }
  }

  /** Returns the bytes not yet decoded into lines, and forgets them. */
  release(): Uint8Array {
    if (this.#rest.length > 0) {
      const rest = this.#rest;
      this.#rest = EMPTY_BYTES;
      return rest;
    }
    const partial = this.#buf.slice(0, this.#len);
    this.#len = 0;
    return partial;
  }

  // Returns where it stopped: chunk.length unless `max` lines came first.
  #scan(chunk: Uint8Array, out: Line<B>[], max: number): number {
    if (chunk.length === 0 || max <= 0) return 0;
    let count = 0;
    const finder = this.#finder;
    const dlen = this.#dlen;
    let from = 0;
    if (this.#len > 0) {
      // Complete the buffered line first: only its tail is copied.
      for (;;) {
        const i = finder.indexOf(from);
        if (i < 0) {
          this.#append(chunk, from, chunk.length);
          this.#checkPartial(this.#len);
          return chunk.length;
        }
        this.#append(chunk, from, i + 1);
        from = i + 1;
        if (this.#bufferEndsWithDelimiter()) break;
        this.#checkPartial(this.#len);
      }
      let end = this.#len - dlen;
      if (this.#lenientCr && end > 0 && this.#buf[end - 1] === CR) end--;
      this.#len = 0;
      if (end > this.maxLength) throw new LineTooLongError(this.maxLength);
      out.push(this.#fromBuffer(end));
      if (++count >= max) return from;
    }
    if (max === Infinity && this.#delimText !== null) {
      this.#scanBatch(chunk, from, out);
      return chunk.length;
    }
    let start = from;
    for (;;) {
      const i = finder.indexOf(from);
      if (i < 0) break;
      from = i + 1;
      let end = i + 1 - dlen;
      if (dlen > 1) {
        if (end < start || !this.#delimiterAt(chunk, end)) continue;
      } else if (this.#lenientCr && end > start && chunk[end - 1] === CR) {
        end--;
      }
      if (end - start > this.maxLength) {
        throw new LineTooLongError(this.maxLength);
      }
      out.push(this.#fromChunk(chunk, start, end));
      start = from;
      if (++count >= max) return start;
    }
    const partial = chunk.length - start;
    if (partial > 0) {
      this.#checkPartial(partial);
      this.#append(chunk, start, chunk.length);
    }
    return chunk.length;
  }

  // Decodes every whole line from `start` with one decode and one split: far
  // cheaper per line than decoding each one.
  #scanBatch(chunk: Uint8Array, start: number, out: Line<B>[]): void {
    const last = this.#last;
    const dlen = this.#dlen;
    let end = -1;
    let i = chunk.lastIndexOf(last);
    while (i >= start) {
      const at = i + 1 - dlen;
      if (dlen === 1 || (at >= start && this.#delimiterAt(chunk, at))) {
        end = i + 1;
        break;
      }
      i = i > start ? chunk.lastIndexOf(last, i - 1) : -1;
    }
    if (end > start) {
      const parts = (this.#decodeText(chunk.subarray(start, end)) as string)
        .split(this.#delimText as string);
      const lines = parts.length - 1;
      const maxLength = this.maxLength;
      for (let k = 0; k < lines; k++) {
        let line = parts[k] as string;
        if (
          this.#lenientCr && line.length > 0 &&
          line.charCodeAt(line.length - 1) === CR
        ) {
          line = line.slice(0, -1);
        }
        // A UTF-16 unit is 1 to 3 UTF-8 bytes: count bytes only when it matters.
        if (line.length * 3 > maxLength && utf8Length(line) > maxLength) {
          throw new LineTooLongError(maxLength);
        }
        out.push(line as Line<B>);
      }
      start = end;
    }
    const partial = chunk.length - start;
    if (partial > 0) {
      this.#checkPartial(partial);
      this.#append(chunk, start, chunk.length);
    }
  }

  #checkPartial(length: number): void {
    if (length > this.maxLength + this.#slack) {
      this.#len = 0;
      throw new LineTooLongError(this.maxLength);
    }
  }

  #delimiterAt(bytes: Uint8Array, at: number): boolean {
    const delimiter = this.delimiter;
    // The last byte already matched.
    for (let k = 0; k < this.#dlen - 1; k++) {
      if (bytes[at + k] !== delimiter[k]) return false;
    }
    return true;
  }

  #bufferEndsWithDelimiter(): boolean {
    const at = this.#len - this.#dlen;
    return at >= 0 && this.#delimiterAt(this.#buf, at);
  }

  #append(chunk: Uint8Array, start: number, end: number): void {
    const needed = this.#len + end - start;
    if (needed > this.#buf.length) {
      const grown = new Uint8Array(Math.max(needed, this.#buf.length * 2, 256));
      grown.set(this.#buf.subarray(0, this.#len));
      this.#buf = grown;
    }
    this.#buf.set(chunk.subarray(start, end), this.#len);
    this.#len = needed;
  }

  #fromChunk(chunk: Uint8Array, start: number, end: number): Line<B> {
    if (this.#text === null) return chunk.subarray(start, end) as Line<B>;
    if (start === end) return "" as Line<B>;
    return this.#decodeText(chunk.subarray(start, end));
  }

  #fromBuffer(end: number): Line<B> {
    // The buffer is reused, so bytes handed out must be a copy.
    if (this.#text === null) return this.#buf.slice(0, end) as Line<B>;
    return this.#decodeText(this.#buf.subarray(0, end));
  }

  #decodeText(bytes: Uint8Array): Line<B> {
    const text = (this.#text as TextDecoder).decode(bytes);
    if (text.includes("\uFFFD")) {
      try {
        (this.#strict as TextDecoder).decode(bytes);
      } catch (error) {
        throw new InvalidUtf8Error({ cause: error });
      }
    }
    return text as Line<B>;
  }
}

function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A surrogate pair is 2 units and 4 bytes; a lone surrogate becomes U+FFFD.
    length += unit < 0x80
      ? 1
      : unit < 0x800 || (unit & 0xf800) === 0xd800
      ? 2
      : 3;
  }
  return length;
}

/**
 * The line-encoding core behind {@linkcode LineEncoder}: appends the delimiter to
 * each line (text is encoded as UTF-8). A line that contains the delimiter
 * raises {@linkcode DelimiterInLineError}, so one message never turns into
 * two on the wire.
 *
 * @example Usage
 * ```ts
 * import { LineEncoderCore } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const bytes = new LineEncoderCore().encode("PING");
 * assertEquals(new TextDecoder().decode(bytes), "PING\r\n");
 * ```
 */
export class LineEncoderCore
  implements EncoderCore<string | Uint8Array, Uint8Array<ArrayBuffer>> {
  /** The delimiter, as bytes. */
  readonly delimiter: Uint8Array;
  #text: string | null;
  #textEncoder = new TextEncoder();

  /** Creates the core; see {@linkcode LineEncoderOptions}. */
  constructor(options: LineEncoderOptions = {}) {
    this.delimiter = delimiterBytes(options.delimiter);
    let text: string | null = null;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(this.delimiter);
    } catch {
      // A delimiter that is not text: text lines go through the bytes path.
    }
    this.#text = text;
  }

  /** Returns `line` followed by the delimiter, as bytes. */
  encode(line: string | Uint8Array): Uint8Array<ArrayBuffer> {
    if (typeof line === "string" && this.#text !== null) {
      if (line.includes(this.#text)) {
        throw new DelimiterInLineError();
      }
      return this.#textEncoder.encode(line + this.#text);
    }
    const bytes = toBytes(line);
    if (indexOfBytes(bytes, this.delimiter) >= 0) {
      throw new DelimiterInLineError();
    }
    const framed = new Uint8Array(bytes.length + this.delimiter.length);
    framed.set(bytes);
    framed.set(this.delimiter, bytes.length);
    return framed;
  }
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0] as number;
  let i = haystack.indexOf(first);
  while (i >= 0 && i + needle.length <= haystack.length) {
    let k = 1;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
    i = haystack.indexOf(first, i + 1);
  }
  return -1;
}

/**
 * Line framing as a {@linkcode Codec}, for `frame(conn, codec)`: decodes lines
 * (see {@linkcode LineDecoderOptions}) and encodes strings or bytes as lines.
 *
 * @typeParam B Whether lines are decoded as bytes.
 *
 * @example Usage
 * ```ts
 * import { LineCodec } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const codec = new LineCodec({ delimiter: "\n" });
 * const lines: string[] = [];
 * codec.createDecoder().decode(codec.createEncoder().encode("hi"), lines);
 * assertEquals(lines, ["hi"]);
 * ```
 */
export class LineCodec<B extends boolean = false>
  implements Codec<Line<B>, string | Uint8Array> {
  #options: LineDecoderOptions<B>;

  /** Creates the codec; the options apply to every core it makes. */
  constructor(options: LineDecoderOptions<B> = {}) {
    this.#options = options;
    // Validate now rather than at the first connection.
    new LineDecoderCore(options);
  }

  /** A new line decoder core. */
  createDecoder(): LineDecoderCore<B> {
    return new LineDecoderCore(this.#options);
  }

  /** A new line encoder core. */
  createEncoder(): LineEncoderCore {
    return new LineEncoderCore({ delimiter: this.#options.delimiter });
  }
}

/**
 * A `TransformStream` from bytes to lines: text by default, bytes with
 * `{ binary: true }`. On a Spindle connection's readable, `pipeThrough` runs
 * its core in the read loop without a stream hop per chunk.
 *
 * @typeParam B Whether lines are decoded as bytes.
 *
 * @example Lines out of a gzip-compressed stream
 * ```ts
 * import { LineDecoder, LineEncoder } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const compressed = ReadableStream.from(["one", "two", "three"])
 *   .pipeThrough(new LineEncoder({ delimiter: "\n" }))
 *   .pipeThrough(new CompressionStream("gzip"));
 * const lines = await Array.fromAsync(
 *   compressed
 *     .pipeThrough(new DecompressionStream("gzip"))
 *     .pipeThrough(new LineDecoder({ delimiter: "\n" })),
 * );
 * assertEquals(lines, ["one", "two", "three"]);
 * ```
 *
 * @example Binary lines, then text with TextDecoderStream
 * ```ts
 * import { LineDecoder } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const bytes = new TextEncoder().encode("héllo\r\nwörld\r\n");
 * const firstLine = await Array.fromAsync(
 *   ReadableStream.from([bytes])
 *     .pipeThrough(new LineDecoder({ binary: true, maxLength: 64 }))
 *     .pipeThrough(new TransformStream({
 *       transform: (line, controller) => controller.enqueue(line.slice()),
 *     }))
 *     .pipeThrough(new TextDecoderStream()),
 * );
 * assertEquals(firstLine.join(""), "héllowörld");
 * ```
 */
export class LineDecoder<B extends boolean = false>
  extends DecoderStream<Line<B>> {
  /** The core this transform runs. */
  declare readonly [decoderCore]: LineDecoderCore<B>;

  /** Creates the transform; see {@linkcode LineDecoderOptions}. */
  constructor(options: LineDecoderOptions<B> = {}) {
    super(new LineDecoderCore(options));
  }
}

/**
 * A `TransformStream` from lines (strings or bytes) to bytes, each followed by
 * the delimiter.
 *
 * @example Usage
 * ```ts
 * import { LineEncoder } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const text = await new Response(
 *   ReadableStream.from(["a", "b"]).pipeThrough(new LineEncoder()),
 * ).text();
 * assertEquals(text, "a\r\nb\r\n");
 * ```
 */
export class LineEncoder extends EncoderStream<
  string | Uint8Array,
  Uint8Array<ArrayBuffer>
> {
  /** The core this transform runs. */
  declare readonly [encoderCore]: LineEncoderCore;

  /** Creates the transform; see {@linkcode LineEncoderOptions}. */
  constructor(options: LineEncoderOptions = {}) {
    super(new LineEncoderCore(options));
  }
}
