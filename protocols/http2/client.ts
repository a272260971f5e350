/**
 * The HTTP/2 client: one connection carrying many requests at once, up to the
 * server's SETTINGS_MAX_CONCURRENT_STREAMS (beyond it, requests wait for a
 * stream to close), with bodies streamed both ways under flow control and
 * the response's trailers kept.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { ErrorCode } from "./constants.ts";
import {
  H2ConnectionError,
  H2GoAwayError,
  H2StreamResetError,
} from "./errors.ts";
import type { H2Limits } from "./limits.ts";
import { H2Connection, resolveLimits } from "./connection.ts";
import type { H2Stream } from "./_stream.ts";
import { CONNECTION_SPECIFIC, fieldsToHeaders } from "./_fields.ts";

/** Options of {@linkcode connectH2}. */
export interface H2ClientOptions extends H2Limits {
  /** Where timeouts are scheduled (a fake `Clock` in tests). Default: the default reactor. */
  clock?: IReactorTime;
  /** Records the trailers a response's body will end with (the `Agent` passes HTTP/1.1's `responseTrailers` bookkeeping). */
  onTrailers?: (response: Response, trailers: Promise<Headers>) => void;
}

/** A response on its way: its stream, and how to settle the caller's promise. */
interface Pending {
  method: string;
  resolve: (response: Response) => void;
  reject: (error: unknown) => void;
  /** Set once the response head arrived. */
  answered: boolean;
}

/**
 * An HTTP/2 client connection, as {@linkcode connectH2} returns it.
 * `request` sends a fetch `Request` on a new stream and resolves with the
 * `Response` once its head arrived; the body streams as it is read, and the
 * window reopens only as it is read.
 */
export interface H2ClientSession {
  /** Whether new requests may go on this connection (no GOAWAY yet). */
  readonly available: boolean;
  /** Streams open now. */
  readonly activeStreams: number;
  /** Resolves when the connection has closed. */
  readonly done: Promise<void>;
  /** Sends `request` on a new stream (waiting for one under the server's limit); resolves with the response head. */
  request(request: Request): Promise<Response>;
  /** Sends GOAWAY and closes once the streams in flight are done. */
  close(): Promise<void>;
}

class H2ClientConnection extends H2Connection implements H2ClientSession {
  #options: H2ClientOptions;
  #pending = new Map<number, Pending>();
  #waiting: Array<() => void> = [];

  constructor(conn: Connection, options: H2ClientOptions = {}) {
    super(
      conn,
      resolveLimits(options),
      options.clock ?? defaultReactor,
      false,
    );
    this.#options = options;
    // Until the server's SETTINGS say otherwise, as many streams as every
    // server must allow (RFC 9113 §6.5.2 recommends at least 100), not the
    // unlimited initial value: a burst of first requests is not refused.
    this.peerMaxConcurrentStreams = 100;
  }

  /** Whether new requests may go on this connection. */
  get available(): boolean {
    return !this.goingAway && !this.closing;
  }

  /** Streams open now. */
  get activeStreams(): number {
    return this.streams.size;
  }

  /** Sends `request` on a new stream; resolves with the response head. */
  async request(request: Request): Promise<Response> {
    while (this.streams.size >= this.peerMaxConcurrentStreams) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (!this.available) {
      throw new H2GoAwayError(ErrorCode.NO_ERROR, this.lastLocalStream);
    }
    const id = this.lastLocalStream === 0 ? 1 : this.lastLocalStream + 2;
    this.lastLocalStream = id;
    const url = new URL(request.url);
    const fields = [
      ":method",
      request.method,
      ":scheme",
      url.protocol.slice(0, -1),
      ":authority",
      url.host,
      ":path",
      `${url.pathname}${url.search}`,
    ];
    for (const [name, value] of request.headers) {
      if (!CONNECTION_SPECIFIC.has(name) && name !== "host") {
        fields.push(name, value);
      }
    }
    const stream = this.addStream(id, false);
    const answer = new Promise<Response>((resolve, reject) => {
      this.#pending.set(id, {
        method: request.method,
        resolve,
        reject,
        answered: false,
      });
    });
    const body = request.body;
    this.sendHeaders(stream, fields, body === null);
    const signal = request.signal;
    const onAbort = () => this.resetStream(id, ErrorCode.CANCEL, signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    stream.abort.signal.addEventListener(
      "abort",
      () => signal.removeEventListener("abort", onAbort),
      { once: true },
    );
    if (body !== null) this.#sendBody(stream, body);
    try {
      return await answer;
    } catch (error) {
      // A refused stream was not processed (RFC 9113 §8.7): a request
      // without a body goes again, once a stream is free.
      if (
        error instanceof H2StreamResetError &&
        error.code === ErrorCode.REFUSED_STREAM && body === null &&
        !signal.aborted
      ) {
        return await this.request(request);
      }
      throw error;
    }
  }

  async #sendBody(
    stream: H2Stream,
    body: ReadableStream<Uint8Array>,
  ): Promise<void> {
    const reader = body.getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        await this.sendData(stream, value, false);
      }
      await this.sendData(stream, new Uint8Array(0), true);
    } catch (error) {
      reader.cancel(error).catch(() => {});
      if (!stream.localClosed) {
        this.resetStream(stream.id, ErrorCode.CANCEL, error);
      }
    }
  }

  protected onOpen(): void {
    throw new H2ConnectionError(
      ErrorCode.PROTOCOL_ERROR,
      "the server opened a stream, though SETTINGS_ENABLE_PUSH is 0",
    );
  }

  protected onHeaders(stream: H2Stream, fields: string[], end: boolean): void {
    const pending = this.#pending.get(stream.id);
    if (pending === undefined) return;
    if (pending.answered) {
      this.endWithTrailers(stream, fieldsToHeaders(stream.id, fields, true));
      return;
    }
    if (fields[0] !== ":status") {
      this.resetStream(stream.id, ErrorCode.PROTOCOL_ERROR);
      return;
    }
    const status = Number(fields[1]);
    // 1xx heads are informational: the final one follows.
    if (status >= 100 && status < 200) return;
    const headers = fieldsToHeaders(stream.id, fields.slice(2), false);
    pending.answered = true;
    const bodiless = end || pending.method === "HEAD" || status === 204 ||
      status === 304;
    if (end) this.endWithTrailers(stream, new Headers());
    else if (bodiless) stream.discard();
    const response = new Response(bodiless ? null : stream.body, {
      status,
      headers,
    });
    this.#options.onTrailers?.(response, stream.trailers);
    pending.resolve(response);
  }

  protected override onStreamClosed(stream: H2Stream): void {
    const pending = this.#pending.get(stream.id);
    this.#pending.delete(stream.id);
    if (pending !== undefined && !pending.answered) {
      pending.reject(
        stream.abort.signal.reason ??
          new H2ConnectionError(
            ErrorCode.PROTOCOL_ERROR,
            "the stream closed without a response",
          ),
      );
    }
    this.#waiting.shift()?.();
  }

  protected override onGoAway(error: H2GoAwayError): void {
    // Streams the server never processed fail, to be retried elsewhere.
    for (const [id] of this.#pending) {
      if (id > error.lastStreamId) {
        this.resetStream(id, ErrorCode.CANCEL, error);
      }
    }
    for (const wake of this.#waiting.splice(0)) wake();
  }

  /** Sends GOAWAY and closes once the streams in flight are done. */
  async close(): Promise<void> {
    this.goAwayGracefully();
    for (const wake of this.#waiting.splice(0)) wake();
    await this.done;
  }
}

/**
 * Starts an HTTP/2 client session on `conn` (after TLS negotiated `h2`, or on
 * cleartext with prior knowledge): sends the preface and SETTINGS and reads
 * the server's frames until the connection closes.
 *
 * @example Usage
 * ```ts ignore
 * import { connectH2 } from "@spindle/spindle/protocols/http2";
 * import { reactor } from "@spindle/spindle/reactor";
 * const session = connectH2(await reactor.connectTCP("127.0.0.1", 8080));
 * console.log((await session.request(new Request("http://127.0.0.1:8080/"))).status);
 * await session.close();
 * ```
 */
export function connectH2(
  conn: Connection,
  options: H2ClientOptions = {},
): H2ClientSession {
  const session = new H2ClientConnection(conn, options);
  session.run();
  return session;
}
