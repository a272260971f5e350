/**
 * The HTTP/2 server: serves one connection with a `Deno.serve`-shaped
 * handler, one handler call per stream, request and response bodies streamed
 * under flow control, trailers both ways, graceful GOAWAY.
 *
 * @module
 */
import type { Address, Connection } from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { getLogger } from "../../log/mod.ts";
import { ErrorCode } from "./constants.ts";
import { H2StreamError, H2StreamResetError } from "./errors.ts";
import type { H2Limits } from "./limits.ts";
import { H2Connection, resolveLimits } from "./connection.ts";
import type { H2Stream } from "./_stream.ts";
import { Tunnel, type TunnelHost } from "./_tunnel.ts";
import {
  CONNECTION_SPECIFIC,
  fieldsToHeaders,
  requestHead,
} from "./_fields.ts";

const logger = getLogger("spindle.http2.server");

/** What a handler learns about the exchange besides the request (the shape of HTTP/1.1's). */
export interface H2HandlerInfo {
  /** The client's address. */
  readonly remoteAddr: Address;
  /** The server's address. */
  readonly localAddr: Address;
  /**
   * The `:protocol` of an extended CONNECT (RFC 8441, e.g. `"websocket"`);
   * undefined for other requests.
   */
  readonly protocol?: string;
  /**
   * Hands the stream of an extended CONNECT over (answered 200, the stream
   * becomes the connection); other requests cannot switch protocols over
   * HTTP/2: this throws `TypeError`. `onShutdown` is how the new owner
   * closes gracefully when the server shuts down (a WebSocket with 1001);
   * without it the stream is ended.
   */
  upgrade(options?: { headers?: HeadersInit; onShutdown?: () => void }): {
    response: Response;
    connection: Promise<Connection>;
  };
}

/** A `Deno.serve`-shaped handler, as HTTP/1.1's `ServeHandler`. */
export type H2Handler = (
  request: Request,
  info: H2HandlerInfo,
) => Response | Promise<Response>;

/**
 * How trailers reach fetch's `Request` and `Response`, which have no place
 * for them: `serveHTTP` passes HTTP/1.1's `withTrailers` / `requestTrailers`
 * bookkeeping, so one handler sees trailers alike on both versions.
 */
export interface TrailerHooks {
  /** The trailers a handler attached to `response`, if any. */
  toSend(
    response: Response,
  ): (() => HeadersInit | Promise<HeadersInit>) | undefined;
  /** Records the trailers `request`'s body will end with. */
  received(request: Request, trailers: Promise<Headers>): void;
}

/** Options of {@linkcode serveH2Connection}. */
export interface H2ServeOptions extends H2Limits {
  /** Where timeouts are scheduled (a fake `Clock` in tests). Default: the default reactor. */
  clock?: IReactorTime;
  /** The scheme of request URLs when the client sends none. Default `"http"`. */
  scheme?: string;
  /** Trailer bookkeeping shared with HTTP/1.1 (see {@linkcode TrailerHooks}). */
  trailers?: TrailerHooks;
  /**
   * Makes the response for a request whose handler threw, as `Deno.serve`'s
   * `onError`; default: log the error and answer 500.
   */
  onError?: (error: unknown) => Response | Promise<Response>;
  /**
   * The body of a response built from a string or bytes, when it can be had
   * without reading its stream (`serveHTTP` passes HTTP/1.1's fast path):
   * then the response goes out in one write, with a `content-length`.
   */
  bodyOf?: (response: Response) => StaticBody | null;
  /**
   * Builds the handler's `Request` from the method, the absolute URL, the
   * header pairs and the body (`serveHTTP` passes HTTP/1.1's lazy builder,
   * which parses the URL and copies the headers only when asked). Default:
   * `new Request`.
   */
  makeRequest?: (
    method: string,
    url: string,
    headers: [string, string][],
    body: ReadableStream<Uint8Array> | null,
  ) => MadeRequest;
}

/** What {@linkcode H2ServeOptions.makeRequest} returns. */
export interface MadeRequest {
  /** The request for the handler. */
  request: Request;
  /** Aborts `request.signal` (called when the client resets the stream or leaves). */
  abort: { abort(): void };
}

/** A body known without reading a stream (see {@linkcode H2ServeOptions.bodyOf}). */
export interface StaticBody {
  /** The bytes, or text to be UTF-8 encoded; `null` for no body. */
  body: string | Uint8Array | null;
  /** The content type, when known without reading `response.headers`; `undefined` when they must be read. */
  contentType?: string | null;
}

const encoder = new TextEncoder();

/** A connection being served: how it ends, and how to end it gracefully. */
export interface H2Session {
  /** Resolves when the connection has closed. */
  readonly done: Promise<void>;
  /** Whether no stream is open. */
  readonly idle: boolean;
  /** Sends GOAWAY: streams in flight finish, then the connection closes. */
  shutdown(): void;
}

class H2ServerConnection extends H2Connection implements H2Session, TunnelHost {
  #handler: H2Handler;
  #options: H2ServeOptions;
  #info: H2HandlerInfo;
  /** Streams handed over by an extended CONNECT, with their owner's graceful close. */
  #tunnels = new Map<Connection, (() => void) | undefined>();

  constructor(conn: Connection, handler: H2Handler, options: H2ServeOptions) {
    super(
      conn,
      resolveLimits(options),
      options.clock ?? defaultReactor,
      true,
    );
    this.#handler = handler;
    this.#options = options;
    this.#info = {
      remoteAddr: conn.remoteAddr,
      localAddr: conn.localAddr,
      upgrade() {
        throw new TypeError(
          "a protocol switch (upgrade) is HTTP/1.1 only: this request came over HTTP/2",
        );
      },
    };
  }

  override run(): Promise<void> {
    try {
      // Responses go out in several writes (HEADERS, then DATA as the body
      // comes): Nagle's algorithm would hold the later ones for the client's
      // delayed ACK. Deno.serve and node disable it too.
      this.conn.setNoDelay(true);
    } catch {
      // A socket the client already reset: reading will tell.
    }
    return super.run();
  }

  get idle(): boolean {
    return this.streams.size === 0;
  }

  shutdown(): void {
    this.goAwayGracefully();
    // A tunnel is a stream in flight that only its owner ends: GOAWAY alone
    // would wait for it forever, so it is asked to close (a WebSocket with
    // 1001, as over HTTP/1.1), or ended.
    for (const [conn, onShutdown] of this.#tunnels) {
      if (onShutdown !== undefined) onShutdown();
      else conn.close().catch(() => {});
    }
  }

  sendOn(stream: H2Stream, data: Uint8Array, end: boolean): Promise<void> {
    return this.sendData(stream, data, end);
  }

  protected onOpen(id: number, fields: string[], end: boolean): void {
    const head = requestHead(id, fields);
    const stream = this.addStream(id, true);
    stream.expectedLength = head.contentLength;
    if (end) this.endWithTrailers(stream, new Headers());
    let tunnel: Tunnel | undefined;
    if (head.protocol !== null) {
      // RFC 8441: fetch cannot represent CONNECT, so the handler sees the
      // GET of an HTTP/1.1 upgrade (Deno-style code checks `upgrade`).
      tunnel = new Tunnel(head.protocol, stream, this, this.conn);
      head.method = "GET";
      head.headers.push(["upgrade", head.protocol], ["connection", "upgrade"]);
    } else if (head.method === "CONNECT") {
      // Plain CONNECT tunnels (proxying) are not served.
      stream.discard();
      this.sendHeaders(stream, [":status", "501"], true);
      return;
    }
    const scheme = head.scheme ?? this.#options.scheme ?? "http";
    const authority = head.authority ?? head.host ?? "localhost";
    const hasBody = !end && head.method !== "GET" && head.method !== "HEAD";
    if (!hasBody && tunnel === undefined) stream.discard();
    const url = `${scheme}://${authority}${head.path}`;
    const body = hasBody ? stream.body : null;
    const make = this.#options.makeRequest;
    let request: Request;
    try {
      if (make !== undefined) {
        const made = make(head.method, url, head.headers, body);
        request = made.request;
        stream.requestAbort = made.abort;
      } else {
        request = new Request(url, {
          method: head.method,
          headers: head.headers,
          body,
          signal: stream.abort.signal,
          // @ts-ignore: `duplex` is needed for a streamed body, and not in every lib's RequestInit.
          duplex: "half",
        });
      }
    } catch (error) {
      throw new H2StreamError(
        ErrorCode.PROTOCOL_ERROR,
        id,
        `the request cannot be represented: ${(error as Error).message}`,
      );
    }
    // A request that ended with its headers has no trailers to wait for.
    if (!end) this.#options.trailers?.received(request, stream.trailers);
    this.#respond(stream, request, tunnel);
  }

  protected onHeaders(stream: H2Stream, fields: string[], end: boolean): void {
    if (!end) {
      throw new H2StreamError(
        ErrorCode.PROTOCOL_ERROR,
        stream.id,
        "a second header block without END_STREAM (trailers end the stream)",
      );
    }
    this.endWithTrailers(stream, fieldsToHeaders(stream.id, fields, true));
  }

  async #respond(
    stream: H2Stream,
    request: Request,
    tunnel?: Tunnel,
  ): Promise<void> {
    let response: Response;
    try {
      const result = this.#handler(request, tunnel ?? this.#info);
      response = result instanceof Response ? result : await result;
      if (!(response instanceof Response)) {
        throw new TypeError(
          "the handler did not return a Response: return a Response object",
        );
      }
    } catch (error) {
      if (stream.localClosed) return;
      response = await this.#handlerFailed(request, error);
    }
    if (stream.localClosed) {
      if (!response.bodyUsed) response.body?.cancel().catch(() => {});
      return;
    }
    if (tunnel !== undefined) {
      if (response === tunnel.response) {
        this.sendHeaders(stream, responseFields(response), false);
        const conn = tunnel.handOver();
        const tunnels = this.#tunnels;
        tunnels.set(conn, tunnel.onShutdown);
        conn.closed.catch(() => {}).then(() => tunnels.delete(conn));
        return;
      }
      // Refused (or answered without switching): nobody reads the stream.
      stream.discard();
    }
    try {
      await this.#write(stream, request, response);
    } catch (error) {
      if (stream.localClosed) return;
      // A client that reset the stream or left is routine; a body that
      // failed is the handler's bug.
      if (error instanceof H2StreamResetError || this.closing) {
        logger.debug(
          "the client left before the response to {target} was sent",
          {
            error,
            target: request.url.slice(0, 1024),
          },
        );
        return;
      }
      logger.error("writing the HTTP/2 response to {target} failed", {
        error,
        target: request.url.slice(0, 1024),
      });
      this.resetStream(stream.id, ErrorCode.INTERNAL_ERROR);
      return;
    }
    // A complete response before the whole request: the client may stop
    // sending (RFC 9113 §8.1).
    if (!stream.remoteClosed && this.streams.has(stream.id)) {
      this.resetStream(stream.id, ErrorCode.NO_ERROR);
    }
  }

  /** Sends a response whose body is in memory: HEADERS and DATA in one write. */
  #writeFixed(
    stream: H2Stream,
    request: Request,
    fields: string[],
    fixed: StaticBody,
  ): Promise<void> | void {
    const body = typeof fixed.body === "string"
      ? encoder.encode(fixed.body)
      : fixed.body;
    const status = fields[1];
    if (body !== null && !fields.includes("content-length")) {
      fields.push("content-length", String(body.byteLength));
    }
    if (
      body === null || body.byteLength === 0 || request.method === "HEAD" ||
      status === "204" || status === "304"
    ) {
      this.sendHeaders(stream, fields, true);
      return;
    }
    this.sendHeaders(stream, fields, false);
    return this.sendData(stream, body, true);
  }

  /** The handler threw: `onError`'s response, or 500. */
  async #handlerFailed(request: Request, error: unknown): Promise<Response> {
    const onError = this.#options.onError;
    if (onError !== undefined) {
      try {
        const response = await onError(error);
        if (response instanceof Response) return response;
        error = new TypeError(
          "onError did not return a Response: return a Response object",
        );
      } catch (onErrorFailure) {
        error = onErrorFailure;
      }
    }
    logger.error("the HTTP handler for {method} {target} threw: answered 500", {
      error,
      method: request.method,
      target: request.url.slice(0, 1024),
    });
    return new Response("Internal Server Error\n", { status: 500 });
  }

  async #write(
    stream: H2Stream,
    request: Request,
    response: Response,
  ): Promise<void> {
    const status = response.status;
    const trailers = this.#options.trailers?.toSend(response);
    // Before `response.headers`, which the fast path may not need to build.
    const fixed = trailers === undefined
      ? this.#options.bodyOf?.(response) ?? null
      : null;
    let fields: string[];
    if (fixed?.contentType !== undefined) {
      fields = [":status", String(status)];
      if (fixed.contentType !== null) {
        fields.push("content-type", fixed.contentType);
      }
    } else {
      fields = responseFields(response);
    }
    if (fixed !== null) return this.#writeFixed(stream, request, fields, fixed);
    const body = response.body;
    const bodiless = request.method === "HEAD" || status === 204 ||
      status === 304 || body === null;
    if (bodiless && trailers === undefined) {
      if (body !== null && !response.bodyUsed) body.cancel().catch(() => {});
      this.sendHeaders(stream, fields, true);
      return;
    }
    this.sendHeaders(stream, fields, false);
    if (!bodiless) {
      const reader = body!.getReader();
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          await this.sendData(stream, value, false);
        }
      } catch (error) {
        reader.cancel(error).catch(() => {});
        throw error;
      }
    }
    if (trailers === undefined) {
      await this.sendData(stream, new Uint8Array(0), true);
      return;
    }
    const fieldsOut: string[] = [];
    for (const [name, value] of new Headers(await trailers())) {
      fieldsOut.push(name, value);
    }
    if (!stream.localClosed) this.sendHeaders(stream, fieldsOut, true);
  }
}

/** The `:status` and the header fields of `response` that HTTP/2 may carry. */
function responseFields(response: Response): string[] {
  const fields = [":status", String(response.status)];
  for (const [name, value] of response.headers) {
    if (!CONNECTION_SPECIFIC.has(name)) fields.push(name, value);
  }
  return fields;
}

/**
 * Serves HTTP/2 on `conn` (after the TLS handshake, or on cleartext with the
 * client preface still unread) with `handler`. Returns at once; the session's
 * `done` resolves when the connection has closed.
 *
 * @example Usage
 * ```ts ignore
 * import { serveH2Connection } from "@spindle/spindle/protocols/http2";
 * import type { Connection } from "@spindle/spindle/reactor";
 * declare const conn: Connection;
 * const session = serveH2Connection(conn, () => new Response("hello"));
 * await session.done;
 * ```
 */
export function serveH2Connection(
  conn: Connection,
  handler: H2Handler,
  options: H2ServeOptions = {},
): H2Session {
  const session = new H2ServerConnection(conn, handler, options);
  session.run();
  return session;
}
