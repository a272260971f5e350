/**
 * The building block of the policies: a {@linkcode Connection} that wraps
 * another, and {@linkcode wrapHandler}, which applies a wrapper to the
 * connections of either kind of handler — a stream handler function or a
 * Twisted-style factory.
 *
 * @module
 */
import type {
  Address,
  Connection,
  ConnectionFactory,
  ConnectionHandler,
  ConnectionHandlerFunction,
  Reactor,
} from "../interfaces.ts";
import type { IReactorTime } from "../time.ts";
import { FastReadableStream, FastWritableStream } from "../streams.ts";

/**
 * A {@linkcode Connection} that passes everything to `inner`. Subclasses
 * override `read()` / `write()` (or the close methods) to watch or shape the
 * traffic; `readable` and `writable` are built over those two methods, so
 * both styles of use go through the overrides.
 *
 * @example Counting the bytes received
 * ```ts
 * import { connectedPair, ConnectionWrapper } from "@spindle/spindle/reactor";
 * class Counting extends ConnectionWrapper {
 *   received = 0;
 *   override async read(): Promise<Uint8Array | null> {
 *     const chunk = await super.read();
 *     if (chunk !== null) this.received += chunk.byteLength;
 *     return chunk;
 *   }
 * }
 * const [a, b] = connectedPair();
 * const counted = new Counting(b);
 * await a.write(new Uint8Array(3));
 * await a.close();
 * for await (const _ of counted.readable) { /* drain *\/ }
 * console.assert(counted.received === 3);
 * await counted.close();
 * ```
 */
export class ConnectionWrapper implements Connection {
  /** The wrapped connection. */
  readonly inner: Connection;
  #readable: ReadableStream<Uint8Array> | undefined;
  #writable: WritableStream<Uint8Array> | undefined;

  /** Wraps `inner`; use only the wrapper from now on. */
  constructor(inner: Connection) {
    this.inner = inner;
  }

  /** Bytes from the peer, read through `read()`. */
  get readable(): ReadableStream<Uint8Array> {
    return this.#readable ??= new FastReadableStream<Uint8Array>({
      read: () => this.read(),
      cancel: (reason) => void this.inner.readable.cancel(reason),
      unshift: (data) => this.unshift(data),
    });
  }

  /** Bytes to the peer, written through `write()`. */
  get writable(): WritableStream<Uint8Array> {
    return this.#writable ??= new FastWritableStream<Uint8Array>({
      write: (data) => this.write(data),
      close: () => this.closeWrite(),
      abort: (reason) => this.abort(reason),
    });
  }

  /** The wrapped connection's local address. */
  get localAddr(): Address {
    return this.inner.localAddr;
  }

  /** The wrapped connection's peer address. */
  get remoteAddr(): Address {
    return this.inner.remoteAddr;
  }

  /** The wrapped connection's `closed`. */
  get closed(): Promise<void> {
    return this.inner.closed;
  }

  /** Reads from the wrapped connection. */
  read(): Promise<Uint8Array | null> {
    return this.inner.read();
  }

  /** Writes to the wrapped connection. */
  write(data: Uint8Array): Promise<void> {
    return this.inner.write(data);
  }

  /** Puts bytes back in front of the wrapped connection's input. */
  unshift(data: Uint8Array): void {
    this.inner.unshift(data);
  }

  /** Half-closes the wrapped connection. */
  closeWrite(): Promise<void> {
    return this.inner.closeWrite();
  }

  /** Closes the wrapped connection. */
  close(): Promise<void> {
    return this.inner.close();
  }

  /** Closes the wrapped connection, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Aborts the wrapped connection. */
  abort(reason?: unknown): void {
    this.inner.abort(reason);
  }

  /** Sets TCP_NODELAY on the wrapped connection. */
  setNoDelay(noDelay?: boolean): void {
    this.inner.setNoDelay(noDelay);
  }
}

/**
 * Turns each accepted connection into what the wrapped handler gets: a
 * wrapped connection, or `null` to refuse it (the policy has closed it).
 * `reactor` is the one serving the connection when known.
 */
export type ConnectionPolicy = (
  conn: Connection,
  reactor: IReactorTime | undefined,
) => Connection | null;

/**
 * What wrapping a handler of type `H` gives: a function for a function, a
 * {@linkcode ConnectionFactory} for a factory.
 */
export type WrappedHandler<H extends ConnectionHandler> = H extends
  ConnectionHandlerFunction ? ConnectionHandlerFunction : ConnectionFactory;

/**
 * Applies `policy` to every connection `handler` would serve, and returns a
 * handler of the same style: a function for a function, a
 * {@linkcode ConnectionFactory} for a factory (whose `doStart` / `doStop` are
 * passed through).
 *
 * @example Usage
 * ```ts
 * import { wrapHandler } from "@spindle/spindle/reactor";
 * const logged = wrapHandler(async (conn) => {
 *   await conn.close();
 * }, (conn) => {
 *   console.log("connection from", conn.remoteAddr);
 *   return conn;
 * });
 * console.assert(typeof logged === "function");
 * ```
 */
export function wrapHandler<H extends ConnectionHandler>(
  handler: H,
  policy: ConnectionPolicy,
): WrappedHandler<H> {
  if (typeof handler === "function") {
    const wrapped: ConnectionHandlerFunction = (conn: Connection) => {
      const policed = policy(conn, undefined);
      return policed === null ? undefined : handler(policed);
    };
    return wrapped as WrappedHandler<H>;
  }
  const factory: ConnectionFactory = {
    doStart: () => handler.doStart(),
    doStop: () => handler.doStop(),
    handleConnection: (conn: Connection, reactor: Reactor) => {
      const wrapped = policy(conn, reactor);
      return wrapped === null
        ? undefined
        : handler.handleConnection(wrapped, reactor);
    },
  };
  return factory as WrappedHandler<H>;
}
