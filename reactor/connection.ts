/**
 * The shared machinery of every Spindle {@linkcode Connection}: the fast
 * `read()`/`write()` path, write coalescing and backpressure, `unshift()`,
 * half-close, and the fused standard streams. Concrete connections (over a
 * `Deno.Conn`, in memory, over a `node:net` socket) supply four raw
 * operations.
 *
 * @module
 */
import type { Address, Connection } from "./interfaces.ts";
import { ConnectionLostError } from "./errors.ts";
import { FastReadableStream, FastWritableStream } from "./streams.ts";

/** Writes are accepted at once while fewer bytes than this wait to be sent. */
export const WRITE_HIGH_WATER_MARK = 64 * 1024;
/** Small queued writes are merged into one write of at most this many bytes. */
const COALESCE_LIMIT = 64 * 1024;

/**
 * What `write()` returns when it accepts the bytes at once: a caller that
 * sees this very promise may go on without waiting for a microtask turn.
 */
export const ACCEPTED: Promise<void> = Promise.resolve();

const END: IteratorReturnResult<undefined> = { done: true, value: undefined };

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Base class of the connections: subclasses implement the raw operations,
 * this class gives them the {@linkcode Connection} semantics.
 *
 * @example Usage
 * ```ts
 * import { BaseConnection } from "@spindle/spindle/reactor";
 * // A connection that reads nothing and discards what it is given.
 * class NullConnection extends BaseConnection {
 *   protected rawRead() { return Promise.resolve(null); }
 *   protected rawWrite(_data: Uint8Array) { return Promise.resolve(); }
 *   protected rawCloseWrite() { return Promise.resolve(); }
 *   protected rawClose() {}
 * }
 * const addr = { transport: "memory" as const, name: "null" };
 * const conn = new NullConnection(addr, addr);
 * await conn.write(new Uint8Array(3));
 * await conn.close();
 * ```
 */
export abstract class BaseConnection implements Connection {
  /** This end's address. */
  readonly localAddr: Address;
  /** The peer's address. */
  readonly remoteAddr: Address;
  /** Resolves on a clean close; rejects with `ConnectionLostError` (or the abort reason) otherwise. */
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  #rejectClosed!: (error: unknown) => void;
  #readable: FastReadableStream<Uint8Array> | undefined;
  #writable: FastWritableStream<Uint8Array> | undefined;
  #unshifted: Uint8Array[] = [];
  /** Raw reads in flight (a transport swap needs none). */
  #reading = 0;
  /** "open" until end of input arrives or the consumer cancels reading. */
  #readOpen = true;
  /** "open" → "closing" (flushing before a shutdown) → "closed". */
  #writeState: "open" | "closing" | "closed" = "open";
  #state: "open" | "closed" | "lost" = "open";
  #lostError: unknown = undefined;
  #queue: Uint8Array[] = [];
  #buffered = 0;
  #writing = false;
  #drainWaiters: Waiter[] = [];
  /** Chunks written with `writeBorrowed`, and who waits to have them back. */
  #borrowed = new Map<Uint8Array, () => void>();
  #flushWaiters: Waiter[] = [];
  #closing: Promise<void> | undefined;
  #closingWrite: Promise<void> | undefined;

  /** Creates the connection between two addresses. */
  constructor(localAddr: Address, remoteAddr: Address) {
    this.localAddr = localAddr;
    this.remoteAddr = remoteAddr;
    this.closed = new Promise<void>((resolve, reject) => {
      this.#resolveClosed = resolve;
      this.#rejectClosed = reject;
    });
    // Nobody has to watch `closed`; a loss must not become an unhandled rejection.
    this.closed.catch(() => {});
  }

  /** Reads the next chunk from the transport, `null` at end of input. */
  protected abstract rawRead(): Promise<Uint8Array | null>;
  /**
   * The fast read of a transport that reads into memory of its own: starts a
   * read and resolves with the number of bytes read (`null` at end of
   * input), which {@linkcode BaseConnection.rawReadChunk} then hands out as a
   * chunk. Reads use this pair instead of `rawRead` when a subclass has it:
   * turning a count into a chunk synchronously spares the promise step that
   * doing it inside `rawRead` would cost on every read.
   */
  protected rawReadCount?(): Promise<number | null>;
  /** The chunk of the `n` bytes that the last `rawReadCount` read. */
  protected rawReadChunk?(n: number): Uint8Array;
  /**
   * Writes `data` to the transport. Resolves once all of it is written, or
   * with the number of bytes written when that can be fewer: the connection
   * then writes the rest.
   */
  protected abstract rawWrite(data: Uint8Array): Promise<void | number>;
  /**
   * Whether `rawWrite` may resolve while the transport still holds on to the
   * chunk it was given (it queues chunks of its own, as `node:tls` does):
   * {@linkcode BaseConnection.writeBorrowed} then writes a copy, because its
   * caller reuses the chunk as soon as the write resolves.
   */
  protected get rawWriteKeepsChunks(): boolean {
    return false;
  }
  /** Shuts down the transport's write direction. */
  protected abstract rawCloseWrite(): Promise<void>;
  /** Releases the transport (a clean close). */
  protected abstract rawClose(): void;
  /** Releases the transport at once (an abort: the peer sees a reset). */
  protected rawAbort(): void {
    this.rawClose();
  }
  /** Turns a transport error into the error `closed` rejects with. */
  protected describeError(error: unknown): ConnectionLostError {
    if (error instanceof ConnectionLostError) return error;
    const peer = formatAddress(this.remoteAddr);
    const what = error instanceof Error ? error.message : String(error);
    return new ConnectionLostError(
      `The connection to ${peer} was lost (${what}): the peer reset or dropped it; reconnect if needed`,
      { cause: error },
    );
  }

  /** Bytes from the peer (fused: see `FastReadableStream`). */
  get readable(): ReadableStream<Uint8Array> {
    return this.#readable ??= new FastReadableStream<Uint8Array>({
      read: () => this.read(),
      readResult: (onEnd) => this.#readResult(onEnd),
      readInto: (buffer) => this.readInto(buffer),
      cancel: () => this.#cancelRead(),
      unshift: (data) => this.unshift(data),
    });
  }

  /** Bytes to the peer; closing it half-closes the connection. */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= new FastWritableStream<Uint8Array>({
      write: (data) => this.write(data),
      writeBorrowed: (data) => this.writeBorrowed(data),
      close: () => this.closeWrite(),
      abort: (reason) => this.abort(reason),
      ready: () => this.#whenDrained(),
      desiredSize: () => WRITE_HIGH_WATER_MARK - this.#buffered,
    });
  }

  /** Bytes accepted by `write()` but not yet handed to the transport. */
  get bufferedAmount(): number {
    return this.#buffered;
  }

  /** The next chunk from the peer, or `null` at end of input. */
  read(): Promise<Uint8Array | null> {
    if (this.#unshifted.length > 0) {
      return Promise.resolve(this.#unshifted.shift() as Uint8Array);
    }
    if (this.#state === "lost") return Promise.reject(this.#lostError);
    if (!this.#readOpen || this.#state === "closed") {
      return Promise.resolve(null);
    }
    return this.#readRaw();
  }

  /**
   * Reads into `buffer` (no allocation): the number of bytes read, or `null`
   * at end of input.
   */
  readInto(buffer: Uint8Array): Promise<number | null> {
    const head = this.#unshifted.shift();
    if (head !== undefined) {
      const n = Math.min(head.byteLength, buffer.byteLength);
      buffer.set(n === head.byteLength ? head : head.subarray(0, n));
      if (n < head.byteLength) this.#unshifted.unshift(head.subarray(n));
      return Promise.resolve(n);
    }
    if (this.#state === "lost") return Promise.reject(this.#lostError);
    if (!this.#readOpen || this.#state === "closed") {
      return Promise.resolve(null);
    }
    return this.#readIntoRaw(buffer);
  }

  // A promise step, not an async function: see #readRaw.
  #readIntoRaw(buffer: Uint8Array): Promise<number | null> {
    this.#reading++;
    let reading: Promise<number | null>;
    try {
      reading = this.rawReadInto(buffer);
    } catch (error) {
      reading = Promise.reject(error);
    }
    return reading.then(this.#readIntoDone, this.#readFailed);
  }

  #readIntoDone = (n: number | null): number | null => {
    this.#reading--;
    if (n === null) {
      this.#readOpen = false;
      this.#finishIfDone();
    }
    return n;
  };

  /**
   * Reads from the transport into `buffer`; by default through `rawRead`,
   * keeping what does not fit for the next read.
   */
  protected async rawReadInto(buffer: Uint8Array): Promise<number | null> {
    const chunk = await this.rawRead();
    if (chunk === null) return null;
    const n = Math.min(chunk.byteLength, buffer.byteLength);
    buffer.set(n === chunk.byteLength ? chunk : chunk.subarray(0, n));
    if (n < chunk.byteLength) this.#unshifted.unshift(chunk.subarray(n));
    return n;
  }

  // One promise step rather than an async function over an async
  // `rawRead`: every read passes here, and each async layer costs a promise,
  // a resumable frame and a microtask turn.
  #readRaw(): Promise<Uint8Array | null> {
    return this.#startRawRead().then(this.#readDone, this.#readFailed);
  }

  /** Starts a transport read: a chunk, or a count for `rawReadChunk`. */
  #startRawRead(): Promise<Uint8Array | number | null> {
    this.#reading++;
    try {
      return this.rawReadCount !== undefined
        ? this.rawReadCount()
        : this.rawRead();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** `read()` for an iterator: the result object comes from the read's own step. */
  #readResult(onEnd: () => void): Promise<IteratorResult<Uint8Array>> {
    if (
      this.#unshifted.length > 0 || this.#state !== "open" || !this.#readOpen
    ) {
      return this.read().then((chunk) => {
        if (chunk !== null) return { done: false, value: chunk };
        onEnd();
        return END;
      }, (error) => {
        onEnd();
        throw error;
      });
    }
    this.#onEnd = onEnd;
    return this.#startRawRead().then(this.#resultDone, this.#resultFailed);
  }

  #onEnd: () => void = () => {};

  #resultDone = (
    result: Uint8Array | number | null,
  ): IteratorResult<Uint8Array> => {
    const chunk = this.#readDone(result);
    if (chunk !== null) return { done: false, value: chunk };
    this.#onEnd();
    return END;
  };

  #resultFailed = (error: unknown): IteratorResult<Uint8Array> => {
    try {
      this.#readFailed(error);
    } finally {
      this.#onEnd();
    }
    return END;
  };

  #readDone = (result: Uint8Array | number | null): Uint8Array | null => {
    this.#reading--;
    if (result === null) {
      this.#readOpen = false;
      this.#finishIfDone();
      return null;
    }
    return typeof result === "number"
      ? (this.rawReadChunk as (n: number) => Uint8Array)(result)
      : result;
  };

  #readFailed = (error: unknown): null => {
    this.#reading--;
    if (this.#state === "closed") return null;
    throw this.#lose(error);
  };

  /**
   * Prepares a change of transport under this connection (STARTTLS): waits
   * for pending writes, checks that no read is in flight, and returns (and
   * forgets) the bytes unshifted but not yet read, which belong to the new
   * layer.
   */
  protected async quiesce(): Promise<Uint8Array[]> {
    if (this.#state !== "open" || this.#writeState !== "open") {
      throw new TypeError(
        "Cannot start TLS on a connection that is closing or closed",
      );
    }
    if (this.#reading > 0) {
      throw new TypeError(
        "Cannot start TLS while a read is pending on the connection: stop reading first (leave a for-await loop with values({ preventCancel: true }))",
      );
    }
    await this.#whenFlushed();
    const pending = this.#unshifted;
    this.#unshifted = [];
    return pending;
  }

  /** Puts bytes back in front of the read side. */
  unshift(data: Uint8Array): void {
    if (data.byteLength > 0) this.#unshifted.unshift(data);
  }

  /**
   * Writes `data` (which must not change afterwards); resolves at once while
   * less than 64 KiB waits to be sent, else when the backlog drains.
   */
  write(data: Uint8Array): Promise<void> {
    if (this.#writeState !== "open") return Promise.reject(this.#writeError());
    const size = data.byteLength;
    if (size === 0) return ACCEPTED;
    this.#buffered += size;
    if (this.#writing) this.#queue.push(data);
    else {
      this.#writing = true;
      this.#pump(data);
    }
    if (this.#buffered <= WRITE_HIGH_WATER_MARK) return ACCEPTED;
    return new Promise<void>((resolve, reject) => {
      this.#drainWaiters.push({ resolve, reject });
    });
  }

  /**
   * Whether {@linkcode BaseConnection.writeBorrowed} writes a copy of what it
   * is lent, because this transport keeps chunks after its write resolves. A
   * caller that builds a fresh chunk anyway should then `write` it instead of
   * lending it, and save the copy.
   */
  get writeBorrowedCopies(): boolean {
    return this.rawWriteKeepsChunks;
  }

  /**
   * Writes `data` without taking it: resolves once the bytes are handed to
   * the transport, when the caller may change or reuse `data` (a copy loop
   * with reused buffers). Backpressure comes from waiting for that. A
   * transport that keeps chunks by reference after its write resolves
   * (`node:tls`, an HTTP/2 stream) is given a copy instead.
   */
  writeBorrowed(data: Uint8Array): Promise<void> {
    if (this.#writeState !== "open") return Promise.reject(this.#writeError());
    if (data.byteLength === 0) return ACCEPTED;
    if (this.rawWriteKeepsChunks) return this.write(data.slice());
    const given = new Promise<void>((resolve) => {
      this.#borrowed.set(data, resolve);
    });
    this.#buffered += data.byteLength;
    if (this.#writing) this.#queue.push(data);
    else {
      this.#writing = true;
      this.#pump(data);
    }
    return given;
  }

  #giveBack(chunk: Uint8Array): void {
    const giveBack = this.#borrowed.get(chunk);
    if (giveBack !== undefined) {
      this.#borrowed.delete(chunk);
      giveBack();
    }
  }

  #writeError(): unknown {
    if (this.#state === "lost") return this.#lostError;
    return new TypeError(
      "Cannot write: this connection's write side was already closed with closeWrite() or close()",
    );
  }

  // The pump is a callback chain, not an async loop: on the request/response
  // path every write is a lone chunk, and an async frame per write costs a
  // promise and a microtask turn more than the transport's own promise.
  #inFlight: Uint8Array | null = null;
  /** How much of `#inFlight` the transport has taken (partial writes). */
  #inFlightSent = 0;

  #pump(chunk: Uint8Array): void {
    this.#inFlight = chunk;
    this.#inFlightSent = 0;
    this.#send(chunk);
  }

  #send(data: Uint8Array): void {
    let sent: Promise<void | number>;
    try {
      sent = this.rawWrite(data);
    } catch (error) {
      this.#pumpFailed(error);
      return;
    }
    sent.then(this.#pumped, this.#pumpFailed);
  }

  #pumped = (written: void | number): void => {
    const chunk = this.#inFlight as Uint8Array;
    if (this.#state !== "open") {
      // Lost meanwhile: the queue and the byte count were dropped already.
      this.#inFlight = null;
      this.#writing = false;
      return;
    }
    if (typeof written === "number") {
      const sent = this.#inFlightSent + written;
      if (sent < chunk.byteLength) {
        this.#inFlightSent = sent;
        this.#send(chunk.subarray(sent));
        return;
      }
    }
    this.#inFlight = null;
    this.#buffered -= chunk.byteLength;
    if (this.#borrowed.size > 0) this.#giveBack(chunk);
    if (
      this.#drainWaiters.length > 0 &&
      this.#buffered <= WRITE_HIGH_WATER_MARK
    ) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
    if (this.#queue.length > 0) {
      this.#pump(this.#takeQueued());
      return;
    }
    this.#writing = false;
    if (this.#flushWaiters.length > 0) {
      const waiters = this.#flushWaiters;
      this.#flushWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
  };

  #pumpFailed = (error: unknown): void => {
    this.#inFlight = null;
    this.#writing = false;
    if (this.#state === "open") this.#lose(error);
  };

  /** The next write: small queued chunks merged into one. */
  #takeQueued(): Uint8Array {
    const queue = this.#queue;
    const head = queue[0] as Uint8Array;
    if (queue.length === 1 || head.byteLength >= COALESCE_LIMIT / 2) {
      return queue.shift() as Uint8Array;
    }
    let count = 0;
    let total = 0;
    for (const chunk of queue) {
      if (count > 0 && total + chunk.byteLength > COALESCE_LIMIT) break;
      total += chunk.byteLength;
      count++;
    }
    if (count === 1) return queue.shift() as Uint8Array;
    const merged = new Uint8Array(total);
    let offset = 0;
    for (const chunk of queue.splice(0, count)) {
      merged.set(chunk, offset);
      offset += chunk.byteLength;
      if (this.#borrowed.size > 0) this.#giveBack(chunk);
    }
    return merged;
  }

  #whenDrained(): Promise<void> {
    if (this.#state === "lost") return Promise.reject(this.#lostError);
    if (this.#buffered <= WRITE_HIGH_WATER_MARK) return ACCEPTED;
    return new Promise<void>((resolve, reject) => {
      this.#drainWaiters.push({ resolve, reject });
    });
  }

  #whenFlushed(): Promise<void> {
    if (this.#state === "lost") return Promise.reject(this.#lostError);
    if (!this.#writing) return ACCEPTED;
    return new Promise<void>((resolve, reject) => {
      this.#flushWaiters.push({ resolve, reject });
    });
  }

  /** Flushes, then half-closes; rejects if the connection is lost meanwhile. */
  closeWrite(): Promise<void> {
    if (this.#closingWrite !== undefined) return this.#closingWrite;
    if (this.#state === "lost") return Promise.reject(this.#lostError);
    if (this.#writeState !== "open") return ACCEPTED;
    this.#writeState = "closing";
    this.#closingWrite = this.#shutdownWrite();
    return this.#closingWrite;
  }

  async #shutdownWrite(): Promise<void> {
    await this.#whenFlushed();
    if (this.#state !== "open") return;
    try {
      await this.rawCloseWrite();
    } catch (error) {
      if (this.#state === "open") throw this.#lose(error);
      return;
    }
    this.#writeState = "closed";
    this.#finishIfDone();
  }

  /** Flushes, then closes; resolves once closed (`closed` says how it went). */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** Closes, for `await using`: the same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    if (this.#writeState === "open") this.#writeState = "closing";
    try {
      await this.#whenFlushed();
    } catch {
      return;
    }
    this.#finish();
  }

  /** Closes at once, dropping pending writes; `closed` rejects with `reason`. */
  abort(reason?: unknown): void {
    if (this.#state !== "open") return;
    this.#lose(
      reason ??
        new ConnectionLostError(
          `The connection to ${
            formatAddress(this.remoteAddr)
          } was aborted locally`,
        ),
      true,
    );
  }

  /** A no-op unless the transport has Nagle's algorithm. */
  setNoDelay(_noDelay?: boolean): void {}

  #cancelRead(): void {
    this.#readOpen = false;
    this.#unshifted.length = 0;
    this.#finishIfDone();
  }

  #finishIfDone(): void {
    if (!this.#readOpen && this.#writeState === "closed") this.#finish();
  }

  /** A clean close. */
  #finish(): void {
    if (this.#state !== "open") return;
    this.#state = "closed";
    this.#writeState = "closed";
    try {
      this.rawClose();
    } catch {
      // Already released by the transport: nothing left to free.
    }
    this.#resolveClosed();
  }

  /** An unclean end: records the error, drops pending writes, frees the transport. */
  #lose(error: unknown, aborted = false): unknown {
    if (this.#state !== "open") return this.#lostError ?? error;
    const lost = aborted ? error : this.describeError(error);
    this.#state = "lost";
    this.#lostError = lost;
    this.#writeState = "closed";
    this.#queue.length = 0;
    this.#buffered = 0;
    // Nothing more will be sent: the borrowed buffers are free again.
    for (const giveBack of this.#borrowed.values()) giveBack();
    this.#borrowed.clear();
    const waiters = [...this.#drainWaiters, ...this.#flushWaiters];
    this.#drainWaiters = [];
    this.#flushWaiters = [];
    for (const waiter of waiters) waiter.reject(lost);
    try {
      this.rawAbort();
    } catch {
      // Already released by the transport: nothing left to free.
    }
    this.#rejectClosed(lost);
    return lost;
  }
}

/**
 * Formats an address for messages: `host:port`, `[v6]:port`, a socket path or
 * a memory name.
 *
 * @example Usage
 * ```ts
 * import { formatAddress } from "@spindle/spindle/reactor";
 * console.assert(
 *   formatAddress({ transport: "tcp", hostname: "::1", port: 80 }) === "[::1]:80",
 * );
 * ```
 */
export function formatAddress(addr: Address): string {
  switch (addr.transport) {
    case "tcp":
    case "udp":
      return addr.hostname.includes(":")
        ? `[${addr.hostname}]:${addr.port}`
        : `${addr.hostname}:${addr.port}`;
    case "unix":
    case "unixpacket":
      return addr.path || "unix:(unnamed)";
    case "memory":
      return `memory:${addr.name}`;
  }
}
