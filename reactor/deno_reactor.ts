/**
 * {@linkcode DenoReactor}: the {@linkcode Reactor} on `Deno.listen` /
 * `Deno.connect` and real timers, and the default instance `reactor`. The
 * transports live in their own files (`tcp.ts`, `unix.ts`, `tls.ts`,
 * `udp.ts`); the reactor tracks what they open and serves their connections.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import { getLogger } from "../log/mod.ts";
import { formatAddress } from "./connection.ts";
import type { TLSInfo } from "./deno_connection.ts";
import { TimerScheduler } from "./delayed_call.ts";
import { ConnectionLostError, ProtocolError } from "./errors.ts";
import type {
  Connection,
  ConnectionHandler,
  ConnectTCPOptions,
  DatagramHandler,
  DatagramTransport,
  ListeningPort,
  ListenTCPOptions,
  ListenUDPOptions,
  Reactor,
} from "./interfaces.ts";
import { Lifecycle } from "./lifecycle.ts";
import { type Closable, type OpenResource, ResourceSet } from "./resources.ts";
import { connectTCP, listenTCP } from "./tcp.ts";
import type { DelayedCall } from "./time.ts";
import {
  connectTLS,
  type ConnectTLSOptions,
  listenTLS,
  type ListenTLSOptions,
  startTLS,
  type StartTLSOptions,
} from "./tls.ts";
import { listenUDP } from "./udp.ts";
import {
  connectUnix,
  type ConnectUnixOptions,
  listenUnix,
  type ListenUnixOptions,
} from "./unix.ts";

const logger = getLogger("spindle.reactor");

/**
 * The reactor on the Deno runtime: TCP, Unix and TLS listeners and
 * connections, UDP ports, real timers and a lifecycle (`run` / `stop` with
 * system event triggers). Create as many as you like: tests use their own, and
 * each can be run and stopped repeatedly.
 *
 * @example Usage
 * ```ts
 * import { DenoReactor } from "@spindle/spindle/reactor";
 * const reactor = new DenoReactor();
 * const port = await reactor.listenTCP(0, async (conn) => {
 *   await conn.readable.pipeTo(conn.writable);
 * }, { interface: "127.0.0.1" });
 * const { port: portNumber } = port.getHost() as Deno.NetAddr;
 * const conn = await reactor.connectTCP("127.0.0.1", portNumber);
 * await conn.write(new TextEncoder().encode("hi"));
 * console.assert(new TextDecoder().decode((await conn.read())!) === "hi");
 * await conn.close();
 * await port.stopListening();
 * ```
 */
export class DenoReactor extends Lifecycle implements Reactor {
  #time = new TimerScheduler({
    onError: (error) => logger.error("A delayed call threw", { error }),
  });
  #resources = new ResourceSet();

  /** The current time in seconds. */
  seconds(): number {
    return this.#time.seconds();
  }

  /** The current time in milliseconds. */
  now(): number {
    return this.#time.now();
  }

  /** Runs `fn(...args)` after `ms` milliseconds. */
  callLater<A extends unknown[]>(
    ms: number,
    fn: (...args: A) => unknown,
    ...args: A
  ): DelayedCall {
    return this.#time.callLater(ms, fn, ...args);
  }

  /** The calls still pending. */
  getDelayedCalls(): DelayedCall[] {
    return this.#time.getDelayedCalls();
  }

  /**
   * Listens on TCP `port` (0 for any free port) and serves each connection
   * with `handler`. Fails with `AddressInUseError` when the port is taken.
   */
  listenTCP(
    port: number,
    handler: ConnectionHandler,
    options: ListenTCPOptions = {},
  ): Deferred<ListeningPort> {
    return listenTCP(this, port, handler, options);
  }

  /**
   * Connects to `host:port` over TCP. The Deferred is cancellable and honours
   * `addTimeout`; `options.timeout` fails it with `ConnectTimeoutError`.
   */
  connectTCP(
    host: string,
    port: number,
    options: ConnectTCPOptions = {},
  ): Deferred<Connection> {
    return connectTCP(this, host, port, options);
  }

  /**
   * Listens on the Unix socket `path`. A stale socket file (nobody answers on
   * it) is replaced; a live one fails with `AddressInUseError`.
   */
  listenUnix(
    path: string,
    handler: ConnectionHandler,
    options: ListenUnixOptions = {},
  ): Deferred<ListeningPort> {
    return listenUnix(this, path, handler, options);
  }

  /** Connects to the Unix socket at `path`. */
  connectUnix(
    path: string,
    options: ConnectUnixOptions = {},
  ): Deferred<Connection> {
    return connectUnix(this, path, options);
  }

  /**
   * Listens for TLS connections on `port`, with ALPN and, given `sni`,
   * several certificates chosen by server name (see `reactor/tls.ts`).
   */
  listenTLS(
    port: number,
    handler: ConnectionHandler,
    options: ListenTLSOptions,
  ): Deferred<ListeningPort> {
    return listenTLS(this, port, handler, options);
  }

  /** Connects to `host:port` over TLS; fires once the handshake succeeded. */
  connectTLS(
    host: string,
    port: number,
    options: ConnectTLSOptions = {},
  ): Deferred<Connection> {
    return connectTLS(this, host, port, options);
  }

  /** Starts TLS on a live connection (STARTTLS), as client or server. */
  startTLS(conn: Connection, options: StartTLSOptions): Promise<TLSInfo> {
    return startTLS(conn, options);
  }

  /**
   * Binds UDP `port` (0 for any free port) and feeds each datagram to
   * `handler` (needs `--unstable-net`).
   */
  listenUDP(
    port: number,
    handler: DatagramHandler,
    options: ListenUDPOptions = {},
  ): Deferred<DatagramTransport> {
    return listenUDP(this, port, handler, options);
  }

  /** @internal Tracks a resource so `openResources()` and `cleanUp()` see it. */
  track(resource: Closable): void {
    this.#resources.add(resource);
  }

  /** @internal Stops tracking a resource that closed. */
  untrack(resource: Closable): void {
    this.#resources.delete(resource);
  }

  /** @internal Tracks a connection until it closes. */
  trackConnection(conn: Connection): void {
    this.#resources.addConnection(conn);
  }

  /**
   * Serves `conn` with `handler`. When the handler returns a promise, the
   * connection is closed (after its pending writes) once it settles; a handler
   * that throws or rejects is logged and its connection aborted, and the
   * listener goes on.
   */
  serve(conn: Connection, handler: ConnectionHandler): void {
    let result: void | Promise<void>;
    try {
      result = typeof handler === "function"
        ? handler(conn)
        : handler.handleConnection(conn, this);
    } catch (error) {
      handlerFailed(conn, error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        () => void conn.close(),
        (error) => handlerFailed(conn, error),
      );
    }
  }

  /**
   * At shutdown: stops the listeners, closes the connections (flushing
   * what they have to send, for at most `shutdownTimeout` ms, then aborting
   * the rest) and cancels the pending calls, which would never run in a
   * stopped reactor.
   */
  protected override async disconnectAll(): Promise<void> {
    await this.#resources.closeGracefully(this.shutdownTimeout);
    await this.cleanUp();
  }

  /** What is still open: listeners, connections, pending delayed calls. */
  openResources(): OpenResource[] {
    const open = this.#resources.list();
    for (const call of this.getDelayedCalls()) {
      open.push({
        kind: "delayed call",
        description: describeCall(call, this.now()),
      });
    }
    return open;
  }

  /**
   * Closes everything still open: stops listeners, aborts connections and
   * cancels delayed calls. Resolves when all of it is released.
   */
  async cleanUp(): Promise<void> {
    for (const call of this.getDelayedCalls()) {
      if (call.active()) call.cancel();
    }
    await this.#resources.forceCloseAll();
  }
}

function describeCall(call: DelayedCall, now: number): string {
  const fn = (call as { fn?: { name?: string } }).fn;
  const name = fn?.name ? `${fn.name}()` : "an anonymous function";
  return `${name} due in ${Math.round(call.getTime() - now)} ms`;
}

function handlerFailed(conn: Connection, error: unknown): void {
  const peer = formatAddress(conn.remoteAddr);
  if (error instanceof ConnectionLostError) {
    // The peer went away or the connection was aborted: not a handler bug.
    logger.debug("The connection from {peer} was lost", { peer, error });
  } else if (error instanceof ProtocolError) {
    logger.warn("Closing the connection from {peer}: {message}", {
      peer,
      message: error.message,
      error,
    });
  } else {
    logger.error("The handler for the connection from {peer} failed", {
      peer,
      error,
    });
  }
  conn.abort(error);
}

/**
 * The default reactor, for programs that need only one. Tests should make
 * their own (`t.reactor` in trial) so they stay isolated.
 *
 * @example Usage
 * ```ts
 * import { reactor } from "@spindle/spindle/reactor";
 * const call = reactor.callLater(10, () => {});
 * call.cancel();
 * ```
 */
export const reactor: DenoReactor = new DenoReactor();
