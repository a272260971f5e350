/**
 * Helpers that turn heads into bytes: the cached `Date` value,
 * Latin-1 encoding of header sections, chunk framing, and cheap access to the
 * body of a `Response` built from a string or bytes.
 *
 * @module
 */

import { STATUS_TEXT } from "./constants.ts";

const encoder = new TextEncoder();

let cachedDate = "";
let cachedSecond = -1;

/** The current time as an HTTP date (RFC 9110 §5.6.7), recomputed once a second. */
export function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = new Date(now).toUTCString();
  }
  return cachedDate;
}

/**
 * Encodes a header section. Field values are octets (Latin-1, which
 * `TextEncoder` would turn into UTF-8); copying char codes does both ASCII and
 * Latin-1 right, and for a head of a hundred bytes it beats a native call.
 */
export function encodeHead(head: string): Uint8Array {
  return assemble(head, null);
}

const NOT_ASCII = /[^\t\n\r\x20-\x7e]/;

/**
 * A body ready to be put after a head: bytes, or a short ASCII string (whose
 * byte length is its length) that {@linkcode assemble} copies without a
 * `TextEncoder` call.
 */
export type PreparedBody = Uint8Array | string;

/** Prepares a static body; its byte length is `.length` either way. */
export function prepareBody(body: string | Uint8Array): PreparedBody {
  if (typeof body !== "string") return body;
  return body.length <= 2048 && !NOT_ASCII.test(body)
    ? body
    : encoder.encode(body);
}

// Responses are carved out of a shared slab: one small typed-array
// allocation per response costs more than filling it (V8 backs each with its
// own ArrayBuffer). Regions are never reused, so a view handed to a
// connection stays valid until it is written; a full slab is simply dropped.
const SLAB_SIZE = 128 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabOffset = 0;

/** One buffer with `head` (as octets) followed by `body`: one write for the whole response. */
export function assemble(head: string, body: PreparedBody | null): Uint8Array {
  const headLength = head.length;
  const size = headLength + (body === null ? 0 : body.length);
  let out: Uint8Array;
  let at: number;
  if (size > 16384) {
    out = new Uint8Array(size);
    at = 0;
  } else {
    if (slabOffset + size > SLAB_SIZE) {
      slab = new Uint8Array(SLAB_SIZE);
      slabOffset = 0;
    }
    out = slab;
    at = slabOffset;
    slabOffset += size;
  }
  const region = out.subarray(at, at + size);
  // encodeInto is the fastest copy, and one call for head and text body beats
  // two. Octets above 0x7f (Latin-1 in the head, which UTF-8 would widen) are
  // detected by the counts and copied char by char instead.
  if (typeof body === "string") {
    const copied = encoder.encodeInto(head + body, region);
    if (copied.read === size && copied.written === size) return region;
  } else {
    const copied = encoder.encodeInto(head, region);
    if (copied.read === headLength && copied.written === headLength) {
      if (body !== null) region.set(body, headLength);
      return region;
    }
  }
  for (let i = 0; i < headLength; i++) region[i] = head.charCodeAt(i);
  if (typeof body === "string") {
    encoder.encodeInto(body, region.subarray(headLength));
  } else if (body !== null) region.set(body, headLength);
  return region;
}

/** One chunk of a chunked body: size line, data and CRLF, in one buffer. */
export function encodeChunk(data: Uint8Array): Uint8Array {
  const size = data.byteLength.toString(16);
  const out = new Uint8Array(size.length + 4 + data.byteLength);
  encoder.encodeInto(size, out);
  out[size.length] = 13;
  out[size.length + 1] = 10;
  out.set(data, size.length + 2);
  out[out.length - 2] = 13;
  out[out.length - 1] = 10;
  return out;
}

/** The body of a `Response` or `Request` when it is known without reading a stream. */
export interface StaticBody {
  /** The bytes (or text, to be UTF-8 encoded); `null` for no body. */
  body: string | Uint8Array | null;
  /**
   * The `Content-Type` the runtime would add, when known without creating
   * the `Headers` object; `undefined` when the headers must be read.
   */
  contentType?: string | null;
}

// Deno keeps a Response built from a string or bytes as that value until a
// stream is asked for. These internal slots are found by description once; if
// a Deno version lacks them, every body simply goes through `response.body`.
const slots = (() => {
  try {
    const probe = new Response("");
    const byName = new Map<string, symbol>();
    for (const s of Object.getOwnPropertySymbols(probe)) {
      if (s.description !== undefined) byName.set(s.description, s);
    }
    const inner = byName.get("response");
    if (inner === undefined) return null;
    return {
      inner,
      fastStatus: byName.get("serve fast status"),
      fastBody: byName.get("serve fast body"),
      fastKind: byName.get("serve fast header kind"),
      fastType: byName.get("serve fast content type"),
    };
  } catch {
    return null;
  }
})();

const requestSlot = (() => {
  try {
    return Object.getOwnPropertySymbols(new Request("http://x/")).find((s) =>
      s.description === "request"
    );
  } catch {
    return undefined;
  }
})();

interface InnerBody {
  streamOrStatic?: unknown;
  length?: number | null;
}

/**
 * The body of `response` as a value, when it was built from a string or bytes
 * (no stream needed), else `null`. Call it before touching `response.headers`
 * so the content type can come without building the `Headers` object.
 */
export function staticBodyOf(response: Response | Request): StaticBody | null {
  if (slots === null) return null;
  // deno-lint-ignore no-explicit-any
  const r = response as any;
  try {
    if (slots.fastStatus !== undefined && r[slots.fastStatus] > 0) {
      const body = r[slots.fastBody!] ?? null;
      if (
        typeof body === "string" || body instanceof Uint8Array || body === null
      ) {
        const kind = r[slots.fastKind!];
        const contentType = kind === 1
          ? "text/plain;charset=UTF-8"
          : kind === 2
          ? r[slots.fastType!] as string
          : kind === 0
          ? null
          : undefined;
        return { body, contentType };
      }
    }
    const inner = r[slots.inner] ?? (requestSlot && r[requestSlot]);
    const innerBody: InnerBody | null = inner?.body ?? null;
    if (innerBody === null) {
      return response.body === null ? { body: null } : null;
    }
    const s = innerBody.streamOrStatic as
      | { body?: unknown; consumed?: boolean }
      | undefined;
    if (s === undefined || s instanceof ReadableStream || s.consumed) {
      return null;
    }
    if (typeof s.body === "string" || s.body instanceof Uint8Array) {
      return { body: s.body };
    }
    return null;
  } catch {
    return null;
  }
}

/** The length of a stream body when the runtime knows it (a `Blob` source), else -1. */
export function knownLengthOf(message: Response | Request): number {
  if (slots === null) return -1;
  try {
    const slotted = message as unknown as Record<
      symbol,
      { body?: InnerBody } | undefined
    >;
    const inner = slotted[slots.inner] ?? (requestSlot && slotted[requestSlot]);
    const length = inner?.body?.length;
    return typeof length === "number" ? length : -1;
  } catch {
    return -1;
  }
}

const statusLines = new Map<number, string>();

/** `HTTP/1.1 <status> <reason>\r\n`, cached for the standard reason phrases. */
export function statusLine(status: number, statusText: string): string {
  if (statusText !== "") return `HTTP/1.1 ${status} ${statusText}\r\n`;
  let line = statusLines.get(status);
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Unknown"}\r\n`;
    if (statusLines.size < 1000) statusLines.set(status, line);
  }
  return line;
}
