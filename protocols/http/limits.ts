/**
 * Every limit and timeout of HTTP/1.1 in Spindle, with its default, once:
 * the cores' size limits ({@linkcode HTTPLimits}), the server's
 * ({@linkcode ServerLimits}) and the agent's ({@linkcode AgentLimits}).
 * Option types extend these.
 *
 * @module
 */

/**
 * The default `maxHeaderBytes` of a server: 16 KiB for the start line and
 * the header section (RFC 9112 §2.3 leaves it to the implementation; RFC
 * 9110 §5.4 lets a server answer 431 beyond it).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_HEADER_BYTES } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_MAX_HEADER_BYTES === 16384);
 * ```
 */
export const DEFAULT_MAX_HEADER_BYTES = 16384;
/**
 * The default `maxHeaderCount` of a server: 100 fields (RFC 9110 §5.4).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_HEADER_COUNT } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_MAX_HEADER_COUNT === 100);
 * ```
 */
export const DEFAULT_MAX_HEADER_COUNT = 100;
/**
 * The default `maxChunkLineBytes`: 4 KiB for one chunk-size line with its
 * extensions (RFC 9112 §7.1.1 lets a recipient limit extensions).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_CHUNK_LINE_BYTES } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_MAX_CHUNK_LINE_BYTES === 4096);
 * ```
 */
export const DEFAULT_MAX_CHUNK_LINE_BYTES = 4096;

/**
 * The server's default `maxBodySize`: 64 MiB for one request body (RFC 9110
 * §15.5.14 lets a server refuse a larger one with 413). A handler that reads
 * whole bodies (`arrayBuffer()`, `text()`) holds at most this much per
 * request; streaming handlers opt out with `Infinity`.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_BODY_SIZE } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_MAX_BODY_SIZE === 64 * 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_BODY_SIZE = 64 * 1024 * 1024;

/** The size limits of the HTTP cores; every one is enforced with a typed error. */
export interface HTTPLimits {
  /**
   * Maximum bytes of the start line plus the header section (and, separately,
   * of a trailer section). Over it: `HeadersTooLargeError` (431).
   * Default {@linkcode DEFAULT_MAX_HEADER_BYTES} (16384).
   */
  maxHeaderBytes?: number;
  /**
   * Maximum header (or trailer) fields in one message; over it: 431.
   * Default {@linkcode DEFAULT_MAX_HEADER_COUNT} (100).
   */
  maxHeaderCount?: number;
  /** Maximum body bytes; over it: `BodyTooLargeError` (413). Default unlimited. */
  maxBodySize?: number;
  /**
   * Maximum bytes of one chunk-size line with its extensions; over it: 400.
   * Default {@linkcode DEFAULT_MAX_CHUNK_LINE_BYTES} (4096).
   */
  maxChunkLineBytes?: number;
}

/**
 * The default `headersTimeout`: 30 s to receive a request head (RFC 9112
 * §9.5 lets a server close a connection that is slow to send one).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_HEADERS_TIMEOUT } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_HEADERS_TIMEOUT === 30_000);
 * ```
 */
export const DEFAULT_HEADERS_TIMEOUT = 30_000;
/**
 * The default `keepAliveTimeout`: 5 s idle between requests (RFC 9112 §9.5).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_KEEP_ALIVE_TIMEOUT } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_KEEP_ALIVE_TIMEOUT === 5_000);
 * ```
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT = 5_000;
/**
 * The default `bodyTimeout`: 30 s without a byte of a request body (RFC 9110 §15.5.9, 408).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_BODY_TIMEOUT } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_BODY_TIMEOUT === 30_000);
 * ```
 */
export const DEFAULT_BODY_TIMEOUT = 30_000;

/** The server's limits: the cores' sizes plus its timeouts. */
export interface ServerLimits extends HTTPLimits {
  /**
   * Maximum bytes of a request body. A `Content-Length` over it is refused
   * with 413 as soon as the head arrives (before any `100 Continue`); a
   * chunked body that grows past it fails the handler's body stream with
   * `BodyTooLargeError`, gets 413 if no response has started, and closes the
   * connection. `Infinity` lifts the limit (for handlers that stream bodies).
   * Default {@linkcode DEFAULT_MAX_BODY_SIZE} (64 MiB).
   */
  maxBodySize?: number;
  /**
   * Milliseconds to receive a request head before answering 408 and closing.
   * Default {@linkcode DEFAULT_HEADERS_TIMEOUT} (30000).
   */
  headersTimeout?: number;
  /**
   * Milliseconds an idle keep-alive connection stays open.
   * Default {@linkcode DEFAULT_KEEP_ALIVE_TIMEOUT} (5000).
   */
  keepAliveTimeout?: number;
  /**
   * Milliseconds a request body may go without a byte while the server waits
   * for more (time the handler takes to read is not counted). Then the body
   * fails with `BodyTimeoutError`, the client gets 408 if no response has
   * started, and the connection closes.
   * Default {@linkcode DEFAULT_BODY_TIMEOUT} (30000).
   */
  bodyTimeout?: number;
  /** Requests served on one connection before it is closed. Default unlimited. */
  maxRequestsPerConnection?: number;
  /**
   * Milliseconds a handler may take to return its `Response` (streaming the
   * body afterwards is not counted). When it runs out, the client gets 503,
   * the connection closes, and the handler's `request.signal` is aborted so
   * it can stop its work. Default: no limit.
   */
  handlerTimeout?: number;
}

/**
 * The agent's default `maxHeaderBytes`: 64 KiB. A client accepts larger
 * heads than a server does, since servers send long `Set-Cookie` and CSP
 * fields (RFC 9110 §5.4 leaves the limit to the recipient).
 *
 * @example Usage
 * ```ts
 * import { AGENT_MAX_HEADER_BYTES } from "@spindle/spindle/protocols/http";
 * console.assert(AGENT_MAX_HEADER_BYTES === 65536);
 * ```
 */
export const AGENT_MAX_HEADER_BYTES = 65536;
/**
 * The agent's default `maxHeaderCount`: 256 fields (RFC 9110 §5.4).
 *
 * @example Usage
 * ```ts
 * import { AGENT_MAX_HEADER_COUNT } from "@spindle/spindle/protocols/http";
 * console.assert(AGENT_MAX_HEADER_COUNT === 256);
 * ```
 */
export const AGENT_MAX_HEADER_COUNT = 256;
/**
 * The agent's default `connectTimeout`: 30 s.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_CONNECT_TIMEOUT } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_CONNECT_TIMEOUT === 30_000);
 * ```
 */
export const DEFAULT_CONNECT_TIMEOUT = 30_000;
/**
 * The agent's default `responseTimeout`: 60 s from the request to the response head.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_RESPONSE_TIMEOUT } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_RESPONSE_TIMEOUT === 60_000);
 * ```
 */
export const DEFAULT_RESPONSE_TIMEOUT = 60_000;
/**
 * The agent's default `idleTimeout`: 60 s for an unused pooled connection (RFC 9112 §9.5).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_IDLE_TIMEOUT } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_IDLE_TIMEOUT === 60_000);
 * ```
 */
export const DEFAULT_IDLE_TIMEOUT = 60_000;
/**
 * The agent's default `maxIdlePerHost`: 6 idle connections per origin, the
 * browsers' per-host connection count (RFC 9112 §9.4 asks clients to limit it).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_IDLE_PER_HOST } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_MAX_IDLE_PER_HOST === 6);
 * ```
 */
export const DEFAULT_MAX_IDLE_PER_HOST = 6;
/**
 * The agent's default `maxRedirects`: 20, as fetch does (RFC 9110 §15.4 warns of loops).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_REDIRECTS } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_MAX_REDIRECTS === 20);
 * ```
 */
export const DEFAULT_MAX_REDIRECTS = 20;
/**
 * The agent's default `expectContinueTimeout`: 1 s, as curl waits, for a
 * `100 Continue` before sending the body anyway (RFC 9110 §10.1.1).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_EXPECT_CONTINUE_TIMEOUT } from "@spindle/spindle/protocols/http";
 * console.assert(DEFAULT_EXPECT_CONTINUE_TIMEOUT === 1000);
 * ```
 */
export const DEFAULT_EXPECT_CONTINUE_TIMEOUT = 1000;

/** The agent's limits: sizes of the responses it reads, and its timeouts. */
export interface AgentLimits {
  /**
   * Maximum bytes of a response's status line plus header section (and of a
   * trailer section); over it the request fails with `HeadersTooLargeError`.
   * Default {@linkcode AGENT_MAX_HEADER_BYTES} (65536).
   */
  maxHeaderBytes?: number;
  /**
   * Maximum header (or trailer) fields in one response.
   * Default {@linkcode AGENT_MAX_HEADER_COUNT} (256).
   */
  maxHeaderCount?: number;
  /** Maximum response body bytes (`BodyTooLargeError`). Default unlimited. */
  maxBodySize?: number;
  /**
   * Maximum bytes of one chunk-size line with its extensions.
   * Default {@linkcode DEFAULT_MAX_CHUNK_LINE_BYTES} (4096).
   */
  maxChunkLineBytes?: number;
  /** Milliseconds to wait for a connection. Default {@linkcode DEFAULT_CONNECT_TIMEOUT} (30000). */
  connectTimeout?: number;
  /**
   * Milliseconds from sending a request to receiving the response head
   * (`ResponseTimeoutError`). Default {@linkcode DEFAULT_RESPONSE_TIMEOUT} (60000).
   */
  responseTimeout?: number;
  /** Milliseconds an unused pooled connection is kept. Default {@linkcode DEFAULT_IDLE_TIMEOUT} (60000). */
  idleTimeout?: number;
  /** Idle connections kept per host. Default {@linkcode DEFAULT_MAX_IDLE_PER_HOST} (6). */
  maxIdlePerHost?: number;
  /**
   * Redirects followed before failing with `RedirectLimitError`; 0 returns
   * redirects. Default {@linkcode DEFAULT_MAX_REDIRECTS} (20).
   */
  maxRedirects?: number;
  /**
   * Milliseconds a request sent with `Expect: 100-continue` waits for the
   * `100 Continue` (or a final status) before its body is sent anyway.
   * Default {@linkcode DEFAULT_EXPECT_CONTINUE_TIMEOUT} (1000).
   */
  expectContinueTimeout?: number;
}
