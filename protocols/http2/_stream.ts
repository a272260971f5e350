/**
 * One HTTP/2 stream: its state (RFC 9113 §5.1), its send window, and the
 * body it receives, as a standard stream that grants flow-control credit only
 * as its reader takes the bytes.
 *
 * @module
 */
import { InboundWindow } from "./_flow.ts";

/**
 * The states a stream that was opened can be in (RFC 9113 §5.1); "idle" and
 * "reserved" streams have no object. "halfClosedRemote": the peer sent
 * END_STREAM; "halfClosedLocal": we did.
 */
export type StreamState =
  | "open"
  | "halfClosedRemote"
  | "halfClosedLocal"
  | "closed";

/** What a stream asks of its connection. */
export interface StreamHost {
  /** The reader took `n` bytes of `stream`'s body: grant them back. */
  taken(stream: H2Stream, n: number): void;
}

/** One stream of a connection. */
export class H2Stream {
  /** The stream identifier. */
  readonly id: number;
  /** Where the stream is in its life. */
  state: StreamState = "open";
  /** Bytes we may still send on it (the peer's window). */
  sendWindow: number;
  /** What the peer may still send on it. */
  readonly inbound: InboundWindow;
  /** Aborted when the peer resets the stream or the connection ends. */
  readonly abort: AbortController = new AbortController();
  /** Aborts the handler's request signal, when a lazy `Request` has its own. */
  requestAbort: { abort(): void } | null = null;
  /** Body bytes received so far, and the `content-length` announced (-1: none). */
  received = 0;
  expectedLength = -1;
  /** Wakes a sender waiting for window (set while it waits). */
  wakeSender: (() => void) | null = null;
  /** The trailers the body ended with, once it ended. */
  readonly trailers: Promise<Headers>;
  #resolveTrailers!: (trailers: Headers) => void;
  #host: StreamHost;
  #chunks: Uint8Array[] = [];
  #ended = false;
  #error: unknown = null;
  #wakeReader: (() => void) | null = null;
  #discarding = false;
  #body: ReadableStream<Uint8Array> | null = null;

  constructor(
    id: number,
    host: StreamHost,
    sendWindow: number,
    receiveWindow: number,
  ) {
    this.id = id;
    this.#host = host;
    this.sendWindow = sendWindow;
    this.inbound = new InboundWindow(receiveWindow);
    this.trailers = new Promise((resolve) => this.#resolveTrailers = resolve);
  }

  /** True once the peer can send no more on this stream. */
  get remoteClosed(): boolean {
    return this.state === "halfClosedRemote" || this.state === "closed";
  }

  /** True once we can send no more on this stream. */
  get localClosed(): boolean {
    return this.state === "halfClosedLocal" || this.state === "closed";
  }

  /** The peer ended its side (END_STREAM). */
  closeRemote(): void {
    this.state = this.state === "halfClosedLocal" || this.state === "closed"
      ? "closed"
      : "halfClosedRemote";
  }

  /** We ended our side (END_STREAM sent). */
  closeLocal(): void {
    this.state = this.state === "halfClosedRemote" || this.state === "closed"
      ? "closed"
      : "halfClosedLocal";
  }

  /**
   * The body received, as a stream read on demand: each chunk taken is
   * granted back to the peer, so it can send only as fast as this is read.
   */
  get body(): ReadableStream<Uint8Array> {
    return this.#body ??= new ReadableStream<Uint8Array>({
      pull: (controller) => this.#pull(controller),
      cancel: () => this.discard(),
    }, { highWaterMark: 0 });
  }

  #pull(
    controller: ReadableStreamDefaultController<Uint8Array>,
  ): Promise<void> | void {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      controller.enqueue(chunk);
      this.#host.taken(this, chunk.byteLength);
      return;
    }
    if (this.#error !== null) return controller.error(this.#error);
    if (this.#ended) return controller.close();
    return new Promise<void>((resolve) => this.#wakeReader = resolve).then(
      () => this.#pull(controller),
    );
  }

  /** DATA arrived for the body (a copy: the read buffer is reused). */
  push(data: Uint8Array): void {
    if (this.#discarding) {
      this.#host.taken(this, data.byteLength);
      return;
    }
    this.#chunks.push(data.slice());
    this.#wake();
  }

  /** The body ended, with `trailers`. */
  end(trailers: Headers = new Headers()): void {
    this.#ended = true;
    this.#resolveTrailers(trailers);
    this.#wake();
  }

  /** The body failed: its reader gets `error`. */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#error = error;
    this.#resolveTrailers(new Headers());
    this.#wake();
  }

  /** Nobody will read the body: what is buffered, and what comes, is granted back at once. */
  discard(): void {
    if (this.#discarding) return;
    this.#discarding = true;
    let n = 0;
    for (const chunk of this.#chunks) n += chunk.byteLength;
    this.#chunks.length = 0;
    if (n > 0) this.#host.taken(this, n);
  }

  #wake(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = null;
    wake?.();
  }
}
