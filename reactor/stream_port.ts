/**
 * Stream listeners (TCP, Unix, TLS): `listenStream` opens one and runs its
 * accept loop, handing each connection to the reactor that owns it.
 *
 * @module
 */
import { Deferred, fail, succeed } from "../deferred/deferred.ts";
import { getLogger } from "../log/mod.ts";
import { formatAddress } from "./connection.ts";
import { DenoConnection } from "./deno_connection.ts";
import { AddressInUseError } from "./errors.ts";
import type {
  Address,
  Connection,
  ConnectionHandler,
  ListeningPort,
} from "./interfaces.ts";
import type { Closable, StreamHost } from "./resources.ts";
import { stopOnAbort } from "./_abort.ts";

const logger = getLogger("spindle.reactor");

/** Event-loop rounds with nothing accepted after which a stopping listener closes. */
const DRAIN_IDLE_ROUNDS = 3;
/** The longest a stopping listener goes on taking queued connections. */
const DRAIN_LIMIT_MS = 1_000;
/** Microtasks within which an accept() with a connection queued settles. */
const SETTLE_MICROTASKS = 8;

/**
 * The first pause after a failed `accept()`, doubled after each failure in a
 * row up to {@linkcode MAX_ACCEPT_BACKOFF}, as Go's `net/http` server does.
 * The usual failure is running out of file descriptors (EMFILE): retrying at
 * once only spins, and the queued connections wait in the backlog until a
 * descriptor is free again.
 */
const MIN_ACCEPT_BACKOFF = 5;
/** The longest pause between accept attempts while they keep failing (ms). */
const MAX_ACCEPT_BACKOFF = 1000;

/** Turns an accepted or dialled `Deno.Conn` into a connection (TLS may handshake). */
export type WrapConnection = (
  conn: Deno.Conn,
) => Connection | Promise<Connection>;

/** Wraps a plain `Deno.Conn`: the default {@linkcode WrapConnection}. */
export const wrapPlain: WrapConnection = (conn) => new DenoConnection(conn);

/** What {@linkcode listenStream} opens and how it serves. */
export interface StreamListenRequest {
  /** Opens the `Deno.Listener` (may throw, such as `AddrInUse`). */
  open: () => Deno.Listener;
  /** The address asked for, for error messages. */
  address: string;
  /** Serves each connection. */
  handler: ConnectionHandler;
  /** Turns each accepted socket into a connection; default plain. */
  wrap?: WrapConnection;
  /** Stops listening when aborted; already aborted, the listen fails. */
  signal?: AbortSignal;
}

/**
 * Opens a listener with `request.open` and serves what it accepts, tracked by
 * `host`. Fails with `AddressInUseError` when the address is taken.
 */
export function listenStream(
  host: StreamHost,
  request: StreamListenRequest,
): Deferred<ListeningPort> {
  if (request.signal?.aborted) return fail(request.signal.reason);
  let listener: Deno.Listener;
  try {
    listener = request.open();
  } catch (error) {
    return fail(listenError(error, request.address));
  }
  const { handler } = request;
  const port = new StreamPort(host, listener, handler, request.wrap);
  host.track(port);
  if (typeof handler !== "function") handler.doStart();
  port.start();
  port.stopWhenAborted(request.signal);
  return succeed<ListeningPort>(port);
}

function listenError(error: unknown, address: string): unknown {
  if (error instanceof Deno.errors.AddrInUse) {
    return new AddressInUseError(address, { cause: error });
  }
  return error;
}

/** A listener with its one accept loop (denoland/deno#22885). */
class StreamPort implements ListeningPort, Closable {
  readonly kind = "listener" as const;
  #host: StreamHost;
  #listener: Deno.Listener;
  #handler: ConnectionHandler;
  #wrap: WrapConnection;
  #address: Address;
  #loop: Promise<void> | undefined;
  #stopping: Deferred<void> | undefined;
  /** Whether the Deno listener is closed (some time after stopping began). */
  #closed = false;
  #acceptCount = 0;
  #drainTimer: ReturnType<typeof setTimeout> | undefined;
  /** The current pause after a failed accept; 0 while accepts succeed. */
  #backoff = 0;
  /** Failed accepts not logged yet. */
  #unlogged = 0;
  /** When accept failures were last logged (ms since the epoch). */
  #loggedAt = 0;
  /** Ends the pause after a failed accept at once (to stop listening). */
  #wake: (() => void) | undefined;
  #forgetSignal = () => {};

  constructor(
    host: StreamHost,
    listener: Deno.Listener,
    handler: ConnectionHandler,
    wrap: WrapConnection = wrapPlain,
  ) {
    this.#host = host;
    this.#listener = listener;
    this.#handler = handler;
    this.#wrap = wrap;
    this.#address = listener.addr as Address;
  }

  start(): void {
    this.#loop = this.#acceptLoop();
  }

  stopWhenAborted(signal: AbortSignal | undefined): void {
    this.#forgetSignal = stopOnAbort(signal, () => this.stopListening());
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closed) {
      let raw: Deno.Conn;
      try {
        raw = await this.#nextConnection();
      } catch (error) {
        if (this.#stopping !== undefined) {
          this.#close();
          return;
        }
        if (error instanceof Deno.errors.BadResource) return;
        await this.#backOff(error);
        continue;
      }
      this.#backoff = 0;
      this.#acceptCount++;
      this.#accepted(raw);
    }
  }

  /**
   * The next accepted connection. While stopping, an accept() that finds the
   * queue empty closes the listener at once: Deno tries the socket as soon as
   * accept() is called, so one that has a connection to take settles within
   * a few microtasks.
   */
  #nextConnection(): Promise<Deno.Conn> {
    const accepting = this.#listener.accept();
    if (this.#stopping === undefined) return accepting;
    let settled = false;
    const mark = () => settled = true;
    accepting.then(mark, mark);
    return (async () => {
      for (let i = 0; i < SETTLE_MICROTASKS; i++) await null;
      if (!settled) this.#close();
      return await accepting;
    })();
  }

  /**
   * Closing a listener resets the connections queued on it that it has not
   * accepted yet (Linux hands them to another SO_REUSEPORT socket only with
   * net.ipv4.tcp_migrate_req=1), so a stopping listener first takes what is
   * queued. That narrows the loss without ruling it out: Deno cannot tell
   * for sure that the queue is empty, and the socket is freed an event-loop
   * turn after close(). An accept() that was already waiting when the stop
   * came closes the listener after DRAIN_IDLE_ROUNDS timer rounds in a row
   * with nothing accepted (each round passes through the event loop, which
   * polls the socket); a flood that never lets the queue empty is cut after
   * DRAIN_LIMIT_MS.
   */
  #closeWhenDrained(): void {
    const started = Date.now();
    let seen = this.#acceptCount;
    let idle = 0;
    const check = () => {
      if (this.#acceptCount === seen) idle++;
      else [seen, idle] = [this.#acceptCount, 0];
      if (idle >= DRAIN_IDLE_ROUNDS || Date.now() - started >= DRAIN_LIMIT_MS) {
        this.#close();
      } else {
        this.#drainTimer = setTimeout(check, 1);
      }
    };
    this.#drainTimer = setTimeout(check, 1);
  }

  #close(): void {
    clearTimeout(this.#drainTimer);
    this.#closed = true;
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
  }

  /**
   * Waits before the next accept, longer after each failure in a row, and
   * logs failures at most once per longest pause, with their count, however
   * they come (one long run, or many short ones while connections come and
   * go). The line carries the message but no stack trace: running out of
   * descriptors is the system's state, not a bug, and formatting a stack with
   * no descriptor left can crash Deno itself (it opens the source map).
   */
  async #backOff(error: unknown): Promise<void> {
    this.#unlogged++;
    this.#backoff = Math.min(
      Math.max(this.#backoff * 2, MIN_ACCEPT_BACKOFF),
      MAX_ACCEPT_BACKOFF,
    );
    const now = Date.now();
    if (now - this.#loggedAt >= MAX_ACCEPT_BACKOFF) {
      logger.warn(
        "Accepting on {address} failed ({reason}): {failures} failures since the last report; retrying in {backoff} ms",
        {
          address: formatAddress(this.#address),
          failures: this.#unlogged,
          reason: error instanceof Error ? error.message : String(error),
          backoff: this.#backoff,
        },
      );
      this.#unlogged = 0;
      this.#loggedAt = now;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#backoff);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }

  #accepted(raw: Deno.Conn): void {
    let wrapped: Connection | Promise<Connection>;
    try {
      wrapped = this.#wrap(raw);
    } catch (error) {
      this.#setupFailed(raw, error);
      return;
    }
    if (wrapped instanceof Promise) this.#settingUp(raw, wrapped);
    else this.#serve(wrapped);
  }

  /** A connection still setting up (a TLS handshake may never end) is a resource too. */
  #settingUp(raw: Deno.Conn, wrapped: Promise<Connection>): void {
    const settingUp: Closable = {
      kind: "connection",
      describe: () =>
        `${formatAddress(raw.remoteAddr as Address)} (setting up)`,
      forceClose: () => {
        try {
          raw.close();
        } catch {
          // Closed already.
        }
        return wrapped.then(() => {}, () => {});
      },
    };
    this.#host.track(settingUp);
    wrapped.then(
      (conn) => {
        this.#host.untrack(settingUp);
        this.#serve(conn);
      },
      (error) => {
        this.#host.untrack(settingUp);
        this.#setupFailed(raw, error);
      },
    );
  }

  #serve(conn: Connection): void {
    this.#host.trackConnection(conn);
    this.#host.serve(conn, this.#handler);
  }

  #setupFailed(raw: Deno.Conn, error: unknown): void {
    logger.debug("Setting up a connection on {address} failed", {
      address: formatAddress(this.#address),
      error,
    });
    try {
      raw.close();
    } catch {
      // The failed setup closed it already.
    }
  }

  getHost(): Address {
    return this.#address;
  }

  describe(): string {
    return `${this.#address.transport} listener on ${
      formatAddress(this.#address)
    }`;
  }

  stopListening(): Deferred<void> {
    if (this.#stopping !== undefined) return this.#stopping;
    const stopping = new Deferred<void>();
    this.#stopping = stopping;
    this.#forgetSignal();
    this.#closeWhenDrained();
    this.#wake?.();
    // The port is free again only once the pending accept() has settled.
    (this.#loop ?? Promise.resolve()).then(() => {
      this.#host.untrack(this);
      if (typeof this.#handler !== "function") this.#handler.doStop();
      stopping.callback(undefined);
    });
    return stopping;
  }

  forceClose(): Promise<void> {
    return this.stopListening().asPromise();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stopListening().asPromise();
  }
}
