/**
 * {@linkcode MessageReader}: the one read-decode-hand-out loop of Spindle. It
 * reads bytes from a connection (or any {@linkcode ByteSource}), runs a
 * {@linkcode DecoderCore} over them and hands out one message per `read()`.
 * `frame()`, a connection's fused `pipeThrough`, the decoder streams and the
 * protocol servers all read through it (ARCHITECTURE.md, "The speed
 * principle").
 *
 * @module
 */
import { EMPTY_BYTES } from "./bytes.ts";
import type { ChunkSource } from "./chunk_source.ts";
import type { DecoderCore } from "./codec.ts";

/**
 * Where a {@linkcode MessageReader} gets its bytes: a `Connection` is one, and
 * so is the source of a Spindle byte readable.
 *
 * @example A connection is a byte source
 * ```ts
 * import { type ByteSource, connectedPair } from "@spindle/spindle/reactor";
 * const [client, server] = connectedPair();
 * const source: ByteSource = server;
 * await client.close();
 * console.assert(await source.read() === null);
 * await server.close();
 * ```
 */
export interface ByteSource {
  /** The next chunk, or `null` at end of input. */
  read(): Promise<Uint8Array | null>;
  /**
   * Puts bytes back in front of the input, to be read again first. Without it,
   * the bytes a released reader hands back are dropped.
   */
  unshift?(data: Uint8Array): void;
}

/**
 * Options for {@linkcode MessageReader}.
 *
 * @example Closing the connection when the peer's bytes are bad
 * ```ts
 * import { connectedPair, MessageReader } from "@spindle/spindle/reactor";
 * import { LineDecoderCore } from "@spindle/spindle/protocols/basic";
 * const [client, server] = connectedPair();
 * const reader = new MessageReader(server, new LineDecoderCore(), {
 *   onDecodeError: () => void server.close(),
 * });
 * await client.write(new Uint8Array([0xff, 13, 10]));
 * await reader.read().catch((error) => console.assert(error.name === "InvalidUtf8Error"));
 * await client.close();
 * ```
 */
export interface MessageReaderOptions {
  /**
   * How many messages one `decode` call may produce. The default, 1, keeps
   * every byte past the last message taken inside the core, which is what
   * makes {@linkcode MessageReader.release} exact. `Infinity` lets a core
   * decode a whole chunk at once (the line core decodes a run of text lines
   * with one `TextDecoder` call): for a reader that never hands bytes back.
   */
  max?: number;
  /** Once aborted, a read that has to wait for input fails with its reason. */
  signal?: AbortSignal;
  /**
   * Called once when the core throws (the peer's bytes are bad), before the
   * error reaches a reader: `frame()` closes the connection here.
   */
  onDecodeError?: (error: unknown) => void;
  /** Called once by {@linkcode MessageReader.cancel}: stop the source here. */
  onCancel?: (reason: unknown) => void;
  /**
   * Called once when the reader is done with its source, whichever way: end
   * of input, a failure, `cancel()` or `release()` (after the bytes were
   * handed back).
   */
  onDone?: () => void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Reads messages from a byte source through a {@linkcode DecoderCore}.
 *
 * The contract:
 * - **One message is decoded at a time.** The core is called with `max` 1, so
 *   the bytes after the last message taken stay undecoded in the core, and
 *   {@linkcode MessageReader.release} hands back exactly the unread bytes: it
 *   puts them back on the source with `unshift`, so the next reader of the
 *   connection (raw reads, another framing, TLS) starts right after the last
 *   message taken. A core that ignores `max` (or `max: Infinity`) still works;
 *   the messages it decoded ahead stay readable here after `release()`.
 * - **No I/O for a message already buffered.** `read()` first decodes from
 *   the bytes the core holds and only reads the source when they hold no
 *   whole message; {@linkcode MessageReader.tryRead} does the same
 *   synchronously, for read loops that want no promise per message. A read of
 *   the source costs one promise step on top of the source's own read.
 * - **Errors come in order.** Messages decoded before bad bytes are handed out
 *   first, then every later read fails with the core's error (a
 *   `ProtocolError`) or the source's.
 * - **One read at a time.** A read made while another waits for input is
 *   served after it.
 *
 * It is a {@linkcode ChunkSource}, so `new FastReadableStream(reader)` makes a
 * message readable of it.
 *
 * @typeParam M The decoded message type.
 *
 * @example Reading one line, then the raw bytes after it
 * ```ts
 * import { connectedPair, MessageReader } from "@spindle/spindle/reactor";
 * import { LineDecoderCore } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const [client, server] = connectedPair();
 * await client.write(new TextEncoder().encode("SIZE 3\r\nabc"));
 * const reader = new MessageReader(server, new LineDecoderCore());
 * assertEquals(await reader.read(), "SIZE 3");
 * reader.release();
 * assertEquals(await server.read(), new TextEncoder().encode("abc"));
 * await client.close();
 * await server.close();
 * ```
 */
export class MessageReader<M> implements ChunkSource<M> {
  #source: ByteSource;
  #core: DecoderCore<M>;
  #max: number;
  #signal: AbortSignal | undefined;
  #onDecodeError: ((error: unknown) => void) | undefined;
  #onCancel: ((reason: unknown) => void) | undefined;
  #onDone: (() => void) | undefined;
  // Messages decoded but not yet handed out: out[next, out.length). One slot
  // at most unless the core ignores `max`.
  #out: M[] = [];
  #next = 0;
  // No more reading of the source: end of input, failure, cancel or release.
  #ended = false;
  #failed = false;
  #error: unknown = undefined;
  #done = false;
  // The read of the source in progress (a read made meanwhile waits for it).
  #filling: Promise<M | null> | null = null;
  // release() came while a read was in flight: hand back when it lands.
  #releasing = false;
  #onEnd: () => void = () => {};

  /** Reads `source` through `core`; see {@linkcode MessageReaderOptions}. */
  constructor(
    source: ByteSource,
    core: DecoderCore<M>,
    options: MessageReaderOptions = {},
  ) {
    this.#source = source;
    this.#core = core;
    this.#max = options.max ?? 1;
    this.#signal = options.signal;
    this.#onDecodeError = options.onDecodeError;
    this.#onCancel = options.onCancel;
    this.#onDone = options.onDone;
  }

  /**
   * The next message, or `null` at (and after) the end of input, `cancel()`
   * or `release()`. Rejects with the core's error when the bytes are bad, or
   * with the source's.
   */
  read(): Promise<M | null> {
    if (this.#next < this.#out.length) return Promise.resolve(this.#take());
    if (this.#filling !== null && !this.#ended) {
      return this.#filling.then(() => this.read(), () => this.read());
    }
    let ready: M | null | undefined;
    try {
      ready = this.tryRead();
    } catch (error) {
      return Promise.reject(error);
    }
    return ready === undefined ? this.#fill() : Promise.resolve(ready);
  }

  /**
   * The next message if it can be had without reading the source: a message,
   * `null` at the end, or `undefined` when the source must be read (call
   * `read()` then). Throws what `read()` would reject with.
   */
  tryRead(): M | null | undefined {
    if (this.#next < this.#out.length) return this.#take();
    if (this.#failed) throw this.#error;
    if (this.#ended) return null;
    if (this.#filling !== null) return undefined;
    try {
      this.#core.decode(EMPTY_BYTES, this.#out, this.#max);
    } catch (error) {
      this.#decodeFailed(error);
    }
    if (this.#next < this.#out.length) return this.#take();
    if (this.#failed) throw this.#error;
    return undefined;
  }

  /** `read()` as an iterator result, for `FastReadableStream`'s iterator. */
  readResult(onEnd: () => void): Promise<IteratorResult<M>> {
    let ready: M | null | undefined;
    try {
      ready = this.#filling === null ? this.tryRead() : undefined;
    } catch (error) {
      onEnd();
      return Promise.reject(error);
    }
    if (ready === null) {
      onEnd();
      return Promise.resolve(DONE);
    }
    if (ready !== undefined) {
      return Promise.resolve({ done: false, value: ready });
    }
    this.#onEnd = onEnd;
    // tryRead found nothing buffered: go straight to the source.
    const next = this.#filling === null ? this.#fill() : this.read();
    return next.then(this.#toResult, this.#resultFailed);
  }

  #toResult = (value: M | null): IteratorResult<M> => {
    if (value !== null) return { done: false, value };
    this.#onEnd();
    return DONE;
  };

  #resultFailed = (error: unknown): never => {
    this.#onEnd();
    throw error;
  };

  /**
   * Stops reading and hands the bytes the core holds undecoded back to the
   * source (`unshift`), so its next reader starts right after the last
   * message taken. A read of the source in flight lands first: its bytes go
   * back behind them, and the `read()` that waited for it gets `null`.
   */
  release(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#filling !== null) this.#releasing = true;
    else this.#handBack();
  }

  /**
   * Stops reading for good: later reads get `null`, what is buffered is
   * dropped, and `onCancel` is called with `reason`.
   */
  cancel(reason?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#out.length = 0;
    this.#next = 0;
    this.#finish();
    this.#onCancel?.(reason);
  }

  #take(): M {
    const message = this.#out[this.#next++] as M;
    if (this.#next === this.#out.length) {
      this.#out.length = 0;
      this.#next = 0;
    }
    return message;
  }

  #fill(): Promise<M | null> {
    const signal = this.#signal;
    if (signal?.aborted) {
      this.#fail(signal.reason);
      return Promise.reject(signal.reason);
    }
    let chunk: Promise<Uint8Array | null>;
    try {
      chunk = this.#source.read();
    } catch (error) {
      chunk = Promise.reject(error);
    }
    const filling = chunk.then(this.#landed, this.#readFailed);
    this.#filling ??= filling;
    return filling;
  }

  // One promise step per chunk: the message (or the end) comes out of the
  // source read's own reaction; only a chunk without a whole message chains
  // another read.
  #landed = (chunk: Uint8Array | null): M | null | Promise<M | null> => {
    if (this.#releasing) {
      this.#filling = null;
      this.#releasing = false;
      if (chunk !== null) this.#source.unshift?.(chunk);
      this.#handBack();
      return null;
    }
    if (this.#ended) {
      this.#filling = null;
      return null;
    }
    const out = this.#out;
    try {
      if (chunk === null) {
        this.#ended = true;
        this.#core.end(out);
        this.#finish();
      } else {
        this.#core.decode(chunk, out, this.#max);
      }
    } catch (error) {
      this.#decodeFailed(error);
    }
    if (this.#next < out.length) {
      this.#filling = null;
      return this.#take();
    }
    if (this.#failed) {
      this.#filling = null;
      throw this.#error;
    }
    if (this.#ended) {
      this.#filling = null;
      return null;
    }
    return this.#fill();
  };

  #readFailed = (error: unknown): null => {
    this.#filling = null;
    if (this.#releasing) {
      this.#releasing = false;
      this.#handBack();
    } else if (this.#ended) {
      // Cancelled while reading: stopping the source may fail its read.
      return null;
    }
    this.#fail(error);
    throw error;
  };

  #decodeFailed(error: unknown): void {
    this.#fail(error);
    this.#onDecodeError?.(error);
  }

  #fail(error: unknown): void {
    this.#failed = true;
    this.#error = error;
    this.#ended = true;
    this.#finish();
  }

  #handBack(): void {
    const rest = this.#core.release();
    if (rest.length > 0) this.#source.unshift?.(rest);
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#onDone?.();
  }
}
