/**
 * The plain data of HTTP/1.1 messages as the cores produce them: a parsed
 * head, body bytes, the end with its trailers.
 *
 * @module
 */
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
   * The parser pauses after the message; see `HTTPCore.resume`.
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

/** What an HTTP core (`RequestCore`, `ResponseCore`) produces. */
export type HTTPEvent = HeadEvent | DataEvent | EndEvent;
