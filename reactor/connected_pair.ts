/**
 * Two connected in-memory {@linkcode Connection}s for tests: Twisted's
 * loopback transport, with the backpressure and close semantics of TCP.
 *
 * @module
 */
import { BaseConnection } from "./connection.ts";
import { ConnectionLostError } from "./errors.ts";
import type { Connection, MemoryAddr } from "./interfaces.ts";

/** Bytes a pipe holds before its writer has to wait for the reader. */
const PIPE_CAPACITY = 64 * 1024;

/** One direction of a pair: what one end wrote and the other has not read yet. */
class Pipe {
  chunks: Uint8Array[] = [];
  bytes = 0;
  /** The writer half-closed: the reader sees end of input after the chunks. */
  ended = false;
  /** The writer aborted: the reader sees this error. */
  error: unknown = undefined;
  /** The reader closed: what is written now is dropped. */
  readerGone = false;
  /** The reader aborted: writes fail with this error (a reset). */
  readerError: unknown = undefined;
  #readWaiter: (() => void) | undefined;
  #spaceWaiters: (() => void)[] = [];

  push(data: Uint8Array): Promise<void> {
    if (this.readerError !== undefined) {
      return Promise.reject(this.readerError);
    }
    if (this.readerGone) return Promise.resolve();
    this.chunks.push(data.slice());
    this.bytes += data.byteLength;
    this.#wakeReader();
    if (this.bytes <= PIPE_CAPACITY) return Promise.resolve();
    return new Promise<void>((resolve) => this.#spaceWaiters.push(resolve));
  }

  async shift(): Promise<Uint8Array | null> {
    while (true) {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        this.bytes -= chunk.byteLength;
        if (this.bytes <= PIPE_CAPACITY) this.wakeWriters();
        return chunk;
      }
      if (this.error !== undefined) throw this.error;
      // The reader aborted while its read was pending: as over TCP, that
      // read fails (the connection turns it into the abort's reason).
      if (this.readerError !== undefined) throw this.readerError;
      if (this.ended || this.readerGone) return null;
      await new Promise<void>((resolve) => this.#readWaiter = resolve);
    }
  }

  #wakeReader(): void {
    const waiter = this.#readWaiter;
    this.#readWaiter = undefined;
    waiter?.();
  }

  wakeWriters(): void {
    const waiters = this.#spaceWaiters;
    this.#spaceWaiters = [];
    for (const waiter of waiters) waiter();
  }

  end(): void {
    this.ended = true;
    this.#wakeReader();
  }

  fail(error: unknown): void {
    this.error = error;
    this.#wakeReader();
  }

  dropReader(error?: unknown): void {
    this.readerGone = true;
    this.readerError = error;
    this.chunks.length = 0;
    this.bytes = 0;
    this.wakeWriters();
    this.#wakeReader();
  }
}

class MemoryConnection extends BaseConnection {
  #in: Pipe;
  #out: Pipe;

  constructor(
    local: MemoryAddr,
    remote: MemoryAddr,
    input: Pipe,
    output: Pipe,
  ) {
    super(local, remote);
    this.#in = input;
    this.#out = output;
  }

  protected override rawRead(): Promise<Uint8Array | null> {
    return this.#in.shift();
  }

  protected override rawWrite(data: Uint8Array): Promise<void> {
    return this.#out.push(data);
  }

  protected override rawCloseWrite(): Promise<void> {
    this.#out.end();
    return Promise.resolve();
  }

  protected override rawClose(): void {
    this.#out.end();
    this.#in.dropReader();
  }

  protected override rawAbort(): void {
    const name = (this.localAddr as MemoryAddr).name;
    this.#out.fail(
      new ConnectionLostError(`The peer ${name} aborted the connection`),
    );
    this.#in.dropReader(
      new ConnectionLostError(`The peer ${name} aborted the connection`),
    );
  }
}

let pairs = 0;

/**
 * Returns two connected in-memory connections: what one writes, the other
 * reads. Writes wait when the reader falls 64 KiB behind, half-close and close
 * behave as over TCP, and `abort()` on one end makes the other end's reads and
 * writes fail with `ConnectionLostError`, like a reset (a read pending on the
 * aborting end fails with the abort's reason, as over TCP).
 *
 * @example Usage
 * ```ts
 * import { connectedPair } from "@spindle/spindle/reactor";
 * const [client, server] = connectedPair();
 * await client.write(new TextEncoder().encode("ping"));
 * await client.closeWrite();
 * const chunk = await server.read();
 * console.assert(new TextDecoder().decode(chunk!) === "ping");
 * await client.close();
 * await server.close();
 * ```
 */
export function connectedPair(): [Connection, Connection] {
  const id = ++pairs;
  const a: MemoryAddr = { transport: "memory", name: `pair${id}.a` };
  const b: MemoryAddr = { transport: "memory", name: `pair${id}.b` };
  const aToB = new Pipe();
  const bToA = new Pipe();
  return [
    new MemoryConnection(a, b, bToA, aToB),
    new MemoryConnection(b, a, aToB, bToA),
  ];
}
