/**
 * Standard `ReadableStream` / `WritableStream` subclasses whose hot paths skip
 * the Web Streams machinery when only Spindle parts are involved
 * (ARCHITECTURE.md, "The speed principle"):
 *
 * - async iteration (`for await`, `values()`) reads the source directly;
 * - `pipeThrough(transform)` with a transform carrying a {@linkcode DecoderCore}
 *   (under the {@linkcode decoderCore} symbol) or an {@linkcode EncoderCore}
 *   (under {@linkcode encoderCore}) runs the core inside the read loop (a
 *   {@linkcode MessageReader} for a decoder) and returns another fused
 *   readable;
 * - `pipeTo(destination)` into a {@linkcode FastWritableStream} moves chunks
 *   with a plain loop.
 *
 * Anything else (a reader from `getReader()`, `tee()`, a foreign transform or
 * destination) goes through the inherited standard behaviour, fed by the same
 * source through a pull-based underlying source with a high-water mark of 0,
 * so nothing is read ahead of demand.
 *
 * @module
 */
import {
  type DecoderCore,
  decoderCore,
  type EncoderCore,
  encoderCore,
} from "./codec.ts";
import type { ChunkSource } from "./chunk_source.ts";
import { MessageReader } from "./message_reader.ts";

export type { ChunkSource } from "./chunk_source.ts";

/** The fast side of a {@linkcode FastWritableStream}. */
export interface ChunkSink<T> {
  /** Writes one chunk; resolves when it is accepted (backpressure). */
  write(chunk: T): Promise<void>;
  /** Bytes only: writes `chunk` and resolves once it may be reused. */
  writeBorrowed?(chunk: T): Promise<void>;
  /** Ends the output after what was written. */
  close(): Promise<void>;
  /** Ends the output at once. */
  abort(reason?: unknown): void;
  /**
   * Resolves when the sink wants more (its backlog is under its high-water
   * mark). With `desiredSize`, lets writers skip the stream queue.
   */
  ready?(): Promise<void>;
  /** How many more bytes (or chunks) the sink wants before it is over its high-water mark. */
  desiredSize?(): number;
}

const sinks = new WeakMap<WritableStream<unknown>, ChunkSink<unknown>>();

/**
 * A `WritableStream` whose sink a {@linkcode FastReadableStream} can write to
 * directly in `pipeTo`.
 */
export class FastWritableStream<T> extends WritableStream<T> {
  /** Creates a writable over `sink`. */
  constructor(sink: ChunkSink<T>) {
    super({
      write: (chunk) => sink.write(chunk),
      close: () => sink.close(),
      abort: (reason) => sink.abort(reason),
    });
    sinks.set(this, sink as ChunkSink<unknown>);
  }

  /**
   * A standard writer whose `write`, `ready` and `desiredSize` go straight to
   * the sink: no stream queue per chunk. `close`, `abort`, `closed` and
   * `releaseLock` keep their standard behaviour (the sink orders a close
   * after the writes it has accepted).
   */
  override getWriter(): WritableStreamDefaultWriter<T> {
    const writer = super.getWriter();
    const sink = sinks.get(this) as ChunkSink<T>;
    const { ready, desiredSize } = sink;
    if (ready === undefined || desiredSize === undefined) return writer;
    let released = false;
    const releaseLock = writer.releaseLock.bind(writer);
    const notLocked = () =>
      Promise.reject(
        new TypeError("This writer was released: get a new one to write"),
      );
    Object.defineProperties(writer, {
      write: {
        value: (chunk: T) => released ? notLocked() : sink.write(chunk),
      },
      ready: { get: () => released ? notLocked() : ready.call(sink) },
      desiredSize: { get: () => desiredSize.call(sink) },
      releaseLock: {
        value: () => {
          released = true;
          releaseLock();
        },
      },
    });
    return writer;
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A `ReadableStream` over a {@linkcode ChunkSource} with fused iteration,
 * `pipeThrough` (for Spindle decoders) and `pipeTo` (for Spindle writables).
 */
export class FastReadableStream<T> extends ReadableStream<T> {
  #source: ChunkSource<T>;

  /** Creates a readable over `source`. */
  constructor(source: ChunkSource<T>) {
    super({
      pull: async (controller) => {
        const value = await source.read();
        if (value === null) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => source.cancel(reason),
    }, { highWaterMark: 0 });
    this.#source = source;
  }

  /** Iterates the values, reading the source directly. */
  override values(
    options?: ReadableStreamIteratorOptions,
  ): AsyncIterableIterator<T> {
    // Holding a reader keeps `locked` and the one-consumer rule standard.
    const lock = super.getReader();
    const source = this.#source;
    const preventCancel = options?.preventCancel ?? false;
    let finished = false;
    const finish = () => {
      if (!finished) {
        finished = true;
        lock.releaseLock();
      }
    };
    const toResult = (value: T | null): IteratorResult<T> => {
      if (value !== null) return { done: false, value };
      finish();
      return DONE;
    };
    const failed = (error: unknown): never => {
      finish();
      throw error;
    };
    const iterator: AsyncIterableIterator<T> = {
      // A promise step rather than an async function: a resumable frame per
      // value costs more than a reaction.
      next(): Promise<IteratorResult<T>> {
        if (finished) return Promise.resolve(DONE);
        if (source.readResult !== undefined) return source.readResult(finish);
        let value: Promise<T | null>;
        try {
          value = source.read();
        } catch (error) {
          value = Promise.reject(error);
        }
        return value.then(toResult, failed);
      },
      // deno-lint-ignore require-await
      async return(value?: unknown): Promise<IteratorResult<T>> {
        if (!finished) {
          finish();
          if (!preventCancel) source.cancel(undefined);
          else source.release?.();
        }
        return { done: true, value: value as undefined };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Iterates the values, reading the source directly. */
  override [Symbol.asyncIterator](
    options?: ReadableStreamIteratorOptions,
  ): AsyncIterableIterator<T> {
    return this.values(options);
  }

  /**
   * Pipes through `transform`; a Spindle decoder is run inside this stream's
   * read loop instead of through its streams.
   */
  override pipeThrough<U>(
    transform: ReadableWritablePair<U, T>,
    options?: StreamPipeOptions,
  ): ReadableStream<U> {
    const fusable = transform as {
      [decoderCore]?: DecoderCore<U>;
      [encoderCore]?: EncoderCore<T>;
    };
    const decoder = fusable[decoderCore];
    const encoder = fusable[encoderCore];
    if (
      (decoder === undefined && encoder === undefined) || this.locked ||
      transform.writable.locked
    ) {
      return super.pipeThrough(transform, options);
    }
    const lock = super.getReader();
    // The transform's writable is ours now, as a standard pipe would make it.
    transform.writable.getWriter();
    if (decoder !== undefined) {
      const upstream = this.#source as unknown as ChunkSource<Uint8Array>;
      const { signal, preventCancel } = options ?? {};
      // One message at a time (max 1): when the consumer lets go, every byte
      // past the last message it took goes back to the connection.
      return new FastReadableStream<U>(
        new MessageReader<U>(upstream, decoder, {
          signal,
          onCancel: preventCancel
            ? undefined
            : (reason) => upstream.cancel(reason),
          onDone: () => lock.releaseLock(),
        }),
      );
    }
    return new FastReadableStream<Uint8Array>(
      new EncodingSource<T>(this.#source, encoder!, lock, options ?? {}),
    ) as unknown as ReadableStream<U>;
  }

  /**
   * Pipes to `destination`; a Spindle writable is written with a plain loop.
   */
  override pipeTo(
    destination: WritableStream<T>,
    options?: StreamPipeOptions,
  ): Promise<void> {
    const sink = sinks.get(destination as WritableStream<unknown>) as
      | ChunkSink<T>
      | undefined;
    if (sink === undefined || this.locked || destination.locked) {
      return super.pipeTo(destination, options);
    }
    const reader = super.getReader();
    const writer = destination.getWriter();
    const source = this.#source;
    const copying = source.readInto !== undefined &&
        sink.writeBorrowed !== undefined
      ? copy(
        source as unknown as ChunkSource<Uint8Array>,
        sink as unknown as ChunkSink<Uint8Array>,
        options ?? {},
      )
      : pump(source, sink, options ?? {});
    return copying.finally(() => {
      reader.releaseLock();
      writer.releaseLock();
    });
  }
}

async function pump<T>(
  source: ChunkSource<T>,
  sink: ChunkSink<T>,
  options: StreamPipeOptions,
): Promise<void> {
  const { preventAbort, preventCancel, preventClose, signal } = options;
  const onAbort = () => {
    if (!preventCancel) source.cancel(signal?.reason);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    while (true) {
      if (signal?.aborted) {
        if (!preventAbort) sink.abort(signal.reason);
        if (!preventCancel) source.cancel(signal.reason);
        throw signal.reason;
      }
      let chunk: T | null;
      try {
        chunk = await source.read();
      } catch (error) {
        if (!preventAbort) sink.abort(error);
        throw error;
      }
      if (signal?.aborted) continue;
      if (chunk === null) {
        if (!preventClose) await sink.close();
        return;
      }
      try {
        await sink.write(chunk);
      } catch (error) {
        if (!preventCancel) source.cancel(error);
        throw error;
      }
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

const FIRST_COPY_BUFFER = 4 * 1024;
const MAX_COPY_BUFFER = 64 * 1024;

/**
 * Bytes from one connection to another with two reused buffers: one being
 * read into while the other is written, so no memory is allocated per chunk.
 * The buffers start small and double, up to 64 KiB, while reads fill them.
 */
async function copy(
  source: ChunkSource<Uint8Array>,
  sink: ChunkSink<Uint8Array>,
  options: StreamPipeOptions,
): Promise<void> {
  const { preventAbort, preventCancel, preventClose, signal } = options;
  const onAbort = () => {
    if (!preventCancel) source.cancel(signal?.reason);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  const buffers = [
    new Uint8Array(FIRST_COPY_BUFFER),
    new Uint8Array(FIRST_COPY_BUFFER),
  ];
  const writing: (Promise<void> | undefined)[] = [undefined, undefined];
  let turn = 0;
  try {
    while (true) {
      // The buffer of two turns ago must be written out before reuse.
      const pending = writing[turn];
      if (pending !== undefined) {
        try {
          await pending;
        } catch (error) {
          if (!preventCancel) source.cancel(error);
          throw error;
        }
      }
      if (signal?.aborted) {
        if (!preventAbort) sink.abort(signal.reason);
        if (!preventCancel) source.cancel(signal.reason);
        throw signal.reason;
      }
      const buffer = buffers[turn]!;
      let n: number | null;
      try {
        n = await source.readInto!(buffer);
      } catch (error) {
        if (!preventAbort) sink.abort(error);
        throw error;
      }
      if (signal?.aborted) continue;
      if (n === null) {
        await writing[turn ^ 1];
        if (!preventClose) await sink.close();
        return;
      }
      const written = sink.writeBorrowed!(buffer.subarray(0, n));
      written.catch(() => {});
      writing[turn] = written;
      if (n === buffer.byteLength && n < MAX_COPY_BUFFER) {
        buffers[turn] = new Uint8Array(n * 2);
      }
      turn ^= 1;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Runs an {@linkcode EncoderCore} over a message source, inside its read loop. */
class EncodingSource<M> implements ChunkSource<Uint8Array> {
  #upstream: ChunkSource<M>;
  #core: EncoderCore<M>;
  #lock: ReadableStreamDefaultReader<unknown> | undefined;
  #preventCancel: boolean;
  #signal: AbortSignal | undefined;

  constructor(
    upstream: ChunkSource<M>,
    core: EncoderCore<M>,
    lock: ReadableStreamDefaultReader<unknown>,
    options: StreamPipeOptions,
  ) {
    this.#upstream = upstream;
    this.#core = core;
    this.#lock = lock;
    this.#preventCancel = options.preventCancel ?? false;
    this.#signal = options.signal;
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#signal?.aborted) throw this.#signal.reason;
    const message = await this.#upstream.read();
    if (message === null) {
      this.#lock?.releaseLock();
      this.#lock = undefined;
      return null;
    }
    return this.#core.encode(message);
  }

  cancel(reason?: unknown): void {
    this.#lock?.releaseLock();
    this.#lock = undefined;
    if (!this.#preventCancel) this.#upstream.cancel(reason);
  }
}
