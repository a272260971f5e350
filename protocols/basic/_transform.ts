// The thin TransformStream plumbing shared by every basic framing: one place
// that runs a codec core from a transformer, so each framing is implemented once.
import type { DecoderCore } from "../../reactor/codec.ts";
import { type ChunkSource, FastReadableStream } from "../../reactor/streams.ts";

// The transform's own readable carries one array of messages per input chunk;
// the readable users see (installed by fuseReadable) hands them out one by one
// with no stream machinery per message.
export function decoderTransformer<M>(
  core: DecoderCore<M>,
): Transformer<Uint8Array, M[]> {
  let out: M[] = [];
  // Messages decoded before a bad byte still reach the reader, then the error.
  const flushOut = (controller: TransformStreamDefaultController<M[]>) => {
    if (out.length === 0) return;
    controller.enqueue(out);
    out = [];
  };
  return {
    transform(chunk, controller) {
      try {
        core.decode(chunk, out);
      } finally {
        flushOut(controller);
      }
    },
    flush(controller) {
      try {
        core.end(out);
      } finally {
        flushOut(controller);
      }
    },
  };
}

// Replaces a decoder transform's readable (batches of messages) with a
// FastReadableStream of the messages themselves.
export function fuseReadable<M>(
  transform: TransformStream<Uint8Array, M>,
): void {
  const batches = transform.readable as unknown as ReadableStream<M[]>;
  const readable = new FastReadableStream<M>(new BatchSource(batches));
  Object.defineProperty(transform, "readable", { value: readable });
}

class BatchSource<M> implements ChunkSource<M> {
  #batches: ReadableStream<M[]>;
  #reader: ReadableStreamDefaultReader<M[]> | null = null;
  #batch: M[] = [];
  #next = 0;
  // The read of the next batch in progress: reads made meanwhile wait for it,
  // so a batch is never replaced before all of it was taken.
  #filling: Promise<M | null> | null = null;

  constructor(batches: ReadableStream<M[]>) {
    this.#batches = batches;
  }

  // A message already decoded is handed out with one settled promise: for
  // await over lines costs little more than the iteration itself.
  readResult(onEnd: () => void): Promise<IteratorResult<M>> {
    if (this.#ready()) {
      return Promise.resolve({ done: false, value: this.#take() });
    }
    return this.read().then((value) => {
      if (value !== null) return { done: false, value };
      onEnd();
      return { done: true, value: undefined };
    }, (error) => {
      onEnd();
      throw error;
    });
  }

  #ready(): boolean {
    return this.#next < this.#batch.length;
  }

  #take(): M {
    return this.#batch[this.#next++] as M;
  }

  read(): Promise<M | null> {
    if (this.#ready()) return Promise.resolve(this.#take());
    if (this.#filling !== null) {
      return this.#filling.then(() => this.read(), () => this.read());
    }
    const filling = this.#nextBatch();
    this.#filling = filling;
    const done = () => {
      this.#filling = null;
    };
    filling.then(done, done);
    return filling;
  }

  async #nextBatch(): Promise<M | null> {
    const reader = this.#reader ??= this.#batches.getReader();
    const { value, done } = await reader.read();
    if (done) return null;
    this.#batch = value;
    this.#next = 1;
    return value[0] as M;
  }

  cancel(reason?: unknown): void {
    this.#batch = [];
    this.#next = 0;
    (this.#reader ?? this.#batches).cancel(reason).catch(() => {});
  }
}

export function encoderTransformer<M>(
  core: { encode(message: M): Uint8Array<ArrayBuffer> },
): Transformer<M, Uint8Array<ArrayBuffer>> {
  return {
    transform(message, controller) {
      controller.enqueue(core.encode(message));
    },
  };
}

// The default maxLength of the netstring and length-prefixed framings.
const DEFAULT_MAX_FRAME_LENGTH = 1024 * 1024;

// Validates a maxLength option, defaulting to 1 MiB capped at what the framing
// can express.
export function frameLimit(
  maxLength: number | undefined,
  capacity: number,
): number {
  const limit = maxLength ?? Math.min(DEFAULT_MAX_FRAME_LENGTH, capacity);
  if (!(limit >= 0) || !Number.isSafeInteger(limit)) {
    throw new RangeError(`maxLength must be a whole number >= 0, got ${limit}`);
  }
  return limit;
}
