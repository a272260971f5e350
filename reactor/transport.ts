/**
 * The Twisted-style transport: runs a {@linkcode IProtocol} on a
 * {@linkcode Connection}. It reads with the connection's fast path and calls
 * `dataReceived`; `write` coalesces the writes of one tick into one
 * `Connection.write`, and a registered producer is paused while the peer
 * reads slower than it produces.
 *
 * @module
 */
import { getLogger } from "../log/mod.ts";
import { concatChunks } from "./bytes.ts";
import type { Address, Connection } from "./interfaces.ts";
import type { StartTLSOptions } from "./tls.ts";
import type { TLSInfo } from "./deno_connection.ts";
import type {
  IProtocol,
  PullProducer,
  PushProducer,
  Transport,
} from "./protocol_interfaces.ts";
import type { IReactorTime } from "./time.ts";
import { ConnectionLostError, ProtocolError } from "./errors.ts";
import { ACCEPTED, formatAddress } from "./connection.ts";
import { ConnectionDone } from "./protocol.ts";

const logger = getLogger("spindle.reactor.transport");
const encoder = new TextEncoder();

/** Options for {@linkcode runProtocol}. */
export interface RunProtocolOptions {
  /** The time source the protocol sees as `transport.reactor` (for timeouts). */
  reactor: IReactorTime;
  /** Buffered bytes above which a push producer is paused; default 64 KiB. */
  highWaterMark?: number;
}

/**
 * Runs `protocol` on `conn`: calls `makeConnection`, feeds it the bytes read,
 * and calls `connectionLost` once at the end. Resolves with the reason given to
 * `connectionLost` once it has run.
 *
 * A `Factory` does this for each connection it serves; call it directly to
 * run a protocol instance on a connection you made.
 *
 * @example Usage
 * ```ts
 * import {
 *   Clock,
 *   connectedPair,
 *   ConnectionDone,
 *   Protocol,
 *   runProtocol,
 * } from "@spindle/spindle/reactor";
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     this.transport.write("hello\n");
 *     this.transport.loseConnection();
 *   }
 * }
 * const [server, client] = connectedPair();
 * const done = runProtocol(new Hello(), server, { reactor: new Clock() });
 * const text = await new Response(client.readable).text();
 * console.assert(text === "hello\n");
 * await client.close();
 * console.assert((await done) instanceof ConnectionDone);
 * ```
 */
export function runProtocol(
  protocol: IProtocol,
  conn: Connection,
  options: RunProtocolOptions,
): Promise<Error> {
  return new ProtocolTransport(conn, protocol, options).run();
}

const defaultHighWaterMark = 64 * 1024;

function hasReadConnectionLost(
  protocol: IProtocol,
): protocol is IProtocol & { readConnectionLost(): void } {
  return typeof (protocol as { readConnectionLost?: unknown })
    .readConnectionLost === "function";
}

/** The transport given to a protocol run by {@linkcode runProtocol}. */
class ProtocolTransport implements Transport {
  readonly #conn: Connection;
  readonly #protocol: IProtocol;
  readonly #reactor: IReactorTime;
  readonly #highWaterMark: number;

  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #inFlightBytes = 0;
  #flushing = false;
  /** Inside `dataReceived`: the read loop flushes right after it returns. */
  #dispatching = false;

  #producer: PushProducer | PullProducer | null = null;
  #streaming = false;
  #producerPaused = false;

  #readPaused = false;
  #resumeRead: (() => void) | null = null;
  #idle: (() => void) | null = null;

  /** A `startTLS` asked for, run by the read loop between two reads. */
  #tlsRequest: {
    options: StartTLSOptions;
    result: PromiseWithResolvers<TLSInfo>;
  } | null = null;
  #betweenReads = true;

  /** `loseConnection` was called: close once the buffer and the producer are done. */
  #closing = false;
  /** What `connectionLost` gets after a `loseConnection` that gave a reason. */
  #closeReason: Error | null = null;
  /** `loseWriteConnection` was called: half-close once the buffer is done. */
  #writeClosing = false;
  /** The connection is being closed or aborted: no more writes, no more reads. */
  #shutDown = false;
  #lost = false;
  #finished!: (reason: Error) => void;

  constructor(
    conn: Connection,
    protocol: IProtocol,
    options: RunProtocolOptions,
  ) {
    this.#conn = conn;
    this.#protocol = protocol;
    this.#reactor = options.reactor;
    this.#highWaterMark = options.highWaterMark ?? defaultHighWaterMark;
  }

  get connection(): Connection {
    return this.#conn;
  }

  get disconnecting(): boolean {
    return this.#closing || this.#shutDown;
  }

  get reactor(): IReactorTime {
    return this.#reactor;
  }

  run(): Promise<Error> {
    const result = new Promise<Error>((resolve) => {
      this.#finished = resolve;
    });
    this.#conn.closed.then(
      () => this.#lose(this.#closeReason ?? new ConnectionDone()),
      (error) => this.#lose(asError(error)),
    );
    try {
      this.#protocol.makeConnection(this);
    } catch (error) {
      this.#crashed(error, "connectionMade");
      return result;
    }
    this.#readLoop();
    return result;
  }

  /** Whether reading is over: the connection is closing or gone. */
  #readingDone(): boolean {
    return this.#closing || this.#shutDown;
  }

  async #readLoop(): Promise<void> {
    const conn = this.#conn;
    const protocol = this.#protocol;
    for (;;) {
      if (this.#tlsRequest !== null && !(await this.#upgrade())) return;
      if (this.#readPaused) {
        // startTLS may have been asked for while paused (an AMP StartTLS
        // answered later): look again before reading.
        await this.#readResumed();
        continue;
      }
      if (this.#readingDone()) return;
      let chunk: Uint8Array | null;
      this.#betweenReads = false;
      try {
        chunk = await conn.read();
      } catch (error) {
        if (!this.#shutDown) this.#abort(asError(error));
        return;
      } finally {
        this.#betweenReads = true;
      }
      if (chunk === null) break;
      // A pause asked for while the read was pending holds this chunk back.
      if (this.#readPaused) await this.#readResumed();
      if (this.#readingDone()) return;
      this.#dispatching = true;
      try {
        protocol.dataReceived(chunk);
      } catch (error) {
        this.#dispatching = false;
        this.#crashed(error, "dataReceived");
        return;
      }
      this.#dispatching = false;
      // What dataReceived wrote goes out now, in one write, before the next
      // read is started: no microtask hop on the echo path.
      if (!this.#flushing && this.#pending.length > 0) {
        this.#flushing = true;
        this.#flush();
      }
    }
    if (this.#readingDone()) return;
    if (hasReadConnectionLost(protocol)) {
      try {
        protocol.readConnectionLost();
      } catch (error) {
        this.#crashed(error, "readConnectionLost");
      }
    } else {
      this.loseConnection();
    }
  }

  startTLS(options: StartTLSOptions): Promise<TLSInfo> {
    if (this.#tlsRequest !== null || !this.#betweenReads || this.#shutDown) {
      return Promise.reject(
        new TypeError(
          "startTLS: call it once, from connectionMade or dataReceived, on an open connection",
        ),
      );
    }
    const result = Promise.withResolvers<TLSInfo>();
    this.#tlsRequest = { options, result };
    return result.promise;
  }

  /** Sends what is queued, then runs the handshake; false when it failed. */
  async #upgrade(): Promise<boolean> {
    const { options, result } = this.#tlsRequest!;
    this.#tlsRequest = null;
    try {
      if (this.#flushing || this.#pending.length > 0) {
        await new Promise<void>((resolve) => {
          this.#idle = resolve;
          if (!this.#flushing) {
            this.#flushing = true;
            this.#flush();
          }
        });
      }
      // Loaded on first use: node:tls is not needed by plain TCP protocols.
      const { startTLS } = await import("./tls.ts");
      result.resolve(await startTLS(this.#conn, options));
      return true;
    } catch (error) {
      result.reject(error);
      if (!this.#shutDown) this.#abort(asError(error));
      return false;
    }
  }

  #readResumed(): Promise<void> {
    return new Promise((resolve) => {
      this.#resumeRead = resolve;
    });
  }

  write(data: Uint8Array | string): void {
    if (this.#writeClosing || this.#shutDown) return;
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (bytes.byteLength === 0) return;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.byteLength;
    if (!this.#flushing && !this.#dispatching) {
      this.#flushing = true;
      queueMicrotask(() => this.#flush());
    }
    if (
      this.#streaming && !this.#producerPaused &&
      this.#pendingBytes + this.#inFlightBytes > this.#highWaterMark
    ) {
      this.#producerPaused = true;
      (this.#producer as PushProducer).pauseProducing();
    }
  }

  writeSequence(data: Iterable<Uint8Array | string>): void {
    for (const chunk of data) this.write(chunk);
  }

  // Synchronous while the connection takes each write at once (it returns
  // ACCEPTED); only a write that must wait goes on from its promise. On the
  // request/response path that spares a microtask turn per write.
  #flush(): void {
    const conn = this.#conn;
    const pending = this.#pending;
    while (pending.length > 0 && !this.#shutDown) {
      const total = this.#pendingBytes;
      const chunk = pending.length === 1
        ? pending[0]!
        : concatChunks(pending, total);
      pending.length = 0;
      this.#pendingBytes = 0;
      this.#inFlightBytes = total;
      let accepted: Promise<void>;
      try {
        accepted = conn.write(chunk);
      } catch (error) {
        this.#flushFailed(error);
        return;
      }
      if (accepted !== ACCEPTED) {
        accepted.then(this.#flushResumed, this.#flushFailed);
        return;
      }
      this.#written();
    }
    this.#flushing = false;
    const idle = this.#idle;
    this.#idle = null;
    idle?.();
    this.#afterFlush();
  }

  #flushResumed = (): void => {
    this.#written();
    this.#flush();
  };

  #flushFailed = (error: unknown): void => {
    this.#flushing = false;
    if (!this.#shutDown) this.#abort(asError(error));
  };

  /** A write was accepted: the producer may go on. */
  #written(): void {
    this.#inFlightBytes = 0;
    if (
      this.#producerPaused && this.#pendingBytes < this.#highWaterMark / 2
    ) {
      this.#producerPaused = false;
      this.#producer?.resumeProducing();
    } else if (
      this.#producer !== null && !this.#streaming &&
      this.#pending.length === 0
    ) {
      this.#producer.resumeProducing();
    }
  }

  /** Finishes a pending close or half-close once nothing is left to send. */
  #afterFlush(): void {
    if (this.#flushing || this.#shutDown) return;
    if (this.#pending.length > 0) {
      // Written inside dataReceived and not flushed yet: send it first.
      this.#flushing = true;
      this.#flush();
      return;
    }
    if (this.#closing) {
      if (this.#producer === null) this.#closeNow();
    } else if (this.#writeClosing) {
      this.#conn.closeWrite().catch((error) => this.#abort(asError(error)));
    }
  }

  loseConnection(reason?: Error): void {
    if (this.#closing || this.#shutDown) return;
    this.#closing = true;
    this.#closeReason = reason ?? null;
    this.#wakeReader();
    this.#afterFlush();
  }

  abortConnection(): void {
    if (this.#shutDown) return;
    this.#abort(
      new ConnectionLostError(
        "the connection was aborted by this side (abortConnection)",
      ),
    );
  }

  loseWriteConnection(): void {
    if (this.#closing || this.#writeClosing || this.#shutDown) return;
    this.#writeClosing = true;
    this.#afterFlush();
  }

  getPeer(): Address {
    return this.#conn.remoteAddr;
  }

  getHost(): Address {
    return this.#conn.localAddr;
  }

  setTcpNoDelay(enabled: boolean): void {
    this.#conn.setNoDelay(enabled);
  }

  registerProducer(
    producer: PushProducer | PullProducer,
    streaming: boolean,
  ): void {
    if (this.#producer !== null) {
      throw new Error(
        "a producer is already registered with this transport: call unregisterProducer first",
      );
    }
    if (this.#shutDown) {
      producer.stopProducing();
      return;
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#producerPaused = false;
    if (!streaming) {
      producer.resumeProducing();
    } else if (
      this.#pendingBytes + this.#inFlightBytes > this.#highWaterMark
    ) {
      this.#producerPaused = true;
      (producer as PushProducer).pauseProducing();
    }
  }

  unregisterProducer(): void {
    this.#producer = null;
    this.#producerPaused = false;
    this.#afterFlush();
  }

  pauseProducing(): void {
    this.#readPaused = true;
  }

  resumeProducing(): void {
    this.#readPaused = false;
    this.#wakeReader();
  }

  stopProducing(): void {
    this.loseConnection();
  }

  #wakeReader(): void {
    const resume = this.#resumeRead;
    this.#resumeRead = null;
    resume?.();
  }

  #closeNow(): void {
    this.#shutDown = true;
    this.#wakeReader();
    this.#conn.close().then(
      () => this.#lose(this.#closeReason ?? new ConnectionDone()),
      (error) => this.#lose(asError(error)),
    );
  }

  #abort(reason: Error): void {
    this.#shutDown = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#wakeReader();
    this.#conn.abort(reason);
    this.#lose(reason);
  }

  #crashed(error: unknown, callback: string): void {
    if (error instanceof ProtocolError) {
      // The peer sent something bad: its connection goes, nothing is broken
      // here, and what the protocol already answered still reaches the peer.
      logger.warn("closing the connection from {peer}: {message}", {
        peer: formatAddress(this.#conn.remoteAddr),
        message: error.message,
        error,
      });
      this.loseConnection(error);
      return;
    } else {
      logger.error("the protocol's {callback} threw: closing its connection", {
        callback,
        error,
      });
    }
    this.#abort(error instanceof Error ? error : new Error(String(error)));
  }

  /** Runs `connectionLost` once, whichever way the connection ended. */
  #lose(reason: Error): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#shutDown = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#wakeReader();
    const producer = this.#producer;
    this.#producer = null;
    try {
      producer?.stopProducing();
    } catch (error) {
      logger.error("the producer's stopProducing threw", { error });
    }
    const protocol = this.#protocol as IProtocol & { connected?: unknown };
    if (typeof protocol.connected === "boolean") protocol.connected = false;
    try {
      protocol.connectionLost(reason);
    } catch (error) {
      logger.error("the protocol's connectionLost threw", { error });
    }
    this.#finished(reason);
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
