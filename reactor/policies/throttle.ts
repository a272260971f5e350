/**
 * Read and write throttling in bytes per second (Twisted's
 * `ThrottlingFactory`), for a handler function or a factory alike.
 *
 * @module
 */
import type { Connection, ConnectionHandler } from "../interfaces.ts";
import type { DelayedCall, IReactorTime } from "../time.ts";
import { reactor as defaultReactor } from "../deno_reactor.ts";
import {
  ConnectionWrapper,
  wrapHandler,
  type WrappedHandler,
} from "./wrapper.ts";

/** Options for {@linkcode throttle}. */
export interface ThrottleOptions {
  /** The most bytes read per second; default unlimited. */
  readLimit?: number;
  /** The most bytes written per second; default unlimited. */
  writeLimit?: number;
  /**
   * Whether the limits are shared by all connections of the handler
   * (`"total"`, the default, as in Twisted) or apply to each connection.
   */
  scope?: "total" | "connection";
  /**
   * The time source; default the reactor that serves the connection (for a
   * factory) or the default reactor (for a function).
   */
  clock?: IReactorTime;
}

/**
 * A token bucket: `rate` bytes per second, bursts of up to one second's worth.
 * Writes wait until their piece is in the bucket. Reads cannot know their size
 * in advance: they wait until the bucket is out of debt and then take what
 * arrived, which may put it into debt again.
 */
class TokenBucket {
  readonly rate: number;
  readonly clock: IReactorTime;
  #tokens: number;
  #last: number;

  constructor(rate: number, clock: IReactorTime) {
    this.rate = rate;
    this.clock = clock;
    this.#tokens = rate;
    this.#last = clock.now();
  }

  /** Milliseconds until the bucket holds `need` bytes; 0 when it does. */
  wait(need: number): number {
    const now = this.clock.now();
    this.#tokens = Math.min(
      this.rate,
      this.#tokens + (now - this.#last) * this.rate / 1000,
    );
    this.#last = now;
    const missing = need - this.#tokens;
    return missing <= 0 ? 0 : Math.ceil(missing * 1000 / this.rate);
  }

  take(bytes: number): void {
    this.wait(0);
    this.#tokens -= bytes;
  }
}

/**
 * Limits how fast `handler`'s connections read and write. Reading pauses while
 * over the read limit, so the peer is slowed down by TCP flow control; writes
 * resolve only at the write limit's pace, so a writer that waits for them
 * (or a Twisted-style producer) is slowed down too.
 *
 * @example Usage
 * ```ts ignore
 * import { Factory, Protocol, reactor, throttle } from "@spindle/spindle/reactor";
 * await reactor.listenTCP(
 *   8000,
 *   throttle(Factory.forProtocol(Protocol), { readLimit: 64 * 1024, writeLimit: 1024 * 1024 }),
 * );
 * ```
 */
export function throttle<H extends ConnectionHandler>(
  handler: H,
  options: ThrottleOptions,
): WrappedHandler<H> {
  for (const name of ["readLimit", "writeLimit"] as const) {
    const limit = options[name];
    if (limit !== undefined && !(limit >= 1)) {
      throw new RangeError(
        `throttle: ${name} is ${limit}; it must be at least 1 byte per second (leave it out for no limit)`,
      );
    }
  }
  let shared: { read?: TokenBucket; write?: TokenBucket } | undefined;
  const buckets = (clock: IReactorTime) => ({
    read: options.readLimit === undefined
      ? undefined
      : new TokenBucket(options.readLimit, clock),
    write: options.writeLimit === undefined
      ? undefined
      : new TokenBucket(options.writeLimit, clock),
  });
  return wrapHandler(handler, (conn, reactor) => {
    const clock = options.clock ?? reactor ?? defaultReactor;
    const pair = options.scope === "connection"
      ? buckets(clock)
      : (shared ??= buckets(clock));
    return new ThrottledConnection(conn, pair.read, pair.write);
  });
}

/** A connection whose reads and writes wait for their buckets. */
class ThrottledConnection extends ConnectionWrapper {
  #read: TokenBucket | undefined;
  #write: TokenBucket | undefined;
  #timers = new Set<{ call: DelayedCall; resolve: () => void }>();
  #ended = false;
  /** Writes go out one after another, even when callers do not wait. */
  #writing: Promise<void> = Promise.resolve();

  constructor(
    inner: Connection,
    read: TokenBucket | undefined,
    write: TokenBucket | undefined,
  ) {
    super(inner);
    this.#read = read;
    this.#write = write;
    const end = () => {
      this.#ended = true;
      for (const timer of this.#timers) {
        if (timer.call.active()) timer.call.cancel();
        timer.resolve();
      }
      this.#timers.clear();
    };
    inner.closed.then(end, end);
  }

  /**
   * Waits until `bucket` holds `need` bytes (or the connection ends), then
   * takes them in the same step, so two connections never spend the same bytes.
   */
  async #acquire(bucket: TokenBucket, need: number): Promise<void> {
    for (let ms = bucket.wait(need); ms > 0; ms = bucket.wait(need)) {
      if (this.#ended) break;
      await new Promise<void>((resolve) => {
        const timer = {
          call: bucket.clock.callLater(ms, () => {
            this.#timers.delete(timer);
            resolve();
          }),
          resolve,
        };
        this.#timers.add(timer);
      });
    }
    bucket.take(need);
  }

  override async read(): Promise<Uint8Array | null> {
    const bucket = this.#read;
    if (bucket === undefined) return super.read();
    await this.#acquire(bucket, 0);
    const chunk = await super.read();
    if (chunk !== null) bucket.take(chunk.byteLength);
    return chunk;
  }

  override write(data: Uint8Array): Promise<void> {
    const bucket = this.#write;
    if (bucket === undefined) return super.write(data);
    const done = this.#writing.then(() => this.#paced(bucket, data));
    this.#writing = done.catch(() => {});
    return done;
  }

  async #paced(bucket: TokenBucket, data: Uint8Array): Promise<void> {
    // Pieces of at most a second's worth keep the pace even for big writes.
    const piece = Math.max(1, Math.floor(bucket.rate));
    for (let offset = 0; offset < data.byteLength; offset += piece) {
      const part = data.subarray(offset, offset + piece);
      await this.#acquire(bucket, part.byteLength);
      await this.inner.write(part);
    }
  }
}
