/**
 * The HTTP/1.1 client: {@linkcode Agent} (Twisted's `Agent` with a
 * persistent connection pool and redirects), answering with fetch `Response`s
 * whose bodies stream from the connection with backpressure. It goes through
 * HTTP proxies (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, or the `proxy`
 * option) and honours `Expect: 100-continue`.
 *
 * @module
 */
import { Deferred } from "../../deferred/deferred.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { concatBytes, toBytes } from "../../reactor/bytes.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type { Connection, Reactor } from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { TCPClientEndpoint } from "../../reactor/endpoints/tcp.ts";
import { startTLS } from "../../reactor/tls.ts";
import { HTTP_1_1_ALPN, IDEMPOTENT_METHODS } from "./constants.ts";
import {
  IncompleteMessageError,
  ProxyTunnelError,
  RedirectLimitError,
  ResponseTimeoutError,
} from "./errors.ts";
import {
  AGENT_MAX_HEADER_BYTES,
  AGENT_MAX_HEADER_COUNT,
  type AgentLimits,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_EXPECT_CONTINUE_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_IDLE_PER_HOST,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_RESPONSE_TIMEOUT,
  type HTTPLimits,
} from "./limits.ts";
import type { HTTPEvent, MessageHead } from "./message.ts";
import { ClientConnection } from "./_client_connection.ts";
import { type Proxy, type ProxyOptions, ProxyTable } from "./_proxy.ts";
import {
  encodeChunk,
  encodeHead,
  knownLengthOf,
  staticBodyOf,
} from "./_serialize.ts";
import { receivedTrailers } from "./trailers.ts";
import { connectH2, H2_ALPN, type H2ClientSession } from "../http2/mod.ts";

export type { ProxyOptions };

/** Options of TLS connections made by the agent. */
export interface AgentTLSOptions {
  /** Extra CA certificates (PEM) to trust, for private CAs and tests. */
  caCerts?: string[];
}

/** Options for {@linkcode Agent}: its limits and timeouts, and where it connects. */
export interface AgentOptions extends AgentLimits {
  /** The reactor to connect with (and, unless `clock` is given, to time with). */
  reactor?: Reactor;
  /** Where timeouts are scheduled (a fake `Clock` in tests). */
  clock?: IReactorTime;
  /** TLS options for `https:` URLs. */
  tls?: AgentTLSOptions;
  /**
   * The HTTP proxy: one URL (`"http://user:pass@proxy:3128"`) for both
   * schemes, a {@linkcode ProxyOptions} per scheme, or `false` for none.
   * Default: `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (or their lowercase
   * forms) from the environment, as Deno's `fetch` reads them. `http:`
   * requests go to the proxy in absolute form; `https:` ones through a
   * `CONNECT` tunnel, with TLS to the origin inside it.
   */
  proxy?: string | ProxyOptions | false;
  /**
   * HTTP/2: `true` (default) offers `h2` by ALPN on `https:` and multiplexes
   * the requests to one origin on one connection, up to the server's stream
   * limit; `"prior-knowledge"` also speaks it on cleartext `http:` (not
   * through a proxy); `false` speaks HTTP/1.1 only.
   */
  http2?: boolean | "prior-knowledge";
}

/** Options of one {@linkcode Agent.request}. */
export interface AgentRequestOptions {
  /**
   * Request headers. With `Expect: 100-continue` and a body, the head is
   * sent first and the body after `100 Continue` (or `expectContinueTimeout`);
   * a final answer before that means the body is not sent.
   */
  headers?: HeadersInit;
  /** The body: anything `fetch` accepts. A stream is sent chunked. */
  body?: BodyInit | null;
  /** `"follow"` (default) or `"manual"` (return redirects as they are). */
  redirect?: "follow" | "manual";
}

const encoder = new TextEncoder();

/** What cancelling a request aborts: its HTTP/1.1 connection, or its HTTP/2 stream. */
interface Cancellable {
  conn: { abort(reason?: unknown): void };
}

/** Thrown inside the agent when a reused connection turned out closed: the request is retried. */
class StaleConnectionError extends Error {}

/**
 * Makes HTTP/1.1 requests with a per-host pool of keep-alive connections.
 * `request` returns a Deferred of a fetch `Response`; cancelling it aborts the
 * request (and its connection).
 *
 * @example Usage
 * ```ts ignore
 * import { Agent } from "@spindle/spindle/protocols/http";
 * const agent = new Agent();
 * const response = await agent.request("GET", "http://127.0.0.1:8080/");
 * console.log(response.status, await response.text());
 * await agent.close();
 * ```
 */
export class Agent {
  #reactor: Reactor;
  #clock: IReactorTime;
  #options: AgentOptions;
  #limits: HTTPLimits;
  #proxies: ProxyTable;
  #idle = new Map<string, ClientConnection[]>();
  #active = new Set<ClientConnection>();
  /** One HTTP/2 connection per origin, shared by its requests. */
  #h2 = new Map<string, H2ClientSession>();
  /** Connections being opened that may turn out HTTP/2, by origin. */
  #opening = new Map<string, Promise<void>>();
  /** Origins that answered HTTP/1.1 by ALPN. */
  #http1Origins = new Set<string>();
  #closed = false;

  /** Creates an agent. */
  constructor(options: AgentOptions = {}) {
    this.#reactor = options.reactor ?? defaultReactor;
    this.#clock = options.clock ?? this.#reactor;
    this.#options = options;
    this.#limits = {
      maxHeaderBytes: options.maxHeaderBytes ?? AGENT_MAX_HEADER_BYTES,
      maxHeaderCount: options.maxHeaderCount ?? AGENT_MAX_HEADER_COUNT,
      maxBodySize: options.maxBodySize,
      maxChunkLineBytes: options.maxChunkLineBytes,
    };
    this.#proxies = new ProxyTable(options.proxy);
  }

  /** Idle pooled connections, over all hosts. */
  get idleConnectionCount(): number {
    let n = 0;
    for (const list of this.#idle.values()) n += list.length;
    return n;
  }

  /**
   * Sends `method url` and resolves with the response once its head arrived;
   * the body streams as it is read. Redirects are followed unless
   * `redirect: "manual"`.
   */
  request(
    method: string,
    url: string | URL,
    options: AgentRequestOptions = {},
  ): Deferred<Response> {
    let cancelled = false;
    let current: Cancellable | null = null;
    const deferred = new Deferred<Response>(() => {
      cancelled = true;
      current?.conn.abort(new CancelledError("the request was cancelled"));
    });
    const attach = (c: Cancellable | null) => {
      current = c;
      if (cancelled && c !== null) {
        c.conn.abort(new CancelledError("the request was cancelled"));
      }
    };
    this.#follow(method, new URL(url), options, attach, () => cancelled).then(
      (response) => {
        if (!deferred.called) deferred.callback(response);
        else response.body?.cancel().catch(() => {});
      },
      (error) => {
        if (!deferred.called) deferred.errback(error);
      },
    );
    return deferred;
  }

  /** Closes the idle connections and refuses new requests; busy ones close when done. */
  async close(): Promise<void> {
    this.#closed = true;
    const closing: Promise<void>[] = [];
    for (const list of this.#idle.values()) {
      for (const c of list) {
        this.#stopIdleTimer(c);
        closing.push(c.conn.close().catch(() => {}));
      }
    }
    this.#idle.clear();
    for (const session of this.#h2.values()) closing.push(session.close());
    this.#h2.clear();
    await Promise.all(closing);
  }

  async #follow(
    method: string,
    url: URL,
    options: AgentRequestOptions,
    attach: (c: Cancellable | null) => void,
    isCancelled: () => boolean,
  ): Promise<Response> {
    const maxRedirects = this.#options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    let headers = new Headers(options.headers);
    let body = options.body ?? null;
    for (let redirects = 0;; redirects++) {
      const response = await this.#send(
        method,
        url,
        headers,
        body,
        attach,
        isCancelled,
      );
      const location = response.headers.get("location");
      if (
        options.redirect === "manual" || location === null ||
        ![301, 302, 303, 307, 308].includes(response.status)
      ) {
        return response;
      }
      if (redirects >= maxRedirects) {
        await response.body?.cancel();
        throw new RedirectLimitError(
          `more than ${maxRedirects} redirects, the last to ${location}: raise maxRedirects or use redirect: "manual"`,
        );
      }
      const next = new URL(location, url);
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) &&
          method === "POST")
      ) {
        if (method !== "HEAD") method = "GET";
        body = null;
        headers = new Headers(headers);
        for (
          const name of ["content-type", "content-length", "transfer-encoding"]
        ) headers.delete(name);
      } else if (body instanceof ReadableStream) {
        return response; // a stream body cannot be sent again
      }
      if (next.origin !== url.origin) {
        headers = new Headers(headers);
        for (const name of ["authorization", "cookie", "proxy-authorization"]) {
          headers.delete(name);
        }
      }
      await response.body?.cancel();
      url = next;
    }
  }

  async #send(
    method: string,
    url: URL,
    headers: Headers,
    body: BodyInit | null,
    attach: (c: Cancellable | null) => void,
    isCancelled: () => boolean,
  ): Promise<Response> {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(
        `the Agent speaks http: and https:, not ${url.protocol}`,
      );
    }
    // A Request normalises the body (text, bytes, forms, blobs, streams) and its type.
    const request = new Request(url, {
      method,
      headers,
      body,
      // deno-lint-ignore no-explicit-any
      ...({ duplex: "half" } as any),
    });
    // Before `request.body`, which would turn a static body into a stream.
    const fixed = staticBodyOf(request) ??
      (request.body === null ? { body: null } : null);
    for (let attempt = 0;; attempt++) {
      if (isCancelled()) throw new CancelledError("the request was cancelled");
      const proxy = this.#proxies.for(url);
      const c = await this.#connection(url, proxy);
      if (!(c instanceof ClientConnection)) {
        // Over HTTP/2 a cancel resets the request's stream, not the
        // connection the other requests share.
        const controller = new AbortController();
        attach({ conn: { abort: (reason) => controller.abort(reason) } });
        return await c.request(
          new Request(request, { signal: controller.signal }),
        );
      }
      attach(c);
      try {
        return await this.#exchange(c, request, url, fixed, proxy);
      } catch (error) {
        attach(null);
        c.conn.abort(error);
        this.#active.delete(c);
        const retry = error instanceof StaleConnectionError && attempt === 0 &&
          IDEMPOTENT_METHODS.has(request.method) && fixed !== null &&
          !isCancelled();
        if (!retry) {
          throw error instanceof StaleConnectionError ? error.cause : error;
        }
      }
    }
  }

  async #connection(
    url: URL,
    proxy: Proxy | null,
  ): Promise<ClientConnection | H2ClientSession> {
    if (this.#closed) {
      throw new TypeError("this Agent was closed: make a new one");
    }
    const secure = url.protocol === "https:";
    const port = Number(url.port || (secure ? 443 : 80));
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    // Plain requests through a proxy share its connections, whatever the origin.
    const key = proxy !== null && !secure
      ? `proxy://${proxy.authority}`
      : `${url.protocol}//${host}:${port}`;
    const session = this.#h2.get(key);
    if (session?.available) return session;
    const pooled = this.#idle.get(key)?.pop();
    if (pooled !== undefined) {
      this.#stopIdleTimer(pooled);
      this.#active.add(pooled);
      return pooled;
    }
    const http2 = this.#options.http2 ?? true;
    const mayBeH2 = !this.#http1Origins.has(key) &&
      (secure
        ? http2 !== false
        : http2 === "prior-knowledge" && proxy === null);
    if (!mayBeH2) return this.#open(url, proxy, key);
    // A connection on its way may turn out HTTP/2, which the requests
    // waiting for it then share: one connection per origin, as browsers do,
    // instead of one each for a burst of first requests. An origin that
    // answered HTTP/1.1 is not waited for again.
    const opening = this.#opening.get(key);
    if (opening !== undefined) {
      await opening;
      return this.#connection(url, proxy);
    }
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#opening.set(key, promise);
    try {
      const c = await this.#open(url, proxy, key);
      if (c instanceof ClientConnection) this.#http1Origins.add(key);
      return c;
    } finally {
      this.#opening.delete(key);
      resolve();
    }
  }

  /** Opens a connection for `key`: TCP, a tunnel, TLS, then HTTP/2 or HTTP/1.1. */
  async #open(
    url: URL,
    proxy: Proxy | null,
    key: string,
  ): Promise<ClientConnection | H2ClientSession> {
    const secure = url.protocol === "https:";
    const port = Number(url.port || (secure ? 443 : 80));
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const timeout = this.#options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
    // TLS starts on the TCP connection (to the origin, or inside a tunnel
    // through the proxy), so one path serves every case.
    const conn = await new TCPClientEndpoint(
      this.#reactor,
      proxy === null
        ? { host, port, timeout }
        : { host: proxy.host, port: proxy.port, timeout },
    ).connect();
    const http2 = this.#options.http2 ?? true;
    let h2 = http2 === "prior-knowledge" && !secure && proxy === null;
    try {
      if (proxy !== null && secure) {
        await this.#tunnel(conn, proxy, `${url.host}`);
      }
      if (secure) {
        const info = await startTLS(conn, {
          hostname: host,
          caCerts: this.#options.tls?.caCerts,
          alpnProtocols: http2 === false
            ? [HTTP_1_1_ALPN]
            : [H2_ALPN, HTTP_1_1_ALPN],
        });
        h2 = info.alpnProtocol === H2_ALPN;
      }
    } catch (error) {
      conn.abort(error);
      throw error;
    }
    conn.setNoDelay(true);
    if (h2) {
      const session = connectH2(conn, {
        clock: this.#clock,
        onTrailers: receivedTrailers,
      });
      this.#h2.set(key, session);
      session.done.then(() => {
        if (this.#h2.get(key) === session) this.#h2.delete(key);
      });
      return session;
    }
    const c = new ClientConnection(conn, key, this.#limits);
    this.#active.add(c);
    return c;
  }

  /** Asks `proxy` for a tunnel to `authority` (RFC 9110 §9.3.6). */
  async #tunnel(
    conn: Connection,
    proxy: Proxy,
    authority: string,
  ): Promise<void> {
    let head = `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n`;
    if (proxy.authorization !== null) {
      head += `proxy-authorization: ${proxy.authorization}\r\n`;
    }
    await conn.write(encodeHead(`${head}\r\n`));
    const c = new ClientConnection(conn, "", this.#limits);
    c.core.expectResponseTo("CONNECT");
    let event = await c.next();
    while (event !== null && event.type === "head" && event.head.status < 200) {
      event = await c.next();
    }
    if (event === null || event.type !== "head") {
      throw new IncompleteMessageError(
        `the proxy ${proxy.authority} closed the connection before it answered CONNECT`,
      );
    }
    const status = event.head.status;
    if (status < 200 || status >= 300) {
      throw new ProxyTunnelError(proxy.authority, authority, status);
    }
    // Bytes after the answer go back to the connection, where startTLS
    // refuses them (they cannot be part of the handshake).
    c.release();
  }

  async #exchange(
    c: ClientConnection,
    request: Request,
    url: URL,
    fixed: { body: string | Uint8Array | null } | null,
    proxy: Proxy | null,
  ): Promise<Response> {
    const method = request.method;
    const bytes = fixed?.body == null ? null : toBytes(fixed.body);
    const stream = fixed === null ? request.body : null;
    const chunked = stream !== null && knownLengthOf(request) < 0;
    const head = encodeHead(this.#headOf(request, url, bytes, proxy));
    const waits = (bytes !== null || stream !== null) &&
      request.headers.get("expect")?.toLowerCase() === "100-continue";
    c.core.expectResponseTo(method);
    const reused = c.reused;
    try {
      await c.conn.write(
        bytes === null || waits ? head : concatBytes(head, bytes),
      );
    } catch (error) {
      if (reused) throw new StaleConnectionError("stale", { cause: error });
      throw error;
    }
    // RFC 9110 §10.1.1: a final answer before 100 Continue means the body is
    // not wanted; the connection, which the server may still expect it on,
    // is not reused.
    const early = waits ? await this.#awaitContinue(c) : null;
    if (early !== null) return this.#toResponse(c, early, url, false);
    if (waits && bytes !== null) {
      // A pooled connection the server closed shows here, after the wait.
      await c.conn.write(bytes).catch((error) => {
        throw reused
          ? new StaleConnectionError("stale", { cause: error })
          : error;
      });
    }
    if (stream !== null) await this.#writeBody(c, stream, chunked);
    const response = await this.#awaitHead(c, reused);
    return this.#toResponse(c, response, url, response.keepAlive);
  }

  /** The request head: absolute-form target through a proxy (RFC 9112 §3.2.2). */
  #headOf(
    request: Request,
    url: URL,
    bytes: Uint8Array | null,
    proxy: Proxy | null,
  ): string {
    const method = request.method;
    const path = `${url.pathname}${url.search}`;
    const viaProxy = proxy !== null && url.protocol === "http:";
    let head = `${method} ${
      viaProxy ? `${url.protocol}//${url.host}${path}` : path
    } HTTP/1.1\r\n`;
    let hasHost = false;
    for (const [name, value] of request.headers) {
      if (
        name === "connection" || name === "content-length" ||
        name === "transfer-encoding" || name === "keep-alive"
      ) {
        continue;
      }
      if (name === "host") hasHost = true;
      head += `${name}: ${value}\r\n`;
    }
    if (!hasHost) head += `host: ${url.host}\r\n`;
    if (
      viaProxy && proxy.authorization !== null &&
      !request.headers.has("proxy-authorization")
    ) {
      head += `proxy-authorization: ${proxy.authorization}\r\n`;
    }
    if (bytes !== null) {
      head += `content-length: ${bytes.byteLength}\r\n`;
    } else if (request.body !== null) {
      const length = knownLengthOf(request);
      head += length >= 0
        ? `content-length: ${length}\r\n`
        : "transfer-encoding: chunked\r\n";
    } else if (method === "POST" || method === "PUT" || method === "PATCH") {
      head += "content-length: 0\r\n";
    }
    return `${head}\r\n`;
  }

  /**
   * Waits for `100 Continue` after a head sent with `Expect: 100-continue`:
   * `null` to send the body (100 came, or `expectContinueTimeout` passed, as
   * curl does), or the final response head that came instead.
   */
  async #awaitContinue(c: ClientConnection): Promise<MessageHead | null> {
    const ms = this.#options.expectContinueTimeout ??
      DEFAULT_EXPECT_CONTINUE_TIMEOUT;
    while (true) {
      const pending = c.next();
      const expired = Promise.withResolvers<"expired">();
      const timer = this.#clock.callLater(ms, expired.resolve, "expired");
      const first = await Promise.race([pending, expired.promise]);
      if (timer.active()) timer.cancel();
      if (first === "expired" || first === null) {
        c.putBack(pending);
        return null;
      }
      if (first.type !== "head") continue;
      if (first.head.status === 100) return null;
      if (first.head.status >= 200) return first.head;
    }
  }

  /** The response head, within `responseTimeout`. */
  async #awaitHead(
    c: ClientConnection,
    reused: boolean,
  ): Promise<MessageHead> {
    const timeoutMs = this.#options.responseTimeout ?? DEFAULT_RESPONSE_TIMEOUT;
    let timedOut = false;
    const timer = timeoutMs === Infinity
      ? null
      : this.#clock.callLater(timeoutMs, () => {
        timedOut = true;
        c.conn.abort(new ResponseTimeoutError(timeoutMs));
      });
    try {
      return await this.#readHead(c, reused);
    } catch (error) {
      throw timedOut ? new ResponseTimeoutError(timeoutMs) : error;
    } finally {
      if (timer !== null && timer.active()) timer.cancel();
    }
  }

  async #writeBody(
    c: ClientConnection,
    stream: ReadableStream<Uint8Array>,
    chunked: boolean,
  ): Promise<void> {
    const reader = stream.getReader();
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value.byteLength === 0) continue;
        await c.conn.write(chunked ? encodeChunk(value) : value);
      }
    } catch (error) {
      reader.cancel(error).catch(() => {});
      throw error;
    }
    if (chunked) await c.conn.write(encoder.encode("0\r\n\r\n"));
  }

  async #readHead(c: ClientConnection, reused: boolean): Promise<MessageHead> {
    while (true) {
      let event: HTTPEvent | null;
      try {
        event = await c.next();
      } catch (error) {
        if (reused) throw new StaleConnectionError("stale", { cause: error });
        throw error;
      }
      if (event === null) {
        const error = new IncompleteMessageError(
          "the server closed the connection before it answered",
        );
        if (reused) throw new StaleConnectionError("stale", { cause: error });
        throw error;
      }
      if (event.type !== "head") continue;
      const head = event.head;
      if (head.status >= 100 && head.status < 200) {
        if (head.status === 101) {
          throw new TypeError(
            "the server switched protocols (101), which Agent.request does not support",
          );
        }
        continue; // interim responses (100 Continue, 103 Early Hints)
      }
      return head;
    }
  }

  #toResponse(
    c: ClientConnection,
    head: MessageHead,
    url: URL,
    keepAlive: boolean,
  ): Response {
    const hasBody = head.framing !== "length" || head.contentLength > 0;
    const trailers = Promise.withResolvers<Headers>();
    const status = head.status;
    // The core frames 204 and 304 without a body; a 205 keeps the framing
    // its fields give (RFC 9112 §6.3), yet a fetch Response cannot carry it.
    const nullBody = status === 205;
    const response = new Response(
      !hasBody || nullBody
        ? null
        : this.#bodyOf(c, keepAlive, trailers.resolve),
      { status, statusText: head.reason, headers: head.headers },
    );
    Object.defineProperty(response, "url", { value: url.href });
    if (head.framing === "chunked" && !nullBody) {
      receivedTrailers(response, trailers.promise);
    }
    if (!hasBody) {
      // The end event follows the head at once: consume it, then pool.
      c.next().then(
        () => this.#release(c, keepAlive),
        (error) => this.#discard(c, error),
      );
    } else if (nullBody) {
      // Content RFC 9110 §15.3.6 forbids, that nobody will read: the
      // connection is closed rather than drained for reuse.
      this.#release(c, false);
    }
    return response;
  }

  /**
   * A response body that reads the connection as it is read (backpressure);
   * at its end the connection goes back to the pool and `trailers` gets the
   * trailer fields.
   */
  #bodyOf(
    c: ClientConnection,
    keepAlive: boolean,
    trailers: (headers: Headers) => void,
  ): ReadableStream<Uint8Array> {
    let finished = false;
    const fail = (
      controller: ReadableStreamDefaultController<Uint8Array>,
      error: unknown,
    ) => {
      controller.error(error);
      trailers(new Headers());
      this.#discard(c, error);
    };
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (true) {
          let event: HTTPEvent | null;
          try {
            event = await c.next();
          } catch (error) {
            return fail(controller, error);
          }
          if (event === null) {
            return fail(
              controller,
              new IncompleteMessageError("the response body ended early"),
            );
          }
          if (event.type === "data") {
            // The core's views point into read buffers that are ours to hand out.
            controller.enqueue(event.data);
            return;
          }
          if (event.type === "end") {
            finished = true;
            trailers(new Headers(event.trailers));
            controller.close();
            this.#release(c, keepAlive);
            return;
          }
        }
      },
      cancel: () => {
        trailers(new Headers());
        if (!finished) {
          this.#discard(
            c,
            new CancelledError("the response body was cancelled"),
          );
        }
      },
    }, { highWaterMark: 0 });
  }

  #release(c: ClientConnection, keepAlive: boolean): void {
    this.#active.delete(c);
    const idle = this.#idle.get(c.key) ?? [];
    if (
      !keepAlive || this.#closed || c.core.hasBufferedInput || c.core.paused ||
      idle.length >=
        (this.#options.maxIdlePerHost ?? DEFAULT_MAX_IDLE_PER_HOST)
    ) {
      c.conn.close().catch(() => {});
      return;
    }
    c.reused = true;
    idle.push(c);
    this.#idle.set(c.key, idle);
    const ms = this.#options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
    c.idleTimer = this.#clock.callLater(ms, () => {
      c.idleTimer = null;
      const list = this.#idle.get(c.key);
      const at = list?.indexOf(c) ?? -1;
      if (at >= 0) list!.splice(at, 1);
      c.conn.close().catch(() => {});
    });
  }

  #discard(c: ClientConnection, reason: unknown): void {
    this.#active.delete(c);
    c.conn.abort(reason);
  }

  #stopIdleTimer(c: ClientConnection): void {
    const timer = c.idleTimer;
    c.idleTimer = null;
    if (timer !== null && timer.active()) timer.cancel();
  }
}
