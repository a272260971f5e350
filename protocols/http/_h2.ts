/**
 * Where HTTP/1.1 hands a connection to HTTP/2: once per connection, by what
 * TLS negotiated (ALPN `h2`) or, on cleartext, by the first bytes the client
 * sends (the HTTP/2 preface, "prior knowledge" as `Deno.serve` takes it).
 * Requests pay nothing for it: the choice is made before the first is read.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { tlsInfo } from "../../reactor/tls.ts";
import {
  H2_ALPN,
  type H2Limits,
  type H2Session,
  type MadeRequest,
  serveH2Connection,
} from "../http2/mod.ts";
import type { ServeHandler } from "./handler.ts";
import { receivedTrailers, trailersToSend } from "./trailers.ts";
import { staticBodyOf } from "./_serialize.ts";
import { makeRequest, RequestAbort } from "./_fast_request.ts";

/** The first bytes of the HTTP/2 client preface, which no HTTP/1.1 request starts with. */
const PREFACE_START = new TextEncoder().encode("PRI * HTTP/2.0");

/** What the dispatcher needs of the server's options. */
export interface H2DispatchOptions {
  clock: IReactorTime;
  secure: boolean;
  /** HTTP/2's limits, or false to speak HTTP/1.1 only. */
  http2: boolean | H2Limits;
  maxBodySize: number;
  /** How long the first bytes may take on cleartext (the headers timeout). */
  headersTimeout: number;
  onError?: (error: unknown) => Response | Promise<Response>;
}

/** Chooses the protocol of each connection, and keeps the HTTP/2 sessions for `drain()`. */
export class H2Dispatch {
  #handler: ServeHandler;
  #options: H2DispatchOptions;
  #sessions = new Set<H2Session>();
  #choosing = new Set<Promise<Uint8Array | null>>();

  constructor(handler: ServeHandler, options: H2DispatchOptions) {
    this.#handler = handler;
    this.#options = options;
  }

  /** Open HTTP/2 connections, and those whose first bytes are awaited. */
  get count(): number {
    return this.#sessions.size + this.#choosing.size;
  }

  /** Resolves once every connection waiting for its first bytes has its protocol. */
  async chosen(): Promise<void> {
    await Promise.all(this.#choosing);
  }

  /** Serves `conn` with HTTP/2 when the client speaks it, else with `http1`. */
  async route(conn: Connection, http1: () => Promise<void>): Promise<void> {
    const options = this.#options;
    if (options.http2 === false) return http1();
    if (options.secure) {
      const info = await tlsInfo(conn).catch(() => null);
      return info?.alpnProtocol === H2_ALPN ? this.#serve(conn) : http1();
    }
    const choosing = this.#firstBytes(conn);
    this.#choosing.add(choosing);
    let first = await choosing.finally(() => this.#choosing.delete(choosing));
    // A first segment shorter than the preface's start that matches it so
    // far: read on (a POST cut after "P" must not be taken for HTTP/2).
    while (
      first !== null && first.byteLength < PREFACE_START.byteLength &&
      startsLikePreface(first)
    ) {
      const more = await this.#firstBytes(conn);
      if (more === null) break;
      const joined = new Uint8Array(first.byteLength + more.byteLength);
      joined.set(first);
      joined.set(more, first.byteLength);
      first = joined;
    }
    if (first === null) return http1();
    conn.unshift(first);
    return first.byteLength >= PREFACE_START.byteLength &&
        startsLikePreface(first)
      ? this.#serve(conn)
      : http1();
  }

  /** Reads the first chunk, at most the headers timeout long (then HTTP/1.1 times the connection out). */
  async #firstBytes(conn: Connection): Promise<Uint8Array | null> {
    let first: Uint8Array | null = null;
    let late = false;
    const timer = this.#options.clock.callLater(
      this.#options.headersTimeout,
      () => {
        late = true;
        conn.close().catch(() => {});
      },
    );
    try {
      first = await conn.read();
    } catch {
      first = null;
    } finally {
      timer.cancel();
    }
    return late ? null : first;
  }

  #serve(conn: Connection): Promise<void> {
    const options = this.#options;
    const limits = typeof options.http2 === "object" ? options.http2 : {};
    const session = serveH2Connection(conn, this.#handler, {
      maxBodySize: options.maxBodySize,
      ...limits,
      clock: options.clock,
      scheme: options.secure ? "https" : "http",
      trailers: { toSend: trailersToSend, received: receivedTrailers },
      onError: options.onError,
      bodyOf: staticBodyOf,
      makeRequest: lazyRequest,
    });
    this.#sessions.add(session);
    return session.done.finally(() => this.#sessions.delete(session));
  }

  /** Sends GOAWAY on every HTTP/2 connection; resolves when all have closed. */
  async drain(): Promise<void> {
    const sessions = [...this.#sessions];
    for (const session of sessions) session.shutdown();
    await Promise.all(sessions.map((session) => session.done));
  }
}

/** HTTP/1.1's lazy `Request` (the URL parsed and headers copied only when asked). */
function lazyRequest(
  method: string,
  url: string,
  headers: [string, string][],
  body: ReadableStream<Uint8Array> | null,
): MadeRequest {
  const abort = new RequestAbort();
  return { request: makeRequest(method, url, headers, body, abort), abort };
}

/** Whether `bytes` start as the HTTP/2 preface does (as far as they go). */
function startsLikePreface(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.byteLength, PREFACE_START.byteLength);
  for (let i = 0; i < n; i++) if (bytes[i] !== PREFACE_START[i]) return false;
  return true;
}
