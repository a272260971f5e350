/**
 * Writing a handler's `Response` on a connection (RFC 9112 §6–7): the one-buffer
 * fast path for text responses (with a memo of the last one), static bodies,
 * streamed bodies by length, chunked (with trailers) or to the close, the
 * switch to another protocol, and the server's own error answers.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import { concatBytes } from "../../reactor/bytes.ts";
import { STATUS_TEXT } from "./constants.ts";
import type { MessageHead } from "./message.ts";
import type { TrailerSource } from "./trailers.ts";
import {
  assemble,
  encodeChunk,
  encodeHead,
  httpDate,
  knownLengthOf,
  prepareBody,
  type StaticBody,
  statusLine,
} from "./_serialize.ts";

const encoder = new TextEncoder();

/** A write to the connection failed: the client is gone. */
export class PeerGoneError extends Error {}

/** Writes to the connection; its failures are told apart from the handler's. */
export function send(conn: Connection, bytes: Uint8Array): Promise<void> {
  return conn.write(bytes).catch((error) => {
    throw new PeerGoneError("the connection failed while writing", {
      cause: error,
    });
  });
}

/**
 * The last text response serialised by any connection. A handler that
 * answers with the same text, status and content type again gets the same
 * bytes (until the `Date` second changes), so they are reused instead of
 * built and encoded anew. Reused bytes are never changed, so one buffer can
 * be queued on many connections at once.
 */
interface ResponseMemo {
  status: number;
  statusText: string;
  contentType: string | null;
  body: string;
  date: string;
  /** The connection field and the blank line. */
  tail: string;
  isHead: boolean;
  bytes: Uint8Array;
}
let responseMemo: ResponseMemo | null = null;
/** Larger responses are built each time: keeping them would pin their memory. */
const MEMO_MAX_BYTES = 4096;

const KEEP_ALIVE_10 = "connection: keep-alive\r\n\r\n";
const CLOSE = "connection: close\r\n\r\n";

/** The end of a head: the `Connection` field where one is needed, and the blank line. */
function headTail(keep: boolean, http10: boolean): string {
  return keep ? (http10 ? KEEP_ALIVE_10 : "\r\n") : CLOSE;
}

/**
 * The bytes of a response built from a string whose headers the handler
 * left alone (so they are known without a `Headers` object), from the memo
 * when the previous such response was the same; `null` for other responses.
 */
export function simpleResponse(
  response: Response,
  fixed: StaticBody,
  head: MessageHead,
  keep: boolean,
): Uint8Array | null {
  const body = fixed.body;
  const contentType = fixed.contentType;
  const status = response.status;
  if (
    typeof body !== "string" || contentType === undefined ||
    status < 200 || status === 204 || status === 304
  ) return null;
  const statusText = response.statusText;
  const tail = headTail(keep, head.versionMinor === 0);
  const isHead = head.method === "HEAD";
  const date = httpDate();
  const memo = responseMemo;
  if (
    memo !== null && memo.body === body && memo.date === date &&
    memo.status === status && memo.statusText === statusText &&
    memo.contentType === contentType && memo.tail === tail &&
    memo.isHead === isHead
  ) return memo.bytes;
  let text = statusLine(status, statusText);
  if (contentType !== null) text += `content-type: ${contentType}\r\n`;
  const prepared = prepareBody(body);
  text += `date: ${date}\r\ncontent-length: ${prepared.length}\r\n${tail}`;
  const bytes = assemble(text, isHead ? null : prepared);
  responseMemo = bytes.byteLength <= MEMO_MAX_BYTES
    ? { status, statusText, contentType, body, date, tail, isHead, bytes }
    : null;
  return bytes;
}

/** The head's fields so far, and what the handler's headers decided. */
interface HeadFields {
  text: string;
  keep: boolean;
  /** The handler's own `Content-Length`, or -1. */
  userLength: number;
}

/** The status line and the handler's fields (minus hop-by-hop ones), with a `Date`. */
function headFields(
  response: Response,
  fixed: StaticBody | null,
  keep: boolean,
): HeadFields {
  let text = statusLine(response.status, response.statusText);
  let userLength = -1;
  let hasDate = false;
  if (fixed !== null && fixed.contentType !== undefined) {
    if (fixed.contentType !== null) {
      text += `content-type: ${fixed.contentType}\r\n`;
    }
  } else {
    for (const [name, value] of response.headers) {
      switch (name) {
        case "connection":
        case "keep-alive":
        case "transfer-encoding":
          if (name === "connection" && /\bclose\b/i.test(value)) keep = false;
          continue;
        case "content-length":
          userLength = /^\d+$/.test(value) ? Number(value) : -1;
          continue;
        case "date":
          hasDate = true;
      }
      text += `${name}: ${value}\r\n`;
    }
  }
  if (!hasDate) text += `date: ${httpDate()}\r\n`;
  return { text, keep, userLength };
}

/**
 * Writes a response other than the one-buffer kind; resolves to whether the
 * connection may be kept.
 */
export async function writeResponse(
  conn: Connection,
  response: Response,
  head: MessageHead,
  keep: boolean,
  trailers: TrailerSource | undefined,
  fixed: StaticBody | null,
): Promise<boolean> {
  const status = response.status;
  const noBody = status < 200 || status === 204 || status === 304;
  const fields = headFields(response, fixed, keep);
  if (fixed !== null || noBody) {
    await writeStatic(conn, response, head, fields, fixed, noBody);
    return fields.keep;
  }
  const stream = response.body;
  if (stream === null) {
    const tail = headTail(fields.keep, head.versionMinor === 0);
    await send(conn, encodeHead(`${fields.text}content-length: 0\r\n${tail}`));
    return fields.keep;
  }
  return writeStream(conn, response, stream, head, fields, trailers);
}

/** A response whose body is known (or that has none): one write. */
async function writeStatic(
  conn: Connection,
  response: Response,
  head: MessageHead,
  fields: HeadFields,
  fixed: StaticBody | null,
  noBody: boolean,
): Promise<void> {
  const isHead = head.method === "HEAD";
  const status = response.status;
  let text = fields.text;
  const bytes = noBody || fixed?.body == null ? null : prepareBody(fixed.body);
  if (bytes !== null) text += `content-length: ${bytes.length}\r\n`;
  else if ((isHead || status === 304) && fields.userLength >= 0) {
    // A HEAD answer (or 304) may tell the length a GET would have had.
    text += `content-length: ${fields.userLength}\r\n`;
  } else if (!noBody) text += "content-length: 0\r\n";
  // Touching `body` of a static response would build a stream: only
  // a real stream (a body on a status that has none) needs cancelling.
  if (fixed === null) response.body?.cancel().catch(() => {});
  text += headTail(fields.keep, head.versionMinor === 0);
  await send(conn, assemble(text, isHead ? null : bytes));
}

/** A streamed body: by its length, chunked (HTTP/1.1) or up to the close (HTTP/1.0). */
async function writeStream(
  conn: Connection,
  response: Response,
  stream: ReadableStream<Uint8Array>,
  head: MessageHead,
  fields: HeadFields,
  trailers: TrailerSource | undefined,
): Promise<boolean> {
  const http10 = head.versionMinor === 0;
  let { text, keep } = fields;
  const length = trailers === undefined
    ? (fields.userLength >= 0 ? fields.userLength : knownLengthOf(response))
    : -1;
  const chunked = length < 0 && !http10;
  if (length >= 0) text += `content-length: ${length}\r\n`;
  else if (chunked) text += "transfer-encoding: chunked\r\n";
  else keep = false;
  await send(conn, encodeHead(text + headTail(keep, http10)));
  if (head.method === "HEAD") {
    await stream.cancel().catch(() => {});
    return keep;
  }
  const sent = await pumpBody(conn, stream, chunked, length);
  if (length >= 0 && sent !== length) {
    throw new RangeError(
      `the response body (${sent} bytes) is shorter than its Content-Length (${length}): fix the header or the body`,
    );
  }
  if (chunked) {
    let tail = "0\r\n";
    if (trailers !== undefined) {
      for (const [name, value] of new Headers(await trailers())) {
        tail += `${name}: ${value}\r\n`;
      }
    }
    await send(conn, encodeHead(`${tail}\r\n`));
  }
  return keep;
}

/** Copies `stream` to the connection; resolves to the bytes sent. */
async function pumpBody(
  conn: Connection,
  stream: ReadableStream<Uint8Array>,
  chunked: boolean,
  length: number,
): Promise<number> {
  const reader = stream.getReader();
  let sent = 0;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return sent;
      if (!(value instanceof Uint8Array)) {
        throw new TypeError(
          "a response body stream yielded a non-Uint8Array chunk: enqueue bytes",
        );
      }
      if (value.byteLength === 0) continue;
      sent += value.byteLength;
      if (length >= 0 && sent > length) {
        throw new RangeError(
          `the response body is longer than its Content-Length (${length}): fix the header or the body`,
        );
      }
      await send(conn, chunked ? encodeChunk(value) : value);
    }
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }
}

/** Writes the switch to another protocol: 101 (200 to `CONNECT`) with the handler's fields. */
export async function writeUpgrade(
  conn: Connection,
  response: Response,
  head: MessageHead,
): Promise<void> {
  let text: string;
  if (head.method === "CONNECT") {
    text = "HTTP/1.1 200 Connection Established\r\n";
  } else {
    text = "HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\n";
    const upgrade = head.headers.find(([n]) => n.toLowerCase() === "upgrade")
      ?.[1];
    if (upgrade !== undefined && !response.headers.has("upgrade")) {
      text += `upgrade: ${upgrade}\r\n`;
    }
  }
  for (const [name, value] of response.headers) {
    if (name !== "connection") text += `${name}: ${value}\r\n`;
  }
  await send(conn, encodeHead(`${text}date: ${httpDate()}\r\n\r\n`));
}

/**
 * The body of an answer the server makes up itself (400, 408, 413, 500,
 * 503...): a fixed text per status, never bytes of the request, which a
 * browser could take for markup.
 */
function errorText(status: number): string {
  return `${STATUS_TEXT[status] ?? "Error"}\n`;
}

/** The content type of the server's own answers, sent with `nosniff` so that browsers keep to it. */
const ERROR_TYPE = "text/plain;charset=UTF-8";

/** The server's own answer to a broken or timed-out request; the connection closes after it. */
export function errorResponse(status: number): Uint8Array {
  const body = encoder.encode(errorText(status));
  const head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\n` +
    `content-type: ${ERROR_TYPE}\r\nx-content-type-options: nosniff\r\n` +
    `content-length: ${body.byteLength}\r\n` +
    `date: ${httpDate()}\r\nconnection: close\r\n\r\n`;
  return concatBytes(encodeHead(head), body);
}

/** The server's own answer to a request on a connection that goes on (500, 417). */
export function errorAnswer(status: number): Response {
  return new Response(errorText(status), {
    status,
    headers: {
      "content-type": ERROR_TYPE,
      "x-content-type-options": "nosniff",
    },
  });
}
