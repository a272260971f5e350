/**
 * Field lines and the framing fields of HTTP/1.1 heads (RFC 9110 §5, RFC
 * 9112 §5 and §6): the pure helpers the cores parse heads with.
 *
 * @module
 */
import {
  MalformedMessageError,
  UnsupportedTransferCodingError,
} from "./errors.ts";

export const CR = 13;
export const LF = 10;

export const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]";
const TOKEN_RE = new RegExp(`^${TOKEN}+$`);
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
const SP = 32;
const HTAB = 9;

const utf8 = new TextDecoder();

/** Decodes bytes as Latin-1 (header bytes are octets, RFC 9110 §5.5). */
export function decodeLatin1(
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
export function parseFieldLines(
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

/** The fields that decide a message's framing, gathered while parsing a head. */
export interface FramingFields {
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

/** The start line of a head's `text` (see `HTTPCore.parseHead`). */
export function startLineOf(text: string): string {
  const end = text.indexOf("\r\n");
  return end < 0 ? text : text.slice(0, end);
}

/** Parses the field lines after the start line of a head's `text`. */
export function parseFields(text: string, startLine: string): FramingFields {
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
export function contentLengthOf(values: string[]): number {
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
export function transferCodings(values: string[], isRequest: boolean): boolean {
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

export function hasToken(list: string | null, token: string): boolean {
  return list !== null && listElements(list).includes(token);
}
