/**
 * The HTTP/1.x cores (RFC 9112): {@linkcode RequestCore} for servers and
 * {@linkcode ResponseCore} for clients; request and response heads,
 * `Content-Length`, chunked (with trailers) and close-delimited bodies.
 *
 * Each is a plain `DecoderCore`: bytes in, `HTTPEvent`s out,
 * with no streams inside, so the server and client run it in the
 * connection's read loop. It is strict where leniency enables request
 * smuggling: such input raises a {@linkcode MalformedMessageError} (400) and
 * the connection must be closed.
 *
 * @module
 */
import {
  BodyTooLargeError,
  MalformedMessageError,
  UnsupportedVersionError,
} from "./errors.ts";
import { decoderCore } from "../../reactor/codec.ts";
import { DecoderStream } from "../../reactor/decoder_stream.ts";
import type { HTTPLimits } from "./limits.ts";
import type { BodyFraming, HTTPEvent, MessageHead } from "./message.ts";
import { HTTPCore } from "./_core.ts";
import {
  contentLengthOf,
  hasToken,
  parseFields,
  startLineOf,
  TOKEN,
  transferCodings,
} from "./_fields.ts";

export { HTTPCore };

const REQUEST_LINE_RE = new RegExp(
  `^(${TOKEN}+) ([\\x21-\\x7e]+) HTTP/(\\d)\\.(\\d)$`,
);
const STATUS_LINE_RE =
  /^HTTP\/(\d)\.(\d) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;

/** Matches a request line (RFC 9112 §3); throws for a malformed one or a version other than 1.x. */
function matchRequestLine(line: string): RegExpExecArray {
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
  return m;
}

/** A request has one `Host` field, which HTTP/1.1 requires (RFC 9112 §3.2). */
function checkHostCount(hostCount: number, versionMinor: number): void {
  if (versionMinor === 1 && hostCount !== 1) {
    throw new MalformedMessageError(
      hostCount === 0
        ? "an HTTP/1.1 request without a Host field: send Host"
        : "a request with more than one Host field",
    );
  }
  if (hostCount > 1) {
    throw new MalformedMessageError(
      "a request with more than one Host field",
    );
  }
}

/**
 * Parses requests (the server side).
 *
 * @example Usage
 * ```ts
 * import { RequestCore, type HTTPEvent } from "@spindle/spindle/protocols/http";
 * const core = new RequestCore({ maxHeaderBytes: 8192 });
 * const events: HTTPEvent[] = [];
 * core.decode(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), events);
 * console.assert(events[0]?.type === "head" && events[1]?.type === "end");
 * ```
 */
export class RequestCore extends HTTPCore {
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
    const m = matchRequestLine(line);
    const versionMinor = m[4] === "0" ? 0 : 1;
    const method = m[1]!;
    const f = parseFields(text, line);
    checkHostCount(f.hostCount, versionMinor);
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
 * with {@linkcode ResponseCore.expectResponseTo}, so it knows that an answer
 * to `HEAD` has no body.
 *
 * @example Usage
 * ```ts
 * import { ResponseCore, type HTTPEvent } from "@spindle/spindle/protocols/http";
 * const core = new ResponseCore();
 * core.expectResponseTo("GET");
 * const events: HTTPEvent[] = [];
 * core.decode(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"), events);
 * console.assert(events.length === 3);
 * ```
 */
export class ResponseCore extends HTTPCore {
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

/**
 * A `TransformStream` from bytes to the {@linkcode HTTPEvent}s of the
 * requests in them (a {@linkcode RequestCore} on the reactor's codec
 * adapter): for tools that watch HTTP, such as a logging proxy. After a
 * protocol switch (an `Upgrade` request, `CONNECT`) it yields nothing more.
 *
 * @example Usage
 * ```ts
 * import { RequestDecoder } from "@spindle/spindle/protocols/http";
 * const events = await Array.fromAsync(
 *   ReadableStream.from([new TextEncoder().encode("GET /a HTTP/1.1\r\nHost: h\r\n\r\n")])
 *     .pipeThrough(new RequestDecoder()),
 * );
 * console.assert(events[0]?.type === "head" && events[1]?.type === "end");
 * ```
 */
export class RequestDecoder extends DecoderStream<HTTPEvent> {
  /** The core this transform runs. */
  declare readonly [decoderCore]: RequestCore;

  /** Creates the transform with the given limits. */
  constructor(limits: HTTPLimits = {}) {
    super(new RequestCore(limits));
  }
}

/**
 * A `TransformStream` from bytes to the {@linkcode HTTPEvent}s of the
 * responses in them (a {@linkcode ResponseCore} on the reactor's codec
 * adapter). Tell it the method of each request with `expectResponseTo`, so
 * that it knows an answer to `HEAD` has no body.
 *
 * @example Usage
 * ```ts
 * import { ResponseDecoder } from "@spindle/spindle/protocols/http";
 * const decoder = new ResponseDecoder();
 * decoder.expectResponseTo("GET");
 * const events = await Array.fromAsync(
 *   ReadableStream.from([new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")])
 *     .pipeThrough(decoder),
 * );
 * console.assert(events.map((e) => e.type).join() === "head,data,end");
 * ```
 */
export class ResponseDecoder extends DecoderStream<HTTPEvent> {
  /** The core this transform runs. */
  declare readonly [decoderCore]: ResponseCore;

  /** Creates the transform with the given limits. */
  constructor(limits: HTTPLimits = {}) {
    super(new ResponseCore(limits));
  }

  /** Records the method of the next request sent, in order (see {@linkcode ResponseCore.expectResponseTo}). */
  expectResponseTo(method: string): void {
    this[decoderCore].expectResponseTo(method);
  }
}
