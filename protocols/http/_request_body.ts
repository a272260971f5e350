/**
 * The body stream of a request being served: fed by the connection's read
 * loop, read by the handler, with backpressure between them.
 *
 * @module
 */

/** A request body fed by the read loop, with backpressure from the reader. */
export class RequestBody {
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
