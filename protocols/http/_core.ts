/**
 * The incremental HTTP/1.x message core (RFC 9112) shared by the request and
 * response cores: finds heads, then frames bodies by `Content-Length`,
 * chunked coding (with trailers) or the end of the connection.
 *
 * @module
 */
import type { DecoderCore } from "../../reactor/codec.ts";
import { concatBytes, EMPTY_BYTES } from "../../reactor/bytes.ts";
import {
  BodyTooLargeError,
  HeadersTooLargeError,
  IncompleteMessageError,
  MalformedMessageError,
} from "./errors.ts";
import {
  DEFAULT_MAX_CHUNK_LINE_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_HEADER_COUNT,
  type HTTPLimits,
} from "./limits.ts";
import type { EndEvent, HTTPEvent, MessageHead } from "./message.ts";
import { CR, decodeLatin1, LF, parseFieldLines, TOKEN } from "./_fields.ts";

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  Close,
}

const QUOTED =
  '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*"';
const CHUNK_LINE_RE = new RegExp(
  `^([0-9A-Fa-f]+)(?:[\\t ]*;[\\t ]*${TOKEN}+(?:[\\t ]*=[\\t ]*(?:${TOKEN}+|${QUOTED}))?)*$`,
);

/** Longer heads are not kept for comparison with the next one. */
const MAX_REPEATED_HEAD = 2048;

const NO_TRAILERS: [string, string][] = [];
const END: EndEvent = Object.freeze({
  type: "end",
  trailers: NO_TRAILERS,
}) as EndEvent;

/**
 * The incremental HTTP/1.x core shared by `RequestCore` and `ResponseCore`:
 * a {@linkcode DecoderCore} of {@linkcode HTTPEvent}s.
 *
 * @example Usage
 * ```ts
 * import { HTTPCore, RequestCore } from "@spindle/spindle/protocols/http";
 * console.assert(new RequestCore() instanceof HTTPCore);
 * ```
 */
export abstract class HTTPCore implements DecoderCore<HTTPEvent> {
  #maxHeaderBytes: number;
  #maxHeaderCount: number;
  #maxBodySize: number;
  #maxChunkLineBytes: number;
  #state: State = State.Head;
  #rest: Uint8Array | null = null;
  /** Where scanning for a line or section end resumes, relative to `#rest`. */
  #scanFrom = 0;
  #remaining = 0;
  #bodyBytes = 0;
  #paused = false;
  #upgradeAfter = false;

  /** Creates a parser with the given limits. */
  constructor(limits: HTTPLimits = {}) {
    this.#maxHeaderBytes = limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.#maxHeaderCount = limits.maxHeaderCount ?? DEFAULT_MAX_HEADER_COUNT;
    this.#maxBodySize = limits.maxBodySize ?? Infinity;
    this.#maxChunkLineBytes = limits.maxChunkLineBytes ??
      DEFAULT_MAX_CHUNK_LINE_BYTES;
  }

  /** The limit on body bytes. */
  protected get maxBodySize(): number {
    return this.#maxBodySize;
  }

  /** Whether the parser stopped after a protocol switch (see {@linkcode resume}). */
  get paused(): boolean {
    return this.#paused;
  }

  /** Whether bytes of an unfinished message (or of later ones) are buffered. */
  get hasBufferedInput(): boolean {
    return this.#rest !== null || this.#state !== State.Head;
  }

  /**
   * Parses a head: `text` is its start line and field lines, decoded as
   * Latin-1 (one char per byte), without the final CRLF CRLF.
   */
  protected abstract parseHead(text: string): MessageHead;

  /** Parses `chunk` (after any buffered bytes), appending events to `out`. */
  decode(chunk: Uint8Array, out: HTTPEvent[]): void {
    let buf = chunk;
    if (this.#rest === null) {
      // A reader asks with an empty chunk before each read of the connection.
      if (chunk.length === 0) return;
    } else {
      buf = chunk.length === 0 ? this.#rest : concatBytes(this.#rest, chunk);
      this.#rest = null;
    }
    if (this.#paused) {
      if (buf.length > 0) this.#rest = buf;
      return;
    }
    this.#run(buf, out);
  }

  /**
   * Continues after a pause at a protocol switch that did not happen: the
   * next `decode` (an empty chunk will do) goes on with the bytes buffered.
   */
  resume(): void {
    this.#paused = false;
  }

  /** Signals end of input; throws {@linkcode IncompleteMessageError} inside a message. */
  end(out: HTTPEvent[]): void {
    if (this.#paused) return;
    if (this.#state === State.Close) {
      this.#state = State.Head;
      out.push(END);
      return;
    }
    if (this.#state !== State.Head) {
      throw new IncompleteMessageError(
        "the connection ended in the middle of a message body: the peer closed too early",
      );
    }
    if (this.#rest !== null) {
      throw new IncompleteMessageError(
        "the connection ended in the middle of a message head: the peer closed too early",
      );
    }
  }

  /** Returns and forgets the bytes buffered but not parsed (for a protocol switch). */
  release(): Uint8Array {
    const rest = this.#rest ?? EMPTY_BYTES;
    this.#rest = null;
    this.#scanFrom = 0;
    return rest;
  }

  #run(buf: Uint8Array, out: HTTPEvent[]): void {
    const end = buf.length;
    let pos = 0;
    while (pos < end && !this.#paused) {
      switch (this.#state) {
        case State.Head: {
          const next = this.#head(buf, pos, end, out);
          if (next < 0) {
            this.#rest = buf.subarray(pos);
            return;
          }
          pos = next;
          break;
        }
        case State.Length:
        case State.ChunkData: {
          const n = Math.min(this.#remaining, end - pos);
          out.push({ type: "data", data: buf.subarray(pos, pos + n) });
          pos += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            if (this.#state === State.Length) this.#finish(out, END);
            else this.#state = State.ChunkEnd;
          }
          break;
        }
        case State.ChunkEnd: {
          if (buf[pos] !== CR || (pos + 1 < end && buf[pos + 1] !== LF)) {
            throw new MalformedMessageError(
              "a chunk's data was not followed by CRLF: the chunk size is wrong",
            );
          }
          if (pos + 1 >= end) {
            this.#rest = buf.subarray(pos);
            return;
          }
          pos += 2;
          this.#state = State.ChunkSize;
          break;
        }
        case State.ChunkSize: {
          const next = this.#chunkSize(buf, pos, end);
          if (next < 0) {
            this.#rest = buf.subarray(pos);
            return;
          }
          pos = next;
          break;
        }
        case State.Trailers: {
          const next = this.#trailers(buf, pos, end, out);
          if (next < 0) {
            this.#rest = buf.subarray(pos);
            return;
          }
          pos = next;
          break;
        }
        case State.Close: {
          this.#bodyBytes += end - pos;
          if (this.#bodyBytes > this.#maxBodySize) {
            throw new BodyTooLargeError(
              `the body is longer than maxBodySize (${this.#maxBodySize} bytes)`,
            );
          }
          out.push({ type: "data", data: buf.subarray(pos) });
          pos = end;
          break;
        }
      }
    }
    if (pos < end) this.#rest = buf.subarray(pos);
  }

  /**
   * Finds the end of a field section that starts at `start` ("\r\n\r\n", or a
   * lone "\r\n" when `emptyOk`). Returns the index after it, or -1 to wait.
   * Scanning resumes where it stopped, so a head split into many reads costs
   * one pass; `#asciiSeen` tells whether the fast decoder applies.
   */
  #sectionEnd(
    buf: Uint8Array,
    start: number,
    end: number,
    emptyOk: boolean,
  ): number {
    let i = start + this.#scanFrom;
    let high = this.#scanHigh;
    let lines = this.#scanLines;
    const limit = Math.min(end, start + this.#maxHeaderBytes);
    for (; i < limit; i++) {
      const b = buf[i]!;
      high |= b;
      if (b === LF) {
        lines++;
        if (i === start || buf[i - 1] !== CR) {
          throw new MalformedMessageError(
            "a bare LF in the message head: end lines with CRLF",
          );
        }
        if (
          (emptyOk && i === start + 1) || (i - start >= 3 && buf[i - 2] === LF)
        ) {
          this.#scanFrom = 0;
          this.#scanHigh = 0;
          this.#scanLines = 0;
          this.#asciiSeen = high < 0x80;
          // Every line ends in CRLF: the last one is the empty line.
          this.#sectionLines = lines - 1;
          return i + 1;
        }
      }
    }
    if (i - start >= this.#maxHeaderBytes) {
      throw new HeadersTooLargeError(
        `the message head is longer than maxHeaderBytes (${this.#maxHeaderBytes} bytes)`,
      );
    }
    this.#scanFrom = i - start;
    this.#scanHigh = high;
    this.#scanLines = lines;
    return -1;
  }
  #scanHigh = 0;
  #scanLines = 0;
  #asciiSeen = true;
  /** The number of lines in the section `#sectionEnd` found last. */
  #sectionLines = 0;

  #head(buf: Uint8Array, pos: number, end: number, out: HTTPEvent[]): number {
    // RFC 9112 §2.2: ignore empty lines before a request line.
    if (this.#scanFrom === 0 && buf[pos] === CR) {
      if (pos + 1 >= end) return -1;
      if (buf[pos + 1] === LF) return pos + 2;
    }
    const after = this.#sectionEnd(buf, pos, end, false);
    if (after < 0) return -1;
    if (this.#sectionLines - 1 > this.#maxHeaderCount) {
      throw new HeadersTooLargeError(
        `the message has more than maxHeaderCount (${this.#maxHeaderCount}) header fields`,
      );
    }
    const head = this.#parseHeadBytes(buf, pos, after);
    out.push({ type: "head", head });
    this.#upgradeAfter = head.upgrade;
    this.#bodyBytes = 0;
    if (head.framing === "chunked") {
      this.#state = State.ChunkSize;
    } else if (head.framing === "close") {
      this.#state = State.Close;
    } else if (head.contentLength > 0) {
      this.#state = State.Length;
      this.#remaining = head.contentLength;
    } else {
      this.#finish(out, END);
    }
    return after;
  }

  /**
   * Whether `parseHead` depends on nothing but the head's bytes (and the
   * limits), so that a head that repeats the previous one byte for byte
   * can share its parsed {@linkcode MessageHead}. Default false.
   */
  protected get headsRepeat(): boolean {
    return false;
  }

  // A client on a keep-alive connection often sends the same head again
  // (pollers, load generators, API clients): comparing bytes costs far less
  // than decoding and parsing them. Heads are never changed once parsed.
  #lastHeadBytes: Uint8Array | null = null;
  #lastHeadLength = 0;
  #lastHead: MessageHead | null = null;

  #parseHeadBytes(buf: Uint8Array, start: number, end: number): MessageHead {
    const length = end - start;
    const last = this.#lastHeadBytes;
    if (last !== null && length === this.#lastHeadLength) {
      let i = 0;
      while (i < length && last[i] === buf[start + i]) i++;
      if (i === length) return this.#lastHead!;
    }
    const head = this.parseHead(
      decodeLatin1(buf, start, end - 4, this.#asciiSeen),
    );
    if (this.headsRepeat && length <= MAX_REPEATED_HEAD) {
      const bytes = last !== null && last.byteLength >= length
        ? last
        : new Uint8Array(Math.max(length, 256));
      bytes.set(buf.subarray(start, end));
      this.#lastHeadBytes = bytes;
      this.#lastHeadLength = length;
      this.#lastHead = head;
    }
    return head;
  }

  #finish(out: HTTPEvent[], event: EndEvent): void {
    out.push(event);
    this.#state = State.Head;
    if (this.#upgradeAfter) {
      this.#upgradeAfter = false;
      this.#paused = true;
    }
  }

  #chunkSize(buf: Uint8Array, pos: number, end: number): number {
    const limit = Math.min(end, pos + this.#maxChunkLineBytes + 2);
    let i = pos + this.#scanFrom;
    for (; i < limit; i++) if (buf[i] === LF) break;
    if (i >= limit) {
      if (end - pos >= this.#maxChunkLineBytes + 2) {
        throw new MalformedMessageError(
          `a chunk-size line is longer than maxChunkLineBytes (${this.#maxChunkLineBytes} bytes)`,
        );
      }
      this.#scanFrom = i - pos;
      return -1;
    }
    this.#scanFrom = 0;
    if (i === pos || buf[i - 1] !== CR) {
      throw new MalformedMessageError(
        "a bare LF in a chunk-size line: end lines with CRLF",
      );
    }
    const line = decodeLatin1(buf, pos, i - 1, false);
    const match = CHUNK_LINE_RE.exec(line);
    if (match === null) {
      throw new MalformedMessageError(
        `invalid chunk-size line ${
          JSON.stringify(line.slice(0, 64))
        }: send hexadecimal digits and optional extensions`,
      );
    }
    const hex = match[1]!.replace(/^0+(?=.)/, "");
    if (hex.length > 13) {
      throw new MalformedMessageError(`the chunk size ${hex} is too large`);
    }
    const size = parseInt(hex, 16);
    this.#bodyBytes += size;
    if (this.#bodyBytes > this.#maxBodySize) {
      throw new BodyTooLargeError(
        `the chunked body is longer than maxBodySize (${this.#maxBodySize} bytes)`,
      );
    }
    if (size === 0) {
      this.#state = State.Trailers;
    } else {
      this.#state = State.ChunkData;
      this.#remaining = size;
    }
    return i + 1;
  }

  #trailers(
    buf: Uint8Array,
    pos: number,
    end: number,
    out: HTTPEvent[],
  ): number {
    const after = this.#sectionEnd(buf, pos, end, true);
    if (after < 0) return -1;
    if (after === pos + 2) {
      this.#finish(out, END);
      return after;
    }
    if (this.#sectionLines > this.#maxHeaderCount) {
      throw new HeadersTooLargeError(
        `the trailer section has more than maxHeaderCount (${this.#maxHeaderCount}) fields`,
      );
    }
    const trailers: [string, string][] = [];
    parseFieldLines(
      decodeLatin1(buf, pos, after - 4, this.#asciiSeen),
      0,
      trailers,
    );
    this.#finish(out, { type: "end", trailers });
    return after;
  }
}
