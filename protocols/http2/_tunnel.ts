/**
 * RFC 8441's extended CONNECT: one stream becomes a byte channel (a
 * WebSocket's), offered to the handler through the same `info.upgrade()`
 * HTTP/1.1 has, so `upgradeWebSocket` works on both versions unchanged.
 *
 * @module
 */
import type { Address, Connection } from "../../reactor/interfaces.ts";
import { BaseConnection } from "../../reactor/connection.ts";
import { ErrorCode } from "./constants.ts";
import type { H2Stream } from "./_stream.ts";

/** What a tunnel asks of the connection its stream belongs to. */
export interface TunnelHost {
  /** Sends `data` on `stream` under flow control; `end` sends END_STREAM. */
  sendOn(stream: H2Stream, data: Uint8Array, end: boolean): Promise<void>;
  /** Resets stream `id` with `code`. */
  resetStream(id: number, code: number): void;
}

const EMPTY = new Uint8Array(0);

/** A stream as a {@linkcode Connection}: DATA in, DATA out, END_STREAM as half-close. */
class StreamConnection extends BaseConnection {
  #stream: H2Stream;
  #host: TunnelHost;
  #reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(
    stream: H2Stream,
    host: TunnelHost,
    local: Address,
    remote: Address,
  ) {
    super(local, remote);
    this.#stream = stream;
    this.#host = host;
    this.#reader = stream.body.getReader();
  }

  protected async rawRead(): Promise<Uint8Array | null> {
    const { done, value } = await this.#reader.read();
    return done ? null : value;
  }

  protected rawWrite(data: Uint8Array): Promise<void> {
    return this.#host.sendOn(this.#stream, data, false);
  }

  // DATA frames are queued on the HTTP/2 connection by reference.
  protected override get rawWriteKeepsChunks(): boolean {
    return true;
  }

  protected rawCloseWrite(): Promise<void> {
    if (this.#stream.localClosed) return Promise.resolve();
    return this.#host.sendOn(this.#stream, EMPTY, true);
  }

  protected rawClose(): void {
    const stream = this.#stream;
    this.#reader.cancel().catch(() => {});
    if (stream.state === "closed") return;
    // Our side ends; a client still sending is told to stop (as a response
    // sent before the whole request is, RFC 9113 §8.1).
    const ended = stream.localClosed
      ? Promise.resolve()
      : this.#host.sendOn(stream, EMPTY, true);
    ended.then(() => {
      if (!stream.remoteClosed) {
        this.#host.resetStream(stream.id, ErrorCode.NO_ERROR);
      }
    }).catch(() => {});
  }

  protected override rawAbort(): void {
    this.#reader.cancel().catch(() => {});
    if (this.#stream.state !== "closed") {
      this.#host.resetStream(this.#stream.id, ErrorCode.CANCEL);
    }
  }
}

/**
 * The handler's `info` for an extended CONNECT request: its `upgrade()` response is
 * answered with 200 (not 101) and the stream, not the TCP connection, is
 * handed over.
 */
export class Tunnel {
  /** The `:protocol` the client asked for (`"websocket"`). */
  readonly protocol: string;
  /** The client's address. */
  readonly remoteAddr: Address;
  /** The server's address. */
  readonly localAddr: Address;
  /** The response `upgrade()` made, once called. */
  response: Response | null = null;
  /** The new owner's graceful close (`onShutdown` given to `upgrade()`). */
  onShutdown: (() => void) | undefined;
  #stream: H2Stream;
  #host: TunnelHost;
  #handOver: ((conn: Connection) => void) | null = null;

  constructor(
    protocol: string,
    stream: H2Stream,
    host: TunnelHost,
    conn: Connection,
  ) {
    this.protocol = protocol;
    this.#stream = stream;
    this.#host = host;
    this.localAddr = conn.localAddr;
    this.remoteAddr = conn.remoteAddr;
  }

  /** As HTTP/1.1's `info.upgrade()`: return `response` to hand the stream over. */
  upgrade(
    options: { headers?: HeadersInit; onShutdown?: () => void } = {},
  ): {
    response: Response;
    connection: Promise<Connection>;
  } {
    const { promise, resolve } = Promise.withResolvers<Connection>();
    this.response = new Response(null, {
      status: 200,
      headers: options.headers,
    });
    this.onShutdown = options.onShutdown;
    this.#handOver = resolve;
    return { response: this.response, connection: promise };
  }

  /** The 200 went out: the stream is now the upgrade's connection, returned. */
  handOver(): Connection {
    const conn = new StreamConnection(
      this.#stream,
      this.#host,
      this.localAddr,
      this.remoteAddr,
    );
    this.#handOver?.(conn);
    return conn;
  }
}
