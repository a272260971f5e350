/**
 * The HTTP/1.1 client: {@linkcode Agent} (Twisted's `Agent` with a
 * persistent connection pool and redirects), answering with fetch `Response`s
 * whose bodies stream from the connection with backpressure.
 *
 * @module
 */
import { Deferred } from "../../deferred/deferred.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { DenoConnection } from "../../reactor/deno_connection.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type { Connection, Reactor } from "../../reactor/interfaces.ts";
import type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
import { IncompleteMessageError, RedirectLimitError } from "./errors.ts";
import {
  type HTTPEvent,
  type HTTPLimits,
  type MessageHead,
  ResponseDecoder,
} from "./parser.ts";
import {
  bodyBytes,
  encodeChunk,
  encodeHead,
  knownLengthOf,
  staticBodyOf,
} from "./serialize.ts";

/** Options of TLS connections made by the agent. */
export interface AgentTLSOptions {
  /** Extra CA certificates (PEM) to trust, for private CAs and tests. */
  caCerts?: string[];
}

/** Options for {@linkcode Agent}. */
export interface AgentOptions extends HTTPLimits {
  /** The reactor to connect with (and, unless `clock` is given, to time with). */
  reactor?: Reactor;
  /** Where timeouts are scheduled (a fake `Clock` in tests). */
  clock?: IReactorTime;
  /** Milliseconds to wait for a connection. Default 30000. */
  connectTimeout?: number;
  /** Milliseconds from sending a request to receiving the response head. Default 60000. */
  responseTimeout?: number;
  /** Milliseconds an unused pooled connection is kept. Default 60000. */
  idleTimeout?: number;
  /** Idle connections kept per host. Default 6. */
  maxIdlePerHost?: number;
  /** Redirects followed before failing with {@linkcode RedirectLimitError}. Default 20; 0 returns redirects. */
  maxRedirects?: number;
  /** TLS options for `https:` URLs. */
  tls?: AgentTLSOptions;
}

/** Options of one {@linkcode Agent.request}. */
export interface AgentRequestOptions {
  /** Request headers. */
  headers?: HeadersInit;
  /** The body: anything `fetch` accepts. A stream is sent chunked. */
  body?: BodyInit | null;
  /** `"follow"` (default) or `"manual"` (return redirects as they are). */
  redirect?: "follow" | "manual";
}

/** A reactor that may also connect over TLS. */
interface TLSReactor {
  connectTLS?(
    host: string,
    port: number,
    options?: {
      caCerts?: string[];
      alpnProtocols?: string[];
      timeout?: number;
    },
  ): Deferred<Connection> | PromiseLike<Connection>;
}

const encoder = new TextEncoder();
const IDEMPOTENT = new Set([
  "GET",
  "HEAD",
  "OPTIONS",
  "TRACE",
  "PUT",
  "DELETE",
]);

/** A pooled connection with its parser (which keeps bytes read ahead). */
class ClientConnection {
  readonly conn: Connection;
  readonly key: string;
  readonly decoder: ResponseDecoder;
  events: HTTPEvent[] = [];
  index = 0;
  idleTimer: DelayedCall | null = null;
  /** Served at least one response (a failure may mean the server closed it while idle). */
  reused = false;

  constructor(conn: Connection, key: string, limits: HTTPLimits) {
    this.conn = conn;
    this.key = key;
    this.decoder = new ResponseDecoder(limits);
  }

  /** The next parser event, reading as needed; `null` at a clean end of input. */
  async next(): Promise<HTTPEvent | null> {
    while (this.index === this.events.length) {
      this.events.length = 0;
      this.index = 0;
      const chunk = await this.conn.read();
      if (chunk === null) {
        this.decoder.end(this.events);
        if (this.events.length === 0) return null;
        break;
      }
      this.decoder.decode(chunk, this.events);
    }
    return this.events[this.index++]!;
  }
}

/** Trailers of chunked responses received by an Agent. */
const trailerPromises = new WeakMap<Response, Promise<Headers>>();

/**
 * The trailer fields of a response received by an {@linkcode Agent}: resolves
 * once its body was read to the end (empty `Headers` for a body that was not
 * chunked, or one that was not read to the end).
 *
 * @example Usage
 * ```ts
 * import { responseTrailers } from "@spindle/spindle/protocols/http";
 * const trailers = await responseTrailers(new Response("no trailers"));
 * console.assert([...trailers].length === 0);
 * ```
 */
export function responseTrailers(response: Response): Promise<Headers> {
  return trailerPromises.get(response) ?? Promise.resolve(new Headers());
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
  #idle = new Map<string, ClientConnection[]>();
  #active = new Set<ClientConnection>();
  #closed = false;

  /** Creates an agent. */
  constructor(options: AgentOptions = {}) {
    this.#reactor = options.reactor ?? defaultReactor;
    this.#clock = options.clock ?? this.#reactor;
    this.#options = options;
    this.#limits = {
      maxHeaderBytes: options.maxHeaderBytes ?? 64 * 1024,
      maxHeaderCount: options.maxHeaderCount ?? 256,
      maxBodySize: options.maxBodySize,
      maxChunkLineBytes: options.maxChunkLineBytes,
    };
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
    let current: ClientConnection | null = null;
    const deferred = new Deferred<Response>(() => {
      cancelled = true;
      current?.conn.abort(new CancelledError("the request was cancelled"));
    });
    const attach = (c: ClientConnection | null) => {
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
    await Promise.all(closing);
  }

  async #follow(
    method: string,
    url: URL,
    options: AgentRequestOptions,
    attach: (c: ClientConnection | null) => void,
    isCancelled: () => boolean,
  ): Promise<Response> {
    const maxRedirects = this.#options.maxRedirects ?? 20;
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
    attach: (c: ClientConnection | null) => void,
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
      const c = await this.#connection(url);
      attach(c);
      try {
        return await this.#exchange(c, request, url, fixed);
      } catch (error) {
        attach(null);
        c.conn.abort(error);
        this.#active.delete(c);
        const retry = error instanceof StaleConnectionError && attempt === 0 &&
          IDEMPOTENT.has(request.method) && fixed !== null && !isCancelled();
        if (!retry) {
          throw error instanceof StaleConnectionError ? error.cause : error;
        }
      }
    }
  }

  async #connection(url: URL): Promise<ClientConnection> {
    if (this.#closed) {
      throw new TypeError("this Agent was closed: make a new one");
    }
    const secure = url.protocol === "https:";
    const port = Number(url.port || (secure ? 443 : 80));
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const key = `${url.protocol}//${host}:${port}`;
    const idle = this.#idle.get(key);
    const pooled = idle?.pop();
    if (pooled !== undefined) {
      this.#stopIdleTimer(pooled);
      this.#active.add(pooled);
      return pooled;
    }
    const timeout = this.#options.connectTimeout ?? 30_000;
    let conn: Connection;
    if (secure) {
      const tlsReactor = this.#reactor as Reactor & TLSReactor;
      const tlsOptions = {
        caCerts: this.#options.tls?.caCerts,
        alpnProtocols: ["http/1.1"],
        timeout,
      };
      conn = tlsReactor.connectTLS !== undefined
        ? await tlsReactor.connectTLS(host, port, tlsOptions)
        : new DenoConnection(
          await Deno.connectTls({ hostname: host, port, ...tlsOptions }),
        );
    } else {
      conn = await this.#reactor.connectTCP(host, port, { timeout });
    }
    conn.setNoDelay(true);
    const c = new ClientConnection(conn, key, this.#limits);
    this.#active.add(c);
    return c;
  }

  async #exchange(
    c: ClientConnection,
    request: Request,
    url: URL,
    fixed: { body: string | Uint8Array | null } | null,
  ): Promise<Response> {
    const method = request.method;
    let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
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
    const bytes = fixed?.body == null ? null : bodyBytes(fixed.body);
    let stream: ReadableStream<Uint8Array> | null = null;
    if (bytes !== null) {
      head += `content-length: ${bytes.byteLength}\r\n`;
    } else if (fixed === null) {
      const length = knownLengthOf(request);
      stream = request.body;
      head += length >= 0
        ? `content-length: ${length}\r\n`
        : "transfer-encoding: chunked\r\n";
    } else if (method === "POST" || method === "PUT" || method === "PATCH") {
      head += "content-length: 0\r\n";
    }
    const chunked = head.endsWith("transfer-encoding: chunked\r\n");
    head += "\r\n";
    c.decoder.expectResponseTo(method);
    const headBytes = encodeHead(head);
    const reused = c.reused;
    try {
      if (bytes !== null) {
        const out = new Uint8Array(headBytes.byteLength + bytes.byteLength);
        out.set(headBytes, 0);
        out.set(bytes, headBytes.byteLength);
        await c.conn.write(out);
      } else {
        await c.conn.write(headBytes);
      }
    } catch (error) {
      if (reused) throw new StaleConnectionError("stale", { cause: error });
      throw error;
    }
    if (stream !== null) await this.#writeBody(c, stream, chunked);

    const timeoutMs = this.#options.responseTimeout ?? 60_000;
    let timedOut = false;
    const timer = timeoutMs === Infinity
      ? null
      : this.#clock.callLater(timeoutMs, () => {
        timedOut = true;
        c.conn.abort(new ResponseTimeoutError(timeoutMs));
      });
    let response: MessageHead;
    try {
      response = await this.#readHead(c, reused);
    } catch (error) {
      throw timedOut ? new ResponseTimeoutError(timeoutMs) : error;
    } finally {
      if (timer !== null && timer.active()) timer.cancel();
    }
    return this.#toResponse(c, response, url);
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

  #toResponse(c: ClientConnection, head: MessageHead, url: URL): Response {
    const hasBody = head.framing !== "length" || head.contentLength > 0;
    const trailers = Promise.withResolvers<Headers>();
    let body: ReadableStream<Uint8Array> | null = null;
    if (hasBody) {
      let finished = false;
      body = new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          while (true) {
            const event = await c.next().catch((error) => {
              controller.error(error);
              trailers.resolve(new Headers());
              this.#discard(c, error);
              return undefined;
            });
            if (event === undefined) return;
            if (event === null) {
              const error = new IncompleteMessageError(
                "the response body ended early",
              );
              controller.error(error);
              trailers.resolve(new Headers());
              this.#discard(c, error);
              return;
            }
            if (event.type === "data") {
              // The parser's views point into read buffers that are ours to hand out.
              controller.enqueue(event.data);
              return;
            }
            if (event.type === "end") {
              finished = true;
              trailers.resolve(new Headers(event.trailers));
              controller.close();
              this.#release(c, head.keepAlive);
              return;
            }
          }
        },
        cancel: () => {
          trailers.resolve(new Headers());
          if (!finished) {
            this.#discard(
              c,
              new CancelledError("the response body was cancelled"),
            );
          }
        },
      }, { highWaterMark: 0 });
    }
    const status = head.status;
    const response = new Response(
      status === 204 || status === 304 || status === 205 ? null : body,
      {
        status,
        statusText: head.reason,
        headers: head.headers,
      },
    );
    Object.defineProperty(response, "url", { value: url.href });
    if (head.framing === "chunked") {
      trailerPromises.set(response, trailers.promise);
    }
    if (!hasBody) {
      // The end event follows the head at once: consume it, then pool.
      c.next().then(
        () => this.#release(c, head.keepAlive),
        (error) => this.#discard(c, error),
      );
    }
    return response;
  }

  #release(c: ClientConnection, keepAlive: boolean): void {
    this.#active.delete(c);
    const idle = this.#idle.get(c.key) ?? [];
    if (
      !keepAlive || this.#closed || c.decoder.hasBufferedInput ||
      c.decoder.paused ||
      idle.length >= (this.#options.maxIdlePerHost ?? 6)
    ) {
      c.conn.close().catch(() => {});
      return;
    }
    c.reused = true;
    idle.push(c);
    this.#idle.set(c.key, idle);
    const ms = this.#options.idleTimeout ?? 60_000;
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

/**
 * The response head did not arrive within the agent's `responseTimeout`.
 *
 * @example Usage
 * ```ts
 * import { ResponseTimeoutError } from "@spindle/spindle/protocols/http";
 * console.assert(new ResponseTimeoutError(5000).timeout === 5000);
 * ```
 */
export class ResponseTimeoutError extends Error {
  /** The timeout in milliseconds. */
  readonly timeout: number;
  /** Creates the error for a timeout of `timeout` ms. */
  constructor(timeout: number) {
    super(
      `no response head within ${timeout} ms: the server is slow or stuck; raise responseTimeout if it is expected`,
    );
    this.name = "ResponseTimeoutError";
    this.timeout = timeout;
  }
}
