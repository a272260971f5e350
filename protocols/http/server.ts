/**
 * The HTTP/1.x server engine: serves one `Connection` with a
 * `Deno.serve`-shaped handler, running the request core in the connection's
 * read loop (no Web Streams except for the bodies a handler reads or writes).
 *
 * @module
 */
import type {
  Connection,
  ConnectionFactory,
} from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { EMPTY_BYTES } from "../../reactor/bytes.ts";
import { Deadline } from "../../reactor/deadline.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { getLogger } from "../../log/mod.ts";
import {
  BodyTimeoutError,
  HandlerTimeoutError,
  HTTPParseError,
} from "./errors.ts";
import { RequestCore } from "./codec.ts";
import type { ServeHandler } from "./handler.ts";
import {
  DEFAULT_BODY_TIMEOUT,
  DEFAULT_HEADERS_TIMEOUT,
  DEFAULT_KEEP_ALIVE_TIMEOUT,
  DEFAULT_MAX_BODY_SIZE,
  type HTTPLimits,
  type ServerLimits,
} from "./limits.ts";
import type { HTTPEvent, MessageHead } from "./message.ts";
import { Exchange } from "./_exchange.ts";
import { makeRequest, RequestAbort } from "./_fast_request.ts";
import { RequestBody } from "./_request_body.ts";
import { loggedTarget } from "./_log_target.ts";
import { requestURL } from "./_request_url.ts";
import {
  errorAnswer,
  errorResponse,
  PeerGoneError,
  simpleResponse,
  writeResponse,
  writeUpgrade,
} from "./_response_writer.ts";
import { staticBodyOf } from "./_serialize.ts";
import { receivedTrailers, trailersToSend } from "./trailers.ts";
import type { H2Limits } from "../http2/mod.ts";
import { H2Dispatch } from "./_h2.ts";

const logger = getLogger("spindle.http.server");
const CONTINUE = new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n");

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
  /**
   * Makes the response for a request whose handler threw, as `Deno.serve`'s
   * `onError` does; default: log the error and answer 500. When `onError`
   * throws in turn, that is logged and the answer is 500.
   */
  onError?: (error: unknown) => Response | Promise<Response>;
  /**
   * Serve HTTP/2 too, with these limits (`HTTPFactory` and `serveHTTP` only):
   * chosen per connection by ALPN `h2` on TLS, or by the client preface on
   * cleartext (prior knowledge). `false`: HTTP/1.1 only. Default true.
   */
  http2?: boolean | H2Limits;
}

/** Options resolved once per server. */
interface Settings {
  limits: HTTPLimits;
  clock: IReactorTime;
  headersTimeout: number;
  keepAliveTimeout: number;
  bodyTimeout: number;
  /** `Infinity` when handlers are not timed. */
  handlerTimeout: number;
  maxRequests: number;
  /** The shortest timeout: the longest a connection's timer sleeps. */
  tickCap: number;
  scheme: string;
  noDelay: boolean;
  onError: ((error: unknown) => Response | Promise<Response>) | undefined;
  connections: Set<HTTPServerConnection>;
  /** Connections handed over by an upgrade, with their owner's graceful close. */
  upgraded: Map<Connection, (() => void) | undefined>;
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
      maxBodySize: options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE,
      maxChunkLineBytes: options.maxChunkLineBytes,
    },
    clock: options.clock ?? defaultReactor,
    headersTimeout,
    keepAliveTimeout,
    bodyTimeout,
    handlerTimeout: options.handlerTimeout ?? Infinity,
    tickCap: Math.min(headersTimeout, keepAliveTimeout, bodyTimeout),
    maxRequests: options.maxRequestsPerConnection ?? Infinity,
    scheme: options.secure ? "https://" : "http://",
    noDelay: options.noDelay ?? true,
    onError: options.onError,
    connections: new Set(),
    upgraded: new Map(),
    draining: false,
    onEmpty: null,
  };
}

/** What the connection's one timer waits for: a request head, the next request, or body bytes. */
type TimerKind = "idle" | "head" | "body";

/** Serves HTTP on one connection; see {@linkcode serveConnection}. */
class HTTPServerConnection {
  #conn: Connection;
  #handler: ServeHandler;
  #settings: Settings;
  #decoder: RequestCore;
  #deadline: Deadline<TimerKind>;
  /** The handler's own deadline, only when `handlerTimeout` is set: it runs while the body timer may too. */
  #handlerDeadline: Deadline<"handler"> | null = null;
  #served = 0;
  #current: Exchange | null = null;
  #closing = false;
  // A repeated head is the same object (see HTTPCore.headsRepeat), and on
  // one connection the same head always means the same URL.
  #urlHead: MessageHead | null = null;
  #url = "";

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
    const handlerTimeout = settings.handlerTimeout;
    if (handlerTimeout !== Infinity) {
      this.#handlerDeadline = new Deadline(
        settings.clock,
        () => this.#onHandlerTimeout(),
        { tickCap: handlerTimeout },
      );
    }
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
    try {
      if (await this.#serve()) {
        // Handed over: the connection is the new protocol's now. A listener
        // closes a connection once its handler's promise settles, so this
        // one resolves only when the new owner has closed it.
        await this.#conn.closed.catch(() => {});
        return;
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
      this.#handlerDeadline?.cancel();
      this.#forget();
    }
  }

  /**
   * The read loop: decodes chunks and serves their events in order, until
   * the input ends or the connection closes; true once it was handed over.
   *
   * It reads the connection itself rather than through the reactor's
   * `MessageReader`: the reader's read resolves one promise step after the
   * connection's, which costs the engine about 9% per request (engine bench
   * A/B in one process, wrk and browser requests).
   */
  async #serve(): Promise<boolean> {
    const events: HTTPEvent[] = [];
    let i = 0;
    // A parse error is raised after the events decoded before it are served,
    // so a handler reading a body sees the bytes that came before the error.
    let broken: unknown = null;
    while (!this.#closing) {
      if (i === events.length) {
        if (broken !== null) throw broken;
        events.length = 0;
        i = 0;
        if (this.#decoder.paused) {
          const exchange = this.#current;
          if (exchange !== null && (await exchange.done, exchange.handedOver)) {
            return true;
          }
          if (this.#closing) break;
          this.#decoder.resume();
          this.#decoder.decode(EMPTY_BYTES, events);
          continue;
        }
        const chunk = await this.#conn.read();
        if (this.#closing) break;
        broken = this.#decode(chunk, events);
        if (chunk === null && events.length === 0 && broken === null) break;
        continue;
      }
      const event = events[i++]!;
      if (event.type === "head") {
        const previous = this.#current;
        if (previous !== null && (!(await previous.done) || this.#closing)) {
          break;
        }
        this.#start(event.head);
      } else if (event.type === "data") {
        const body = this.#current?.body;
        if (body) {
          const wait = body.push(event.data);
          // The handler reading slowly is not the client stalling. A piece
          // that ends the body is not waited for: it is in memory already,
          // and reading on is how the server sees the client leave (to
          // abort `request.signal`) while a handler leaves the body unread.
          if (wait !== undefined && events[i]?.type !== "end") {
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
    return false;
  }

  /** Decodes a chunk (`null`: the end of input); returns the error it raised, if any. */
  #decode(chunk: Uint8Array | null, events: HTTPEvent[]): unknown {
    if (chunk === null) {
      try {
        this.#decoder.end(events);
      } catch (error) {
        return error;
      }
      return null;
    }
    const wasIdle = this.#deadline.kind === "idle" && this.#deadline.armed;
    let broken: unknown = null;
    try {
      this.#decoder.decode(chunk, events);
    } catch (error) {
      broken = error;
    }
    // A whole head in the chunk starts its request at once (which
    // disarms the timer): the headers timeout only matters without one.
    if (wasIdle && events[0]?.type !== "head") this.#arm("head");
    return broken;
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
    if (this.#current !== null) return;
    if (kind === "idle" && !this.#decoder.hasBufferedInput) {
      this.#close();
    } else {
      this.#sendError(408, "the request head did not arrive in time");
    }
  }

  /** The handler ran out of `handlerTimeout` before returning its response: 503, and its signal aborted. */
  #onHandlerTimeout(): void {
    const exchange = this.#current;
    if (exchange === null || exchange.started || this.#closing) return;
    const head = exchange.head;
    const error = new HandlerTimeoutError(this.#settings.handlerTimeout);
    logger.warn(
      "the HTTP handler for {method} {target} did not answer within {timeout} ms (handlerTimeout): answered 503",
      {
        method: head.method,
        target: loggedTarget(head.target),
        timeout: error.timeout,
      },
    );
    exchange.superseded = true;
    exchange.abort.abort();
    // Closing would end an unread body as if complete: fail it instead.
    exchange.body?.fail(error);
    this.#sendError(error.status, error.message);
  }

  /** Closes gracefully: now if idle, else after the response in flight. */
  shutdown(): void {
    // One that has not served a request yet was opened to send one, maybe
    // just before the listener closed: it gets its answer (then closes), as
    // Go's Server.Shutdown leaves new connections be.
    if (this.idle && this.#served > 0) this.#close();
  }

  #close(): Promise<void> {
    if (this.#closing) return Promise.resolve();
    this.#closing = true;
    this.#deadline.cancel();
    this.#current?.body?.discard();
    return this.#conn.close().catch(() => {});
  }

  /** Answers `status` with its fixed text and closes; `reason` goes to the debug log only, never to the client. */
  #sendError(status: number, reason: string): Promise<void> {
    if (this.#closing) return Promise.resolve();
    logger.debug("answered {status} and closed the connection: {reason}", {
      status,
      reason,
    });
    this.#conn.write(errorResponse(status)).catch(() => {});
    return this.#close();
  }

  #start(head: MessageHead): void {
    this.#deadline.suspend();
    this.#served++;
    const exchange = new Exchange(head, this.#conn, new RequestAbort());
    this.#current = exchange;
    if (head.framing !== "length" || head.contentLength > 0) {
      const wantsContinue = head.expect === "100-continue" &&
        head.versionMinor === 1;
      exchange.body = new RequestBody(
        wantsContinue ? () => this.#sendContinue(exchange) : null,
        head.framing === "chunked",
      );
      if (!wantsContinue) this.#arm("body");
    }
    this.#handlerDeadline?.arm("handler", this.#settings.handlerTimeout);
    exchange.done = this.#exchange(exchange);
  }

  /** The handler asked for the body of a request that expects 100 Continue. */
  #sendContinue(exchange: Exchange): void {
    if (exchange.started) return;
    this.#conn.write(CONTINUE).catch(() => {});
    // The client sends the body only now.
    if (this.#current === exchange) this.#arm("body");
  }

  #buildRequest(exchange: Exchange): Request {
    const { head, body } = exchange;
    let url = this.#url;
    if (head !== this.#urlHead) {
      url = requestURL(head, this.#settings.scheme, this.#conn.localAddr);
      this.#urlHead = head;
      this.#url = url;
    }
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
    if (body?.trailers) receivedTrailers(request, body.trailers);
    return request;
  }

  /** Runs the handler and writes its response; resolves to whether to keep the connection. */
  async #exchange(exchange: Exchange): Promise<boolean> {
    const head = exchange.head;
    let response: Response | null;
    try {
      const result = this.#callHandler(exchange);
      // A handler that answers synchronously saves a microtask turn.
      response = result instanceof Response ? result : await result;
      if (!(response instanceof Response)) {
        throw new TypeError(
          "the handler did not return a Response: return a Response object",
        );
      }
    } catch (error) {
      response = await this.#handlerFailed(exchange, error);
      if (response === null) return false;
    }
    this.#handlerDeadline?.suspend();
    if (exchange.superseded || this.#closing) {
      // A late answer: release what its body holds (an open file, a generator).
      if (!response.bodyUsed) response.body?.cancel().catch(() => {});
      return false;
    }
    let keep = this.#startResponse(exchange);
    try {
      const handOver = exchange.handOverFor(response);
      if (handOver !== null && head.upgrade) {
        await this.#handOver(exchange, response, handOver);
        return false;
      }
      const trailers = trailersToSend(response);
      const fixed = trailers === undefined ? staticBodyOf(response) : null;
      const simple = fixed === null
        ? null
        : simpleResponse(response, fixed, head, keep);
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
        keep = await writeResponse(
          this.#conn,
          response,
          head,
          keep,
          trailers,
          fixed,
        );
      }
    } catch (error) {
      this.#writeFailed(head, error);
      return false;
    }
    return this.#responded(keep);
  }

  /** Calls the handler (417 for an expectation other than 100-continue). */
  #callHandler(exchange: Exchange): Response | Promise<Response> {
    const expect = exchange.head.expect;
    if (expect !== null && expect !== "100-continue") return errorAnswer(417);
    return this.#handler(this.#buildRequest(exchange), exchange);
  }

  /** The handler threw: the response to send instead (500), or `null` when the server answered already. */
  async #handlerFailed(
    exchange: Exchange,
    error: unknown,
  ): Promise<Response | null> {
    if (exchange.superseded || this.#closing) return null;
    if (error instanceof HTTPParseError) {
      exchange.superseded = true;
      await this.#sendError(error.status, error.message);
      return null;
    }
    const head = exchange.head;
    const { onError } = this.#settings;
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
      if (exchange.superseded || this.#closing) return null;
    }
    logger.error("the HTTP handler for {method} {target} threw: answered 500", {
      error,
      method: head.method,
      target: loggedTarget(head.target),
    });
    return errorAnswer(500);
  }

  /** The response starts: whether the connection may be kept after it. */
  #startResponse(exchange: Exchange): boolean {
    const head = exchange.head;
    const settings = this.#settings;
    // A shutdown that began while the handler ran: say so in this response.
    let keep = head.keepAlive && this.#served < settings.maxRequests &&
      !settings.draining;
    const body = exchange.body;
    if (body !== null && !body.complete) {
      // A client that waits for 100 Continue may or may not send the body now.
      if (head.expect === "100-continue" && !body.pulled) keep = false;
      body.discard();
    }
    exchange.started = true;
    return keep;
  }

  /** Sends the protocol switch and hands the connection, unread bytes included, to the handler. */
  async #handOver(
    exchange: Exchange,
    response: Response,
    handOver: (conn: Connection) => void,
  ): Promise<void> {
    await writeUpgrade(this.#conn, response, exchange.head);
    exchange.handedOver = true;
    this.#closing = true;
    this.#deadline.cancel();
    // Tracked before forgotten, so a drain that waits for the last HTTP
    // connection still finds it (see HTTPFactory.drain).
    const conn = this.#conn;
    const upgraded = this.#settings.upgraded;
    upgraded.set(conn, exchange.onShutdown);
    conn.closed.catch(() => {}).then(() => upgraded.delete(conn));
    this.#forget();
    const rest = this.#decoder.release();
    if (rest.byteLength > 0) this.#conn.unshift(rest);
    handOver(this.#conn);
  }

  /** Writing the response failed: a client that left is routine, a broken body a bug. */
  #writeFailed(head: MessageHead, error: unknown): void {
    if (this.#closing) return;
    const fields = {
      error,
      method: head.method,
      target: loggedTarget(head.target),
    };
    if (error instanceof PeerGoneError) {
      logger.debug(
        "the client left before the response to {method} {target} was sent",
        { ...fields, error: error.cause },
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

  /** The response was sent: close, or wait for the next request. */
  #responded(keep: boolean): boolean | Promise<boolean> {
    this.#current = null;
    if (!keep || (this.#settings.draining && this.idle)) {
      return this.#close().then(() => false);
    }
    this.#arm(this.#decoder.hasBufferedInput ? "head" : "idle");
    return true;
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
  #h2: H2Dispatch;

  /** Creates a factory that serves `handler` with `options`. */
  constructor(handler: ServeHandler, options: ServeOptions = {}) {
    this.#handler = handler;
    const settings = this.#settings = settingsOf(options);
    this.#h2 = new H2Dispatch(handler, {
      clock: settings.clock,
      secure: options.secure ?? false,
      http2: options.http2 ?? true,
      maxBodySize: settings.limits.maxBodySize!,
      headersTimeout: settings.headersTimeout,
      onError: settings.onError,
    });
  }

  /** Called when a listener starts using the factory. */
  doStart(): void {
    this.#settings.draining = false;
  }

  /** Called when a listener stops using the factory. */
  doStop(): void {}

  /** The number of open connections. */
  get connectionCount(): number {
    return this.#settings.connections.size + this.#h2.count;
  }

  /** Serves one accepted connection. */
  handleConnection(conn: Connection): Promise<void> {
    if (this.#settings.draining) {
      return conn.close().catch(() => {});
    }
    // HTTP/2 or HTTP/1.1 is chosen once, before the first request is read.
    return this.#h2.route(
      conn,
      () => new HTTPServerConnection(conn, this.#handler, this.#settings).run(),
    );
  }

  /**
   * Closes idle connections now and the others after their current response;
   * resolves when all are closed.
   */
  async drain(): Promise<void> {
    const settings = this.#settings;
    settings.draining = true;
    await this.#h2.chosen();
    const h2 = this.#h2.drain();
    if (settings.connections.size > 0) {
      const empty = new Promise<void>((resolve) => settings.onEmpty = resolve);
      for (const conn of settings.connections) conn.shutdown();
      await empty;
      settings.onEmpty = null;
    }
    // Upgraded connections last: one may have been handed over meanwhile.
    const closed: Promise<unknown>[] = [];
    for (const [conn, onShutdown] of settings.upgraded) {
      if (onShutdown !== undefined) onShutdown();
      else conn.close().catch(() => {});
      closed.push(conn.closed.catch(() => {}));
    }
    await Promise.all(closed);
    await h2;
  }
}
