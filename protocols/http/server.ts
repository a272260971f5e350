/**
 * The HTTP/1.x server engine: serves one {@linkcode Connection} with a
 * `Deno.serve`-shaped handler, running the parser in the connection's read
 * loop (no Web Streams except for the bodies a handler reads or writes).
 *
 * @module
 */
import type {
  Address,
  Connection,
  ConnectionFactory,
} from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { Deadline } from "../../reactor/deadline.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { getLogger } from "../../log/mod.ts";
import { BodyTimeoutError, HTTPParseError } from "./errors.ts";
import { makeRequest, RequestAbort } from "./_fast_request.ts";
import { RequestCore } from "./codec.ts";
import {
  DEFAULT_BODY_TIMEOUT,
  DEFAULT_HEADERS_TIMEOUT,
  DEFAULT_KEEP_ALIVE_TIMEOUT,
  type HTTPLimits,
  type ServerLimits,
} from "./limits.ts";
import type { HTTPEvent, MessageHead } from "./message.ts";
import {
  assemble,
  encodeChunk,
  encodeHead,
  httpDate,
  knownLengthOf,
  prepareBody,
  type StaticBody,
  staticBodyOf,
  statusLine,
} from "./_serialize.ts";
import { STATUS_TEXT } from "./constants.ts";

const logger = getLogger("spindle.http.server");
const encoder = new TextEncoder();

/** What a handler learns about the exchange besides the request. */
export interface ServeHandlerInfo {
  /** The client's address. */
  readonly remoteAddr: Address;
  /** The server's address. */
  readonly localAddr: Address;
  /**
   * Takes the connection over after a protocol switch (WebSocket, a CONNECT
   * tunnel...). Return `response` from the handler: the server answers with
   * 101 (or 200 to `CONNECT`), stops speaking HTTP, and resolves `connection`
   * with the raw connection, bytes the client already sent included.
   */
  upgrade(options?: UpgradeOptions): UpgradeResult;
}

/** Options for {@linkcode ServeHandlerInfo.upgrade}. */
export interface UpgradeOptions {
  /** Extra response headers (the `Upgrade` protocol, `Sec-WebSocket-Accept`...). */
  headers?: HeadersInit;
}

/** The result of {@linkcode ServeHandlerInfo.upgrade}. */
export interface UpgradeResult {
  /** The response to return from the handler. */
  response: Response;
  /** The raw connection, once the switch was sent. */
  connection: Promise<Connection>;
}

/** A `Deno.serve`-shaped request handler. */
export type ServeHandler = (
  request: Request,
  info: ServeHandlerInfo,
) => Response | Promise<Response>;

/** Server options: the limits and timeouts, the clock and policies. */
export interface ServeOptions extends ServerLimits {
  /** Where timeouts are scheduled (a fake `Clock` in tests). Default: the default reactor. */
  clock?: IReactorTime;
  /** Build `https:` request URLs (the connection is TLS). Default false. */
  secure?: boolean;
  /**
   * Disable Nagle's algorithm on each connection (`setNoDelay`), as
   * `Deno.serve` and `node:http` do: otherwise a response written in several
   * pieces (a streamed body) can wait for the client's delayed ACK.
   * Default true.
   */
  noDelay?: boolean;
}

/** Options resolved once per server. */
interface Settings {
  limits: HTTPLimits;
  clock: IReactorTime;
  headersTimeout: number;
  keepAliveTimeout: number;
  bodyTimeout: number;
  maxRequests: number;
  /** The shortest timeout: the longest a connection's timer sleeps. */
  tickCap: number;
  scheme: string;
  noDelay: boolean;
  connections: Set<HTTPServerConnection>;
  draining: boolean;
  /** Called when the last connection closes. */
  onEmpty: (() => void) | null;
}

function settingsOf(options: ServeOptions): Settings {
  const headersTimeout = options.headersTimeout ?? DEFAULT_HEADERS_TIMEOUT;
  const keepAliveTimeout = options.keepAliveTimeout ??
    DEFAULT_KEEP_ALIVE_TIMEOUT;
  const bodyTimeout = options.bodyTimeout ?? DEFAULT_BODY_TIMEOUT;
  return {
    limits: {
      maxHeaderBytes: options.maxHeaderBytes,
      maxHeaderCount: options.maxHeaderCount,
      maxBodySize: options.maxBodySize,
      maxChunkLineBytes: options.maxChunkLineBytes,
    },
    clock: options.clock ?? defaultReactor,
    headersTimeout,
    keepAliveTimeout,
    bodyTimeout,
    tickCap: Math.min(headersTimeout, keepAliveTimeout, bodyTimeout),
    maxRequests: options.maxRequestsPerConnection ?? Infinity,
    scheme: options.secure ? "https://" : "http://",
    noDelay: options.noDelay ?? true,
    connections: new Set(),
    draining: false,
    onEmpty: null,
  };
}

/** Upgrade responses, recognised by identity. */
const upgrades = new WeakMap<Response, (conn: Connection) => void>();
/** Trailers promised for a response's chunked body. */
const responseTrailers = new WeakMap<
  Response,
  () => HeadersInit | Promise<HeadersInit>
>();
/** Trailers of a request's chunked body. */
const requestTrailerPromises = new WeakMap<Request, Promise<Headers>>();

/**
 * Sends `trailers()` as trailer fields after `response`'s body, which is then
 * sent chunked (a fetch `Response` has no trailers of its own). Returns `response`.
 *
 * @example Usage
 * ```ts
 * import { withTrailers } from "@spindle/spindle/protocols/http";
 * const response = withTrailers(
 *   new Response(new Blob(["data"]).stream()),
 *   () => ({ "x-checksum": "abc" }),
 * );
 * console.assert(response.status === 200);
 * ```
 */
export function withTrailers(
  response: Response,
  trailers: () => HeadersInit | Promise<HeadersInit>,
): Response {
  responseTrailers.set(response, trailers);
  return response;
}

/**
 * The trailer fields of a request received by a Spindle server: resolves once
 * its body was read to the end (empty `Headers` for a body that was not chunked).
 *
 * @example Usage
 * ```ts
 * import { requestTrailers } from "@spindle/spindle/protocols/http";
 * const trailers = await requestTrailers(new Request("http://localhost/"));
 * console.assert([...trailers].length === 0);
 * ```
 */
export function requestTrailers(request: Request): Promise<Headers> {
  return requestTrailerPromises.get(request) ?? Promise.resolve(new Headers());
}

const HOST_RE =
  /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=-]*)(?::\d{0,5})?$/;
/** Hosts already checked: a server sees few distinct ones, so each is parsed once. */
const validHosts = new Set<string>();

/**
 * Checks a `Host` value (or CONNECT authority) so that the request URL built
 * from it is valid and means what it says (no path, userinfo or bad port).
 */
let lastHost = "";
function validAuthority(host: string): string {
  if (host === lastHost || validHosts.has(host)) return lastHost = host;
  if (!HOST_RE.test(host) || !URL.canParse(`http://${host}/`)) {
    throw new HTTPParseError(
      400,
      `invalid Host ${JSON.stringify(host.slice(0, 64))}`,
    );
  }
  if (validHosts.size >= 1024) validHosts.clear();
  validHosts.add(host);
  return host;
}
/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(?::\d*)?$/;

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

/** What the connection's one timer waits for: a request head, the next request, or body bytes. */
type TimerKind = "idle" | "head" | "body";

/** A write to the connection failed: the client is gone. */
class PeerGoneError extends Error {}

/** The `info` argument of a handler (a class, so no closures per request). */
class ServeInfo implements ServeHandlerInfo {
  readonly remoteAddr: Address;
  readonly localAddr: Address;

  constructor(conn: Connection) {
    this.remoteAddr = conn.remoteAddr;
    this.localAddr = conn.localAddr;
  }

  upgrade(options: UpgradeOptions = {}): UpgradeResult {
    let resolve!: (conn: Connection) => void;
    const connection = new Promise<Connection>((r) => resolve = r);
    const response = new Response(null, {
      status: 200,
      headers: options.headers,
    });
    upgrades.set(response, resolve);
    return { response, connection };
  }
}

/** A request body fed by the read loop, with backpressure from the reader. */
class RequestBody {
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #demand = false;
  #waiter: (() => void) | null = null;
  /** Nobody will read any more: data is dropped. */
  discarding = false;
  /** The reader asked for data at least once. */
  pulled = false;
  /** All the body arrived. */
  complete = false;
  #onFirstPull: (() => void) | null;
  #resolveTrailers: ((headers: Headers) => void) | null = null;
  readonly trailers: Promise<Headers> | null;

  constructor(onFirstPull: (() => void) | null, chunked: boolean) {
    this.#onFirstPull = onFirstPull;
    this.trailers = chunked
      ? new Promise((resolve) => this.#resolveTrailers = resolve)
      : null;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => {
        this.pulled = true;
        const first = this.#onFirstPull;
        if (first !== null) {
          this.#onFirstPull = null;
          first();
        }
        this.#demand = true;
        this.#wake();
      },
      cancel: () => {
        this.discarding = true;
        this.#wake();
      },
    }, { highWaterMark: 0 });
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  /** Hands bytes to the reader; resolves when it may take more. */
  push(data: Uint8Array): Promise<void> | void {
    if (this.discarding) return;
    this.#demand = false;
    this.#controller.enqueue(data);
    if (this.#demand) return;
    return new Promise<void>((resolve) => this.#waiter = resolve);
  }

  end(trailers: [string, string][]): void {
    this.complete = true;
    this.#resolveTrailers?.(new Headers(trailers));
    if (!this.discarding) {
      this.discarding = true;
      this.#controller.close();
    }
  }

  /** The exchange is over: stop waiting for a reader and drop the rest. */
  discard(): void {
    if (!this.discarding) {
      this.discarding = true;
      try {
        this.#controller.close();
      } catch { /* already closed or errored */ }
    }
    this.#wake();
  }

  fail(error: unknown): void {
    this.#resolveTrailers?.(new Headers());
    if (!this.discarding) {
      this.discarding = true;
      this.#controller.error(error);
    }
    this.#wake();
  }
}

/** One request and its response, in flight. */
interface Exchange {
  head: MessageHead;
  body: RequestBody | null;
  done: Promise<boolean>;
  /** The response head went out (or writing started). */
  started: boolean;
  /** The server answered an error itself: the handler's response is dropped. */
  superseded: boolean;
  /** Set when the handler upgraded and the connection was handed over. */
  handedOver: boolean;
  /** Aborts `request.signal` when the client goes away first. */
  abort: RequestAbort;
}

/** Serves HTTP on one connection; see {@linkcode serveConnection}. */
class HTTPServerConnection {
  #conn: Connection;
  #handler: ServeHandler;
  #settings: Settings;
  #decoder: RequestCore;
  #deadline: Deadline<TimerKind>;
  #served = 0;
  #current: Exchange | null = null;
  #closing = false;

  constructor(conn: Connection, handler: ServeHandler, settings: Settings) {
    this.#conn = conn;
    this.#handler = handler;
    this.#settings = settings;
    this.#decoder = new RequestCore(settings.limits);
    this.#deadline = new Deadline(
      settings.clock,
      (kind) => this.#onTimeout(kind),
      { tickCap: settings.tickCap },
    );
  }

  get idle(): boolean {
    return this.#current === null && !this.#decoder.hasBufferedInput;
  }

  async run(): Promise<void> {
    this.#settings.connections.add(this);
    if (this.#settings.noDelay) {
      try {
        this.#conn.setNoDelay(true);
      } catch {
        // A socket the client already reset: reading will tell.
      }
    }
    this.#arm("head");
    const events: HTTPEvent[] = [];
    let i = 0;
    // A parse error is raised after the events decoded before it are served,
    // so a handler reading a body sees the bytes that came before the error.
    let broken: unknown = null;
    try {
      while (!this.#closing) {
        if (i === events.length) {
          if (broken !== null) throw broken;
          events.length = 0;
          i = 0;
          if (this.#decoder.paused) {
            const exchange = this.#current;
            if (
              exchange !== null && (await exchange.done, exchange.handedOver)
            ) return;
            if (this.#closing) break;
            this.#decoder.resume(events);
            continue;
          }
          const chunk = await this.#conn.read();
          if (this.#closing) break;
          if (chunk === null) {
            try {
              this.#decoder.end(events);
            } catch (error) {
              broken = error;
            }
            if (events.length === 0 && broken === null) break;
            continue;
          }
          const wasIdle = this.#deadline.kind === "idle" &&
            this.#deadline.armed;
          try {
            this.#decoder.decode(chunk, events);
          } catch (error) {
            broken = error;
          }
          // A whole head in the chunk starts its request at once (which
          // disarms the timer): the headers timeout only matters without one.
          if (wasIdle && events[0]?.type !== "head") this.#arm("head");
          continue;
        }
        const event = events[i++]!;
        if (event.type === "head") {
          const previous = this.#current;
          if (previous !== null) {
            const keep = await previous.done;
            if (!keep || this.#closing) break;
          }
          this.#start(event.head);
        } else if (event.type === "data") {
          const body = this.#current?.body;
          if (body) {
            const wait = body.push(event.data);
            // The handler reading slowly is not the client stalling.
            if (wait !== undefined) {
              this.#deadline.suspend();
              await wait;
            }
            if (this.#current?.body === body && !body.discarding) {
              this.#arm("body");
            }
          }
        } else {
          const body = this.#current?.body;
          if (body) {
            body.end(event.trailers);
            if (this.#deadline.kind === "body") this.#deadline.suspend();
          }
        }
      }
      // The peer half-closed: finish the response in flight before closing,
      // and tell a handler that watches `request.signal` that the client left.
      const last = this.#current;
      if (last !== null && !this.#closing) {
        last.abort.abort();
        await last.done;
      }
      if (!this.#closing) await this.#close();
    } catch (error) {
      await this.#fail(error);
    } finally {
      const current = this.#current;
      if (current !== null && !current.handedOver) current.abort.abort();
      this.#deadline.cancel();
      this.#forget();
    }
  }

  #forget(): void {
    const settings = this.#settings;
    if (settings.connections.delete(this) && settings.connections.size === 0) {
      settings.onEmpty?.();
    }
  }

  /** A broken request or a lost connection: answer if we can, then close. */
  async #fail(error: unknown): Promise<void> {
    const exchange = this.#current;
    if (error instanceof HTTPParseError || error instanceof BodyTimeoutError) {
      exchange?.body?.fail(error);
      if (exchange === null || !exchange.started) {
        if (exchange !== null) exchange.superseded = true;
        await this.#sendError(error.status, error.message);
        return;
      }
    }
    if (this.#closing) return;
    this.#closing = true;
    exchange?.body?.fail(error);
    this.#conn.abort(error);
  }

  /** Sets the connection's one deadline (see `Deadline`: re-arming per request only moves a number). */
  #arm(kind: TimerKind): void {
    const settings = this.#settings;
    this.#deadline.arm(
      kind,
      kind === "idle"
        ? settings.keepAliveTimeout
        : kind === "head"
        ? settings.headersTimeout
        : settings.bodyTimeout,
    );
  }

  #onTimeout(kind: TimerKind): void {
    if (this.#closing) return;
    if (kind === "body") {
      // A body the handler let go of is not waited for.
      if (this.#current?.body?.discarding !== false) return;
      this.#fail(new BodyTimeoutError(this.#settings.bodyTimeout));
      return;
    }
    if (this.#current !== null || this.#closing) return;
    if (kind === "idle" && !this.#decoder.hasBufferedInput) {
      this.#close();
    } else {
      this.#sendError(408, "the request head did not arrive in time");
    }
  }

  /** Closes gracefully: now if idle, else after the response in flight. */
  shutdown(): void {
    if (this.idle) this.#close();
  }

  #close(): Promise<void> {
    if (this.#closing) return Promise.resolve();
    this.#closing = true;
    this.#deadline.cancel();
    this.#current?.body?.discard();
    return this.#conn.close().catch(() => {});
  }

  #sendError(status: number, message: string): Promise<void> {
    if (this.#closing) return Promise.resolve();
    const body = encoder.encode(`${message}\n`);
    const head = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\n` +
      `content-type: text/plain;charset=UTF-8\r\ncontent-length: ${body.byteLength}\r\n` +
      `date: ${httpDate()}\r\nconnection: close\r\n\r\n`;
    const bytes = encodeHead(head);
    const out = new Uint8Array(bytes.byteLength + body.byteLength);
    out.set(bytes, 0);
    out.set(body, bytes.byteLength);
    this.#conn.write(out).catch(() => {});
    return this.#close();
  }

  #start(head: MessageHead): void {
    this.#deadline.suspend();
    this.#served++;
    const hasBody = head.framing !== "length" || head.contentLength > 0;
    const exchange: Exchange = {
      head,
      body: null,
      done: undefined as unknown as Promise<boolean>,
      started: false,
      superseded: false,
      handedOver: false,
      abort: new RequestAbort(),
    };
    this.#current = exchange;
    if (hasBody) {
      const wantsContinue = head.expect === "100-continue" &&
        head.versionMinor === 1;
      exchange.body = new RequestBody(
        wantsContinue
          ? () => {
            if (!exchange.started) {
              this.#conn.write(encoder.encode("HTTP/1.1 100 Continue\r\n\r\n"))
                .catch(() => {});
              // The client sends the body only now.
              if (this.#current === exchange) this.#arm("body");
            }
          }
          : null,
        head.framing === "chunked",
      );
      if (!wantsContinue) this.#arm("body");
    }
    exchange.done = this.#exchange(exchange);
  }

  // A repeated head is the same object (see HTTPDecoder.headsRepeat), and on
  // one connection the same head always means the same URL.
  #urlHead: MessageHead | null = null;
  #url = "";

  #buildRequest(exchange: Exchange): Request {
    const { head, body } = exchange;
    const url = head === this.#urlHead ? this.#url : this.#urlOf(head);
    const stream =
      body !== null && head.method !== "GET" && head.method !== "HEAD"
        ? body.stream
        : null;
    let request: Request;
    try {
      request = makeRequest(
        head.method,
        url,
        head.headers,
        stream,
        exchange.abort,
      );
    } catch (error) {
      throw new HTTPParseError(
        400,
        `the request cannot be represented: ${(error as Error).message}`,
      );
    }
    if (body?.trailers) requestTrailerPromises.set(request, body.trailers);
    return request;
  }

  /** The absolute URL of a request (remembered for the next, same head). */
  #urlOf(head: MessageHead): string {
    const target = head.target;
    let url: string;
    if (target.charCodeAt(0) === 47 /* / */) {
      url = this.#settings.scheme + this.#authority(head) + target;
    } else if (head.method === "CONNECT") {
      url = `${this.#settings.scheme}${validAuthority(target)}/`;
    } else if (target === "*" && head.method === "OPTIONS") {
      url = `${this.#settings.scheme}${this.#authority(head)}/*`;
    } else if (/^https?:\/\//i.test(target) && URL.canParse(target)) {
      url = new URL(target).href;
    } else {
      throw new HTTPParseError(
        400,
        `invalid request target ${JSON.stringify(target.slice(0, 64))}`,
      );
    }
    this.#urlHead = head;
    this.#url = url;
    return url;
  }

  #authority(head: MessageHead): string {
    const host = head.host;
    if (host !== null && host !== "") return validAuthority(host);
    const addr = this.#conn.localAddr;
    if ("hostname" in addr) {
      return addr.hostname.includes(":")
        ? `[${addr.hostname}]:${addr.port}`
        : `${addr.hostname}:${addr.port}`;
    }
    return "localhost";
  }

  /** Runs the handler and writes its response; resolves to whether to keep the connection. */
  async #exchange(exchange: Exchange): Promise<boolean> {
    const head = exchange.head;
    let keep = head.keepAlive && this.#served < this.#settings.maxRequests &&
      !this.#settings.draining;
    let response: Response;
    let upgradeTo: ((conn: Connection) => void) | undefined;
    try {
      if (head.expect !== null && head.expect !== "100-continue") {
        response = new Response(
          `unsupported expectation ${JSON.stringify(head.expect)}\n`,
          {
            status: 417,
          },
        );
      } else {
        const request = this.#buildRequest(exchange);
        const result = this.#handler(request, this.#info());
        // A handler that answers synchronously saves a microtask turn.
        response = result instanceof Response ? result : await result;
        if (!(response instanceof Response)) {
          throw new TypeError(
            "the handler did not return a Response: return a Response object",
          );
        }
        upgradeTo = upgrades.get(response);
      }
    } catch (error) {
      if (exchange.superseded || this.#closing) return false;
      if (error instanceof HTTPParseError) {
        exchange.superseded = true;
        await this.#sendError(error.status, error.message);
        return false;
      }
      logger.error(
        "the HTTP handler for {method} {target} threw: answered 500",
        {
          error,
          method: head.method,
          target: head.target,
        },
      );
      response = new Response("Internal Server Error\n", { status: 500 });
    }
    if (exchange.superseded || this.#closing) return false;
    const body = exchange.body;
    if (body !== null && !body.complete) {
      // A client that waits for 100 Continue may or may not send the body now.
      if (head.expect === "100-continue" && !body.pulled) keep = false;
      body.discard();
    }
    exchange.started = true;
    try {
      if (upgradeTo !== undefined && head.upgrade) {
        await this.#writeUpgrade(response, head);
        exchange.handedOver = true;
        this.#closing = true;
        this.#deadline.cancel();
        this.#forget();
        const rest = this.#decoder.release();
        if (rest.byteLength > 0) this.#conn.unshift(rest);
        upgradeTo(this.#conn);
        return false;
      }
      // A shutdown that began while the handler ran: say so in this response.
      if (this.#settings.draining) keep = false;
      const trailers = responseTrailers.get(response);
      const fixed = trailers === undefined ? staticBodyOf(response) : null;
      const simple = fixed === null
        ? null
        : this.#simpleResponse(response, fixed, head, keep);
      if (simple !== null) {
        // The common case takes one await: no async frame around the write.
        try {
          await this.#conn.write(simple);
        } catch (error) {
          throw new PeerGoneError("the connection failed while writing", {
            cause: error,
          });
        }
      } else {
        keep = await this.#writeResponse(response, head, keep, trailers, fixed);
      }
    } catch (error) {
      if (!this.#closing) {
        const fields = { error, method: head.method, target: head.target };
        // A client that went away is routine; a broken response body is a bug.
        if (error instanceof PeerGoneError) {
          logger.debug(
            "the client left before the response to {method} {target} was sent",
            {
              ...fields,
              error: error.cause,
            },
          );
        } else {
          logger.error(
            "writing the HTTP response to {method} {target} failed",
            fields,
          );
        }
        this.#closing = true;
        this.#conn.abort(error);
      }
      return false;
    }
    this.#current = null;
    if (!keep) {
      await this.#close();
      return false;
    }
    if (this.#settings.draining && this.idle) {
      await this.#close();
      return false;
    }
    this.#arm(this.#decoder.hasBufferedInput ? "head" : "idle");
    return true;
  }

  /** Writes to the connection; its failures are told apart from the handler's. */
  #send(bytes: Uint8Array): Promise<void> {
    return this.#conn.write(bytes).catch((error) => {
      throw new PeerGoneError("the connection failed while writing", {
        cause: error,
      });
    });
  }

  #info(): ServeHandlerInfo {
    return new ServeInfo(this.#conn);
  }

  async #writeUpgrade(response: Response, head: MessageHead): Promise<void> {
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
    await this.#send(encodeHead(`${text}date: ${httpDate()}\r\n\r\n`));
  }

  /**
   * The bytes of a response built from a string whose headers the handler
   * left alone (so they are known without a `Headers` object), from the memo
   * when the previous such response was the same; `null` for other responses.
   */
  #simpleResponse(
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

  /** Writes a response; resolves to whether the connection may be kept. */
  async #writeResponse(
    response: Response,
    head: MessageHead,
    keep: boolean,
    trailers: (() => HeadersInit | Promise<HeadersInit>) | undefined,
    fixed: StaticBody | null,
  ): Promise<boolean> {
    const status = response.status;
    const isHead = head.method === "HEAD";
    const noBody = status < 200 || status === 204 || status === 304;
    const http10 = head.versionMinor === 0;
    let text = statusLine(status, response.statusText);
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

    if (fixed !== null || noBody) {
      const bytes = noBody || fixed?.body == null
        ? null
        : prepareBody(fixed.body);
      if (bytes !== null) text += `content-length: ${bytes.length}\r\n`;
      else if ((isHead || status === 304) && userLength >= 0) {
        // A HEAD answer (or 304) may tell the length a GET would have had.
        text += `content-length: ${userLength}\r\n`;
      } else if (!noBody) text += "content-length: 0\r\n";
      // Touching `body` of a static response would build a stream: only
      // a real stream (a body on a status that has none) needs cancelling.
      if (fixed === null) response.body?.cancel().catch(() => {});
      text += headTail(keep, http10);
      try {
        await this.#conn.write(assemble(text, isHead ? null : bytes));
      } catch (error) {
        throw new PeerGoneError("the connection failed while writing", {
          cause: error,
        });
      }
      return keep;
    }

    // A stream body.
    const stream = response.body;
    if (stream === null) {
      text += "content-length: 0\r\n";
      text += headTail(keep, http10);
      await this.#send(encodeHead(text));
      return keep;
    }
    const length = trailers === undefined
      ? (userLength >= 0 ? userLength : knownLengthOf(response))
      : -1;
    let mode: "length" | "chunked" | "close";
    if (length >= 0) {
      mode = "length";
      text += `content-length: ${length}\r\n`;
    } else if (!http10) {
      mode = "chunked";
      text += "transfer-encoding: chunked\r\n";
    } else {
      mode = "close";
      keep = false;
    }
    text += headTail(keep, http10);
    await this.#send(encodeHead(text));
    if (isHead) {
      await stream.cancel().catch(() => {});
      return keep;
    }
    const reader = stream.getReader();
    let sent = 0;
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        if (!(value instanceof Uint8Array)) {
          throw new TypeError(
            "a response body stream yielded a non-Uint8Array chunk: enqueue bytes",
          );
        }
        if (value.byteLength === 0) continue;
        sent += value.byteLength;
        if (mode === "length" && sent > length) {
          throw new RangeError(
            `the response body is longer than its Content-Length (${length}): fix the header or the body`,
          );
        }
        await this.#send(mode === "chunked" ? encodeChunk(value) : value);
      }
    } catch (error) {
      reader.cancel(error).catch(() => {});
      throw error;
    }
    if (mode === "length" && sent !== length) {
      throw new RangeError(
        `the response body (${sent} bytes) is shorter than its Content-Length (${length}): fix the header or the body`,
      );
    }
    if (mode === "chunked") {
      let tail = "0\r\n";
      if (trailers !== undefined) {
        for (const [name, value] of new Headers(await trailers())) {
          tail += `${name}: ${value}\r\n`;
        }
      }
      await this.#send(encodeHead(`${tail}\r\n`));
    }
    return keep;
  }
}

/**
 * Serves HTTP/1.x on one connection until it closes: keep-alive, pipelining
 * (answered in order), chunked bodies, `Expect: 100-continue`, upgrades,
 * timeouts. Resolves when the connection is done; never rejects.
 *
 * @example Usage
 * ```ts ignore
 * import { serveConnection } from "@spindle/spindle/protocols/http";
 * import type { Connection } from "@spindle/spindle/reactor";
 * declare const conn: Connection;
 * await serveConnection(conn, () => new Response("hello"));
 * ```
 */
export function serveConnection(
  conn: Connection,
  handler: ServeHandler,
  options: ServeOptions = {},
): Promise<void> {
  return new HTTPServerConnection(conn, handler, settingsOf(options)).run();
}

/**
 * A connection handler for `listenTCP` and friends that serves HTTP with
 * `handler`. It keeps track of its connections, so `drain()` can close them
 * gracefully (idle ones now, busy ones after their response).
 *
 * @example Usage
 * ```ts ignore
 * import { HTTPFactory } from "@spindle/spindle/protocols/http";
 * import { reactor } from "@spindle/spindle/reactor";
 * const factory = new HTTPFactory(() => new Response("hello"));
 * await reactor.listenTCP(8080, factory, { interface: "127.0.0.1" });
 * ```
 */
export class HTTPFactory implements ConnectionFactory {
  #handler: ServeHandler;
  #settings: Settings;

  /** Creates a factory that serves `handler` with `options`. */
  constructor(handler: ServeHandler, options: ServeOptions = {}) {
    this.#handler = handler;
    this.#settings = settingsOf(options);
  }

  /** Called when a listener starts using the factory. */
  doStart(): void {
    this.#settings.draining = false;
  }

  /** Called when a listener stops using the factory. */
  doStop(): void {}

  /** The number of open connections. */
  get connectionCount(): number {
    return this.#settings.connections.size;
  }

  /** Serves one accepted connection. */
  handleConnection(conn: Connection): Promise<void> {
    if (this.#settings.draining) {
      return conn.close().catch(() => {});
    }
    return new HTTPServerConnection(conn, this.#handler, this.#settings).run();
  }

  /**
   * Closes idle connections now and the others after their current response;
   * resolves when all are closed.
   */
  async drain(): Promise<void> {
    const settings = this.#settings;
    settings.draining = true;
    if (settings.connections.size === 0) return;
    const empty = new Promise<void>((resolve) => settings.onEmpty = resolve);
    for (const conn of settings.connections) conn.shutdown();
    await empty;
    settings.onEmpty = null;
  }
}
