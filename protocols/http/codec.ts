/**
 * The incremental HTTP/1.x message parser (RFC 9112): request and response
 * heads, `Content-Length`, chunked (with trailers) and close-delimited bodies.
 *
 * It is a plain {@linkcode DecoderCore}: bytes in, {@linkcode HTTPEvent}s out,
 * with no streams inside, so the server and client run it in the
 * connection's read loop. It is strict where leniency enables request
 * smuggling: such input raises a {@linkcode MalformedMessageError} (400) and
 * the connection must be closed.
 *
 * @module
 */
import type { DecoderCore } from "../../reactor/codec.ts";
import {
  BodyTooLargeError,
  HeadersTooLargeError,
  IncompleteMessageError,
  MalformedMessageError,
  UnsupportedTransferCodingError,
  UnsupportedVersionError,
} from "./errors.ts";

/** The parser's limits; every one is enforced with a typed error. */
export interface HTTPLimits {
  /**
   * Maximum bytes of the start line plus the header section (and, separately,
   * of a trailer section). Over it: {@linkcode HeadersTooLargeError} (431).
   * Default 16384.
   */
  maxHeaderBytes?: number;
  /** Maximum header (or trailer) fields in one message; over it: 431. Default 100. */
  maxHeaderCount?: number;
  /** Maximum body bytes; over it: {@linkcode BodyTooLargeError} (413). Default unlimited. */
  maxBodySize?: number;
  /** Maximum bytes of one chunk-size line with its extensions; over it: 400. Default 4096. */
  maxChunkLineBytes?: number;
}

/** How the body of a message is delimited. */
export type BodyFraming = "length" | "chunked" | "close";

/** The start line and header section of a request or response. */
export interface MessageHead {
  /** The request method (`""` for a response). */
  method: string;
  /** The request target as sent (`""` for a response). */
  target: string;
  /** The response status code (`0` for a request). */
  status: number;
  /** The response reason phrase (`""` for a request). */
  reason: string;
  /** The HTTP minor version: `0` or `1`. */
  versionMinor: number;
  /** The header fields in order, names as sent. */
  headers: [string, string][];
  /** How the body is delimited. */
  framing: BodyFraming;
  /** The body length when `framing` is `"length"` (`0` for no body). */
  contentLength: number;
  /** Whether the connection may carry another message after this one. */
  keepAlive: boolean;
  /**
   * Whether the connection switches protocols after this message: an
   * `Upgrade` request or `CONNECT`, a 101 response or a 2xx answer to `CONNECT`.
   * The parser pauses after the message; see {@linkcode HTTPDecoder.resume}.
   */
  upgrade: boolean;
  /** The `Host` field of a request, or `null`. */
  host: string | null;
  /** The `Expect` field of a request, lowercased, or `null`. */
  expect: string | null;
}

/** The start and header section of a message arrived. */
export interface HeadEvent {
  /** Discriminant. */
  type: "head";
  /** The parsed head. */
  head: MessageHead;
}

/** Body bytes of the current message arrived. */
export interface DataEvent {
  /** Discriminant. */
  type: "data";
  /** The bytes (a view into the input: do not reuse the input buffer). */
  data: Uint8Array;
}

/** The current message ended. */
export interface EndEvent {
  /** Discriminant. */
  type: "end";
  /** The trailer fields of a chunked body (empty otherwise). */
  trailers: [string, string][];
}

/** What an {@linkcode HTTPDecoder} produces. */
export type HTTPEvent = HeadEvent | DataEvent | EndEvent;

const CR = 13;
const LF = 10;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  Close,
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]";
const TOKEN_RE = new RegExp(`^${TOKEN}+$`);
const REQUEST_LINE_RE = new RegExp(
  `^(${TOKEN}+) ([\\x21-\\x7e]+) HTTP/(\\d)\\.(\\d)$`,
);
const STATUS_LINE_RE =
  /^HTTP\/(\d)\.(\d) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
const QUOTED =
  '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*"';
const CHUNK_LINE_RE = new RegExp(
  `^([0-9A-Fa-f]+)(?:[\\t ]*;[\\t ]*${TOKEN}+(?:[\\t ]*=[\\t ]*(?:${TOKEN}+|${QUOTED}))?)*$`,
);
const DIGITS_RE = /^\d+$/;

// Field lines are checked char by char against a class table (one pass, no
// regular expression and no match arrays per line): RFC 9110 §5.1 and §5.5.
const TOKEN_CHAR = 1;
/** HTAB, SP, VCHAR and obs-text: what a field value may hold. */
const VALUE_CHAR = 2;
const CHAR_CLASS = new Uint8Array(256);
for (let c = 0x21; c <= 0xff; c++) {
  if (c !== 0x7f) CHAR_CLASS[c] = VALUE_CHAR;
}
CHAR_CLASS[9] = CHAR_CLASS[32] = VALUE_CHAR;
for (const c of "!#$%&'*+-.^_`|~0123456789") {
  CHAR_CLASS[c.charCodeAt(0)]! |= TOKEN_CHAR;
}
for (let c = 65; c <= 90; c++) {
  CHAR_CLASS[c]! |= TOKEN_CHAR;
  CHAR_CLASS[c + 32]! |= TOKEN_CHAR;
}
const COLON = 58;
/** Longer heads are not kept for comparison with the next one. */
const MAX_REPEATED_HEAD = 2048;
const SP = 32;
const HTAB = 9;

const utf8 = new TextDecoder();
const NO_TRAILERS: [string, string][] = [];
const END: EndEvent = Object.freeze({
  type: "end",
  trailers: NO_TRAILERS,
}) as EndEvent;

/** Decodes bytes as Latin-1 (header bytes are octets, RFC 9110 §5.5). */
function decodeLatin1(
  buf: Uint8Array,
  start: number,
  end: number,
  ascii: boolean,
): string {
  // The UTF-8 decoder is native and ~2x faster, and identical for ASCII.
  if (ascii) return utf8.decode(buf.subarray(start, end));
  let s = "";
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode.apply(
      null,
      buf.subarray(i, Math.min(end, i + 4096)) as unknown as number[],
    );
  }
  return s;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Why a field line failed to parse: the most specific reason we can name. */
function describeBadField(line: string): string {
  if (line[0] === " " || line[0] === "\t") {
    return "obsolete line folding (a field line starting with whitespace) is not allowed: send each field on one line";
  }
  if (line.includes("\r")) {
    return "a bare CR in a field line: end lines with CRLF";
  }
  const colon = line.indexOf(":");
  if (colon < 0) {
    return `a field line without a colon: ${JSON.stringify(line.slice(0, 64))}`;
  }
  const name = line.slice(0, colon);
  if (/[\t ]$/.test(name)) {
    return "whitespace between a field name and the colon is not allowed";
  }
  if (!TOKEN_RE.test(name)) {
    return `the field name ${JSON.stringify(name.slice(0, 64))} is not a token`;
  }
  return `the field ${
    JSON.stringify(name)
  } has a control character in its value`;
}

/**
 * Parses the field lines of `text` (a head or trailer section decoded as
 * Latin-1, without its final CRLF CRLF) from index `from`, appending
 * `[name, value]` pairs to `fields`. A field line is `token ":" OWS value OWS`
 * (RFC 9112 §5); anything else raises {@linkcode MalformedMessageError}.
 */
function parseFieldLines(
  text: string,
  from: number,
  fields: [string, string][],
): void {
  const end = text.length;
  let i = from;
  while (i < end) {
    const lineStart = i;
    while (i < end && (CHAR_CLASS[text.charCodeAt(i)]! & TOKEN_CHAR) !== 0) i++;
    if (i === lineStart || text.charCodeAt(i) !== COLON) {
      throw badFieldLine(text, lineStart);
    }
    const nameEnd = i++;
    let c = text.charCodeAt(i);
    while (c === SP || c === HTAB) c = text.charCodeAt(++i);
    const valueStart = i;
    let valueEnd = i;
    // The section holds no bare LF (the scanner rejects it), so a CR is
    // either a line end (CRLF) or a bare CR, which no value may contain.
    for (; i < end; i++) {
      c = text.charCodeAt(i);
      if (c === CR && text.charCodeAt(i + 1) === LF) break;
      if ((CHAR_CLASS[c]! & VALUE_CHAR) === 0) {
        throw badFieldLine(text, lineStart);
      }
      if (c !== SP && c !== HTAB) valueEnd = i + 1;
    }
    fields.push([
      text.slice(lineStart, nameEnd),
      text.slice(valueStart, valueEnd),
    ]);
    i += 2;
  }
}

function badFieldLine(text: string, lineStart: number): MalformedMessageError {
  const lineEnd = text.indexOf("\r\n", lineStart);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  return new MalformedMessageError(describeBadField(line));
}

/** Splits a comma-separated list field into lowercased, trimmed elements. */
function listElements(value: string): string[] {
  return value.toLowerCase().split(",").map((s) => s.trim());
}

/**
 * The incremental HTTP/1.x parser shared by {@linkcode RequestDecoder} and
 * {@linkcode ResponseDecoder}.
 */
export abstract class HTTPDecoder implements DecoderCore<HTTPEvent> {
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
    this.#maxHeaderBytes = limits.maxHeaderBytes ?? 16384;
    this.#maxHeaderCount = limits.maxHeaderCount ?? 100;
    this.#maxBodySize = limits.maxBodySize ?? Infinity;
    this.#maxChunkLineBytes = limits.maxChunkLineBytes ?? 4096;
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
    if (this.#rest !== null) {
      buf = chunk.length === 0 ? this.#rest : concat(this.#rest, chunk);
      this.#rest = null;
    }
    if (this.#paused) {
      if (buf.length > 0) this.#rest = buf;
      return;
    }
    this.#run(buf, out);
  }

  /** Continues after a pause at a protocol switch that did not happen. */
  resume(out: HTTPEvent[]): void {
    this.#paused = false;
    const rest = this.#rest;
    this.#rest = null;
    if (rest !== null) this.#run(rest, out);
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
    const rest = this.#rest ?? new Uint8Array(0);
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

/** The fields that decide a message's framing, gathered while parsing a head. */
interface FramingFields {
  headers: [string, string][];
  contentLength: string[] | null;
  transferEncoding: string[] | null;
  connection: string | null;
  host: string | null;
  hostCount: number;
  upgrade: string | null;
  expect: string | null;
}

/** Whether the token `name` is `lower` ignoring case; `first` is its first char code. */
function is(name: string, first: number, lower: string): boolean {
  return (name.charCodeAt(0) | 0x20) === first && name.toLowerCase() === lower;
}

/** The start line of a head's `text` (see {@linkcode HTTPDecoder.parseHead}). */
function startLineOf(text: string): string {
  const end = text.indexOf("\r\n");
  return end < 0 ? text : text.slice(0, end);
}

/** Parses the field lines after the start line of a head's `text`. */
function parseFields(text: string, startLine: string): FramingFields {
  const f: FramingFields = {
    headers: [],
    contentLength: null,
    transferEncoding: null,
    connection: null,
    host: null,
    hostCount: 0,
    upgrade: null,
    expect: null,
  };
  const headers = f.headers;
  if (startLine.length < text.length) {
    parseFieldLines(text, startLine.length + 2, headers);
  }
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    // The framing fields are found by length and first letter before any
    // lowercased copy is made: most fields are none of them.
    switch (name.length) {
      case 4:
        if (is(name, 104, /* h */ "host")) {
          f.host = value;
          f.hostCount++;
        }
        break;
      case 6:
        if (is(name, 101, /* e */ "expect")) f.expect = value.toLowerCase();
        break;
      case 7:
        if (is(name, 117, /* u */ "upgrade")) f.upgrade = value;
        break;
      case 10:
        if (is(name, 99, /* c */ "connection")) {
          f.connection = f.connection === null
            ? value
            : `${f.connection}, ${value}`;
        }
        break;
      case 14:
        if (is(name, 99, /* c */ "content-length")) {
          (f.contentLength ??= []).push(value);
        }
        break;
      case 17:
        if (is(name, 116, /* t */ "transfer-encoding")) {
          (f.transferEncoding ??= []).push(value);
        }
        break;
    }
  }
  return f;
}

/** Validates `Content-Length` fields: all digits, all the same (RFC 9112 §6.3). */
function contentLengthOf(values: string[]): number {
  let result = -1;
  for (const value of values) {
    for (const element of value.split(",")) {
      const s = element.trim();
      if (!DIGITS_RE.test(s)) {
        throw new MalformedMessageError(
          `invalid Content-Length ${
            JSON.stringify(value.slice(0, 32))
          }: send one decimal number`,
        );
      }
      const n = Number(s);
      if (!Number.isSafeInteger(n)) {
        throw new MalformedMessageError(
          `the Content-Length ${s.slice(0, 32)} is too large`,
        );
      }
      if (result >= 0 && n !== result) {
        throw new MalformedMessageError(
          "differing Content-Length values: send exactly one length",
        );
      }
      result = n;
    }
  }
  return result;
}

/**
 * Checks `Transfer-Encoding`; returns whether `chunked` is the final coding.
 * Codings other than `chunked` are not supported (501).
 */
function transferCodings(values: string[], isRequest: boolean): boolean {
  const codings = listElements(values.join(","));
  let chunkedAt = -1;
  for (let i = 0; i < codings.length; i++) {
    const c = codings[i]!;
    if (!TOKEN_RE.test(c)) {
      throw new MalformedMessageError(
        `invalid Transfer-Encoding ${
          JSON.stringify(values.join(", ").slice(0, 64))
        }`,
      );
    }
    if (c === "chunked") {
      if (chunkedAt >= 0) {
        throw new MalformedMessageError(
          "chunked is applied twice in Transfer-Encoding",
        );
      }
      chunkedAt = i;
    }
  }
  const last = chunkedAt === codings.length - 1;
  if (isRequest) {
    if (!last) {
      throw new MalformedMessageError(
        "chunked is not the final Transfer-Encoding of the request, so its length is unknown",
      );
    }
    if (codings.length > 1) {
      throw new UnsupportedTransferCodingError(
        `unsupported transfer coding ${
          JSON.stringify(codings[0])
        }: only chunked is supported`,
      );
    }
  }
  return last;
}

function hasToken(list: string | null, token: string): boolean {
  return list !== null && listElements(list).includes(token);
}

/**
 * Parses requests (the server side).
 *
 * @example Usage
 * ```ts
 * import { RequestDecoder, type HTTPEvent } from "@spindle/spindle/protocols/http";
 * const decoder = new RequestDecoder({ maxHeaderBytes: 8192 });
 * const events: HTTPEvent[] = [];
 * decoder.decode(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), events);
 * console.assert(events[0]?.type === "head" && events[1]?.type === "end");
 * ```
 */
export class RequestDecoder extends HTTPDecoder {
  /** Creates a request parser with the given limits. */
  constructor(limits: HTTPLimits = {}) {
    super(limits);
  }

  /** A request head means the same whenever it is sent. */
  protected override get headsRepeat(): boolean {
    return true;
  }

  /** Parses a request line and its fields. */
  protected parseHead(text: string): MessageHead {
    const line = startLineOf(text);
    const m = REQUEST_LINE_RE.exec(line);
    if (m === null) {
      if (/ HTTP\/\d\.\d$/.test(line) && !/ HTTP\/1\.\d$/.test(line)) {
        throw new UnsupportedVersionError(
          `unsupported HTTP version in ${
            JSON.stringify(line.slice(-8))
          }: use HTTP/1.1`,
        );
      }
      throw new MalformedMessageError(
        `malformed request line ${
          JSON.stringify(line.slice(0, 64))
        }: send METHOD SP target SP HTTP/1.1`,
      );
    }
    if (m[3] !== "1") {
      throw new UnsupportedVersionError(
        `unsupported HTTP version ${m[3]}.${m[4]}: use HTTP/1.1`,
      );
    }
    const versionMinor = m[4] === "0" ? 0 : 1;
    const method = m[1]!;
    const f = parseFields(text, line);
    if (versionMinor === 1 && f.hostCount !== 1) {
      throw new MalformedMessageError(
        f.hostCount === 0
          ? "an HTTP/1.1 request without a Host field: send Host"
          : "a request with more than one Host field",
      );
    }
    if (f.hostCount > 1) {
      throw new MalformedMessageError(
        "a request with more than one Host field",
      );
    }
    let framing: BodyFraming = "length";
    let contentLength = 0;
    if (f.transferEncoding !== null) {
      if (f.contentLength !== null) {
        throw new MalformedMessageError(
          "a request with both Content-Length and Transfer-Encoding: send only one",
        );
      }
      if (versionMinor === 0) {
        throw new MalformedMessageError(
          "Transfer-Encoding in an HTTP/1.0 request",
        );
      }
      transferCodings(f.transferEncoding, true);
      framing = "chunked";
    } else if (f.contentLength !== null) {
      contentLength = contentLengthOf(f.contentLength);
      if (contentLength > this.maxBodySize) {
        throw new BodyTooLargeError(
          `the Content-Length ${contentLength} is over maxBodySize (${this.maxBodySize} bytes)`,
        );
      }
    }
    const keepAlive = versionMinor === 1
      ? !hasToken(f.connection, "close")
      : hasToken(f.connection, "keep-alive");
    const upgrade = method === "CONNECT" ||
      (f.upgrade !== null && versionMinor === 1 &&
        hasToken(f.connection, "upgrade"));
    return {
      method,
      target: m[2]!,
      status: 0,
      reason: "",
      versionMinor,
      headers: f.headers,
      framing,
      contentLength,
      keepAlive,
      upgrade,
      host: f.host,
      expect: f.expect,
    };
  }
}

/**
 * Parses responses (the client side). Tell it the method of each request sent
 * with {@linkcode ResponseDecoder.expectResponseTo}, so it knows that an answer
 * to `HEAD` has no body.
 *
 * @example Usage
 * ```ts
 * import { ResponseDecoder, type HTTPEvent } from "@spindle/spindle/protocols/http";
 * const decoder = new ResponseDecoder();
 * decoder.expectResponseTo("GET");
 * const events: HTTPEvent[] = [];
 * decoder.decode(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"), events);
 * console.assert(events.length === 3);
 * ```
 */
export class ResponseDecoder extends HTTPDecoder {
  #methods: string[] = [];

  /** Creates a response parser with the given limits. */
  constructor(limits: HTTPLimits = {}) {
    super(limits);
  }

  /** Records the method of the next request sent, in order. */
  expectResponseTo(method: string): void {
    this.#methods.push(method);
  }

  /** Parses a status line and its fields. */
  protected parseHead(text: string): MessageHead {
    const line = startLineOf(text);
    const m = STATUS_LINE_RE.exec(line);
    if (m === null) {
      throw new MalformedMessageError(
        `malformed status line ${JSON.stringify(line.slice(0, 64))}`,
      );
    }
    if (m[1] !== "1") {
      throw new UnsupportedVersionError(
        `unsupported HTTP version ${m[1]}.${m[2]}`,
      );
    }
    const versionMinor = m[2] === "0" ? 0 : 1;
    const status = Number(m[3]);
    const f = parseFields(text, line);
    const interim = status >= 100 && status < 200 && status !== 101;
    const method = interim
      ? (this.#methods[0] ?? "GET")
      : (this.#methods.shift() ?? "GET");
    let keepAlive = versionMinor === 1
      ? !hasToken(f.connection, "close")
      : hasToken(f.connection, "keep-alive");
    let framing: BodyFraming = "length";
    let contentLength = 0;
    const upgrade = status === 101 ||
      (method === "CONNECT" && status >= 200 && status < 300);
    if (
      interim || upgrade || method === "HEAD" || status === 204 ||
      status === 304
    ) {
      // No body (RFC 9112 §6.3, rules 1 and 2).
    } else if (f.transferEncoding !== null) {
      if (transferCodings(f.transferEncoding, false)) {
        framing = "chunked";
        // A length next to chunked may have been put there to smuggle.
        if (f.contentLength !== null) keepAlive = false;
      } else {
        framing = "close";
        keepAlive = false;
      }
    } else if (f.contentLength !== null) {
      contentLength = contentLengthOf(f.contentLength);
      if (contentLength > this.maxBodySize) {
        throw new BodyTooLargeError(
          `the Content-Length ${contentLength} is over maxBodySize (${this.maxBodySize} bytes)`,
        );
      }
    } else {
      framing = "close";
      keepAlive = false;
    }
    return {
      method: "",
      target: "",
      status,
      reason: m[4] ?? "",
      versionMinor,
      headers: f.headers,
      framing,
      contentLength,
      keepAlive,
      upgrade,
      host: null,
      expect: null,
    };
  }
}
