/**
 * {@linkcode DecoderStream}: a {@linkcode DecoderCore} as a standard
 * `TransformStream` from bytes to messages, which a Spindle readable also
 * fuses into its own read loop (ARCHITECTURE.md, "The speed principle").
 *
 * @module
 */
import { type DecoderCore, decoderCore, type FusableDecoder } from "./codec.ts";
import { type ByteSource, MessageReader } from "./message_reader.ts";
import { FastReadableStream } from "./streams.ts";

/**
 * A `TransformStream` from bytes to the messages of a {@linkcode DecoderCore}:
 * every Spindle decoder (`LineDecoder`, `NetstringDecoder`, the AMP and DNS
 * decoders) is one, passing its core to this constructor.
 *
 * Two things make it fast. Its readable hands out messages with no stream hop
 * per message: the core decodes a whole written chunk at once and the
 * messages are read one by one out of that batch, through a
 * {@linkcode MessageReader}. And on a Spindle readable (a connection's),
 * `pipeThrough` finds the core under {@linkcode decoderCore} and runs it
 * inside the connection's read loop, with no stream at all.
 *
 * Messages decoded before bad bytes are read first, then the readable errors
 * with the core's `ProtocolError`. A consumer that lets go with
 * `preventCancel` leaves the rest for the next consumer.
 *
 * @typeParam M The decoded message type.
 *
 * @example A decoder for a framing of your own
 * ```ts
 * import { type DecoderCore, DecoderStream } from "@spindle/spindle/reactor";
 * import { assertEquals } from "@spindle/spindle/trial";
 *
 * // Every byte is a message: the smallest framing there is.
 * class ByteCore implements DecoderCore<number> {
 *   #rest: Uint8Array = new Uint8Array(0);
 *   decode(chunk: Uint8Array, out: number[], max = Infinity): void {
 *     const input = this.#rest.length > 0 ? new Uint8Array([...this.#rest, ...chunk]) : chunk;
 *     const n = Math.min(input.length, max);
 *     for (let i = 0; i < n; i++) out.push(input[i]!);
 *     this.#rest = input.subarray(n);
 *   }
 *   end(out: number[]): void {
 *     this.decode(new Uint8Array(0), out);
 *   }
 *   release(): Uint8Array {
 *     const rest = this.#rest;
 *     this.#rest = new Uint8Array(0);
 *     return rest;
 *   }
 * }
 * class ByteDecoder extends DecoderStream<number> {
 *   constructor() {
 *     super(new ByteCore());
 *   }
 * }
 * const bytes = ReadableStream.from([new Uint8Array([1, 2]), new Uint8Array([3])]);
 * assertEquals(await Array.fromAsync(bytes.pipeThrough(new ByteDecoder())), [1, 2, 3]);
 * ```
 */
export class DecoderStream<M> extends TransformStream<Uint8Array, M>
  implements FusableDecoder<M> {
  /** The core this transform runs. */
  readonly [decoderCore]: DecoderCore<M>;
  #readable: ReadableStream<M>;

  /** Creates the transform over `core` (one core per stream). */
  constructor(core: DecoderCore<M>) {
    const channel = new ChunkChannel();
    // The transform hands each chunk to the reader instead of enqueueing:
    // its own readable is never read, so it gets room for one chunk and never
    // asks the writer to wait; the hand-over does that.
    super(
      {
        start: (controller) => channel.start(controller),
        transform: (chunk) => channel.write(chunk),
        flush: () => channel.close(),
        cancel: (reason) => channel.abort(reason),
      },
      undefined,
      { highWaterMark: 1 },
    );
    this[decoderCore] = core;
    const reader = new MessageReader(channel, core, {
      max: Infinity,
      onDecodeError: (error) => channel.stop(error),
      onCancel: (reason) => channel.stop(reason),
    });
    // Not the reader itself: it has `release`, and letting go of a stream
    // leaves the rest for the next consumer instead.
    this.#readable = new FastReadableStream<M>({
      read: () => reader.read(),
      readResult: (onEnd) => reader.readResult(onEnd),
      cancel: (reason) => reader.cancel(reason),
    });
  }

  /** The decoded messages, read without a stream hop per message. */
  override get readable(): ReadableStream<M> {
    return this.#readable;
  }
}

/**
 * Hands the chunks written to the transform to its reader, one at a time: a
 * write waits until its chunk is taken, which is the transform's backpressure.
 */
class ChunkChannel implements ByteSource {
  #controller: TransformStreamDefaultController<unknown> | null = null;
  #chunk: Uint8Array | null = null;
  #closed = false;
  #error: { reason: unknown } | null = null;
  // A read waiting for a chunk, and a write waiting for its chunk to be read.
  #reader: PromiseWithResolvers<Uint8Array | null> | null = null;
  #written: (() => void) | null = null;

  start(controller: TransformStreamDefaultController<unknown>): void {
    this.#controller = controller;
  }

  write(chunk: Uint8Array): Promise<void> | undefined {
    const reader = this.#reader;
    if (reader !== null) {
      this.#reader = null;
      reader.resolve(chunk);
      return undefined;
    }
    this.#chunk = chunk;
    return new Promise((resolve) => {
      this.#written = resolve;
    });
  }

  read(): Promise<Uint8Array | null> {
    const chunk = this.#chunk;
    if (chunk !== null) {
      this.#chunk = null;
      this.#wrote();
      return Promise.resolve(chunk);
    }
    if (this.#error !== null) return Promise.reject(this.#error.reason);
    if (this.#closed) return Promise.resolve(null);
    this.#reader = Promise.withResolvers();
    return this.#reader.promise;
  }

  /** The writer closed: the reader gets the end of input after the last chunk. */
  close(): void {
    this.#closed = true;
    this.#settleReader();
  }

  /** The writer aborted: the reader fails with its reason. */
  abort(reason: unknown): void {
    this.#error = { reason };
    this.#chunk = null;
    this.#wrote();
    this.#settleReader();
  }

  /** The reader stopped (cancelled, or the core failed): error the writer. */
  stop(reason: unknown): void {
    this.#closed = true;
    this.#chunk = null;
    this.#wrote();
    this.#settleReader();
    this.#controller?.error(reason);
  }

  #wrote(): void {
    const written = this.#written;
    this.#written = null;
    written?.();
  }

  #settleReader(): void {
    const reader = this.#reader;
    if (reader === null) return;
    this.#reader = null;
    if (this.#error !== null) reader.reject(this.#error.reason);
    else reader.resolve(null);
  }
}
