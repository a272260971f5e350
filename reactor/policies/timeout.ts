/**
 * Idle timeouts: close a connection on which nothing was sent or received for
 * a while. {@linkcode TimeoutMixin} gives a Twisted-style protocol
 * `setTimeout` / `resetTimeout` / `timeoutConnection`; {@linkcode idleTimeout}
 * applies a timeout to every connection of a handler function or a factory.
 *
 * @module
 */
import type { Connection, ConnectionHandler } from "../interfaces.ts";
import type { IReactorTime } from "../time.ts";
import { Deadline } from "../deadline.ts";
import type { Protocol } from "../protocol.ts";
import { reactor as defaultReactor } from "../deno_reactor.ts";
import {
  ConnectionWrapper,
  wrapHandler,
  type WrappedHandler,
} from "./wrapper.ts";

/**
 * A connection was closed because nothing was sent or received on it for its
 * idle timeout.
 *
 * @example Usage
 * ```ts
 * import { IdleTimeoutError } from "@spindle/spindle/reactor";
 * const error = new IdleTimeoutError(30_000);
 * console.assert(error.timeout === 30_000);
 * ```
 */
export class IdleTimeoutError extends Error {
  /** The timeout that expired, in milliseconds. */
  readonly timeout: number;
  /** Creates the error for a timeout of `timeout` milliseconds. */
  constructor(timeout: number) {
    super(
      `Closed the connection: nothing was sent or received for ${timeout} ms; raise the idle timeout if peers may be that slow`,
    );
    this.name = "IdleTimeoutError";
    this.timeout = timeout;
  }
}

/** The members {@linkcode TimeoutMixin} adds to a protocol class. */
export interface TimeoutMethods {
  /** The current timeout in milliseconds, `null` when none. */
  readonly timeOut: number | null;
  /**
   * The time source of the timeout; default `transport.reactor` (set it in a
   * test to use a fake `Clock`).
   */
  timeoutClock: IReactorTime | null;
  /**
   * Sets the timeout to `ms` milliseconds from now (`null` cancels it) and
   * returns the previous one.
   */
  setTimeout(ms: number | null): number | null;
  /** Restarts the timeout: call it whenever there is traffic. */
  resetTimeout(): void;
  /** Called when the timeout expires; by default aborts the connection. */
  timeoutConnection(): void;
}

/** Any class (abstract or not, with any constructor) whose instances are `T`: what a mixin extends. */
// deno-lint-ignore no-explicit-any
export type ProtocolConstructor<T> = abstract new (...args: any[]) => T;

/**
 * Adds Twisted's `TimeoutMixin` to a protocol class: `setTimeout(ms)` starts
 * a timer that `resetTimeout()` restarts and that, when it expires, calls
 * `timeoutConnection()` (by default: abort the connection, whose
 * `connectionLost` gets an {@linkcode IdleTimeoutError}). As in Twisted, the
 * protocol calls `resetTimeout()` itself when it sees traffic; the timer is
 * cancelled when the connection is lost.
 *
 * @example A protocol that hangs up on silent peers
 * ```ts
 * import { Protocol, TimeoutMixin } from "@spindle/spindle/reactor";
 * class Patient extends TimeoutMixin(Protocol) {
 *   override connectionMade(): void {
 *     this.setTimeout(30_000);
 *   }
 *   override dataReceived(data: Uint8Array): void {
 *     this.resetTimeout();
 *     this.transport.write(data);
 *   }
 * }
 * console.assert(new Patient().timeOut === null);
 * ```
 */
export function TimeoutMixin<B extends ProtocolConstructor<Protocol>>(
  Base: B,
): B & ProtocolConstructor<TimeoutMethods> {
  abstract class Timeout extends Base implements TimeoutMethods {
    timeoutClock: IReactorTime | null = null;
    #timeOut: number | null = null;
    #deadline: Deadline<"idle"> | null = null;

    get timeOut(): number | null {
      return this.#timeOut;
    }

    setTimeout(ms: number | null): number | null {
      const previous = this.#timeOut;
      this.#timeOut = ms;
      if (ms === null) {
        this.#deadline?.cancel();
      } else {
        this.#deadline ??= new Deadline(
          this.#clock(),
          () => this.timeoutConnection(),
        );
        this.#deadline.arm("idle", ms);
      }
      return previous;
    }

    resetTimeout(): void {
      this.#deadline?.touch();
    }

    timeoutConnection(): void {
      this.transport.connection.abort(
        new IdleTimeoutError(this.#timeOut ?? 0),
      );
    }

    override connectionLost(reason: Error): void {
      this.#deadline?.cancel();
      super.connectionLost(reason);
    }

    #clock(): IReactorTime {
      return this.timeoutClock ?? this.transport.reactor;
    }
  }
  return Timeout;
}

/** Options for {@linkcode idleTimeout}. */
export interface IdleTimeoutOptions {
  /** Milliseconds without traffic (either way) after which the connection is aborted. */
  timeout: number;
  /**
   * The time source; default the reactor that serves the connection (for a
   * factory) or the default reactor (for a function).
   */
  clock?: IReactorTime;
}

/**
 * Aborts each connection served by `handler` once nothing was read or written
 * on it for `timeout` milliseconds (Twisted's `TimeoutFactory`); the
 * connection's `closed` rejects with {@linkcode IdleTimeoutError}. Works for a
 * handler function and for a factory alike.
 *
 * @example Usage
 * ```ts ignore
 * import { Factory, idleTimeout, Protocol, reactor } from "@spindle/spindle/reactor";
 * await reactor.listenTCP(8000, idleTimeout(Factory.forProtocol(Protocol), { timeout: 60_000 }));
 * await reactor.listenTCP(8001, idleTimeout(async (conn) => {
 *   await conn.readable.pipeTo(conn.writable);
 * }, { timeout: 60_000 }));
 * ```
 */
export function idleTimeout<H extends ConnectionHandler>(
  handler: H,
  options: IdleTimeoutOptions,
): WrappedHandler<H> {
  return wrapHandler(
    handler,
    (conn, reactor) =>
      new IdleTimeoutConnection(
        conn,
        options.timeout,
        options.clock ?? reactor ?? defaultReactor,
      ),
  );
}

/** A connection that aborts itself after a quiet period. */
class IdleTimeoutConnection extends ConnectionWrapper {
  // Touching the deadline only moves a number: no timer is rescheduled per
  // chunk read or written.
  #deadline: Deadline<"idle">;

  constructor(inner: Connection, timeout: number, clock: IReactorTime) {
    super(inner);
    this.#deadline = new Deadline(
      clock,
      () => inner.abort(new IdleTimeoutError(timeout)),
    );
    this.#deadline.arm("idle", timeout);
    const stop = () => this.#deadline.cancel();
    inner.closed.then(stop, stop);
  }

  override async read(): Promise<Uint8Array | null> {
    const chunk = await super.read();
    this.#deadline.touch();
    return chunk;
  }

  override write(data: Uint8Array): Promise<void> {
    this.#deadline.touch();
    return super.write(data);
  }
}
