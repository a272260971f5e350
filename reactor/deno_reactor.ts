/**
 * {@linkcode DenoReactor}: the {@linkcode Reactor} on `Deno.listen` /
 * `Deno.connect` and real timers, and the default instance `reactor`.
 *
 * @module
 */
import { Deferred, fail, succeed } from "../deferred/deferred.ts";
import { getLogger } from "../log/mod.ts";
import { DenoConnection } from "./deno_connection.ts";
import { formatAddress } from "./connection.ts";
import {
  AddressInUseError,
  ConnectionLostError,
  ConnectionRefusedError,
  ConnectTimeoutError,
  DNSLookupError,
  ProtocolError,
} from "./errors.ts";
import type {
  Address,
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
import type { DelayedCall } from "./time.ts";
import { TimerScheduler } from "./delayed_call.ts";
import { Lifecycle } from "./lifecycle.ts";
import { listenUDP } from "./udp.ts";
import type { TLSInfo } from "./deno_connection.ts";
import {
  connectTLS,
  type ConnectTLSOptions,
  listenTLS,
  type ListenTLSOptions,
  startTLS,
  type StartTLSOptions,
} from "./tls.ts";

const logger = getLogger("spindle.reactor");

/** Options for {@linkcode DenoReactor.listenUnix}. */
export interface ListenUnixOptions {
  /** Replace a stale socket file left by a process that is gone (default `true`). */
  removeStale?: boolean;
}

/** Options for {@linkcode DenoReactor.connectUnix}. */
export interface ConnectUnixOptions {
  /** Serves the new connection, as for a listener. */
  handler?: ConnectionHandler;
  /** Milliseconds before the attempt fails with `ConnectTimeoutError`. */
  timeout?: number;
}

/** A resource still open in a reactor, as listed by `openResources()`. */
export interface OpenResource {
  /** What kind of resource it is. */
  kind: "listener" | "connection" | "delayed call" | "datagram port";
  /** A human description: its address or what it will call. */
  description: string;
}

/** Turns an accepted or dialled `Deno.Conn` into a connection (TLS may handshake). */
type Wrap = (conn: Deno.Conn) => Connection | Promise<Connection>;

/** Something the reactor can close when it cleans up. */
interface Closable {
  readonly kind: OpenResource["kind"];
  describe(): string;
  forceClose(): Promise<void>;
  close?(): Promise<void>;
}

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
  #resources = new Set<Closable>();

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
    const hostname = options.interface ?? "0.0.0.0";
    return this.#listen(
      () =>
        Deno.listen({
          hostname,
          port,
          transport: "tcp",
          reusePort: options.reusePort,
        }),
      formatAddress({ transport: "tcp", hostname, port }),
      handler,
    );
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
    const deferred = new Deferred<ListeningPort>();
    checkUnixPath(path, options.removeStale ?? true).then(
      () => {
        this.#listen(
          () => Deno.listen({ transport: "unix", path }),
          path,
          handler,
        ).chainDeferred(deferred);
      },
      (error) => deferred.errback(error),
    );
    return deferred;
  }

  /** @internal Starts a listener made by `open` (TCP, Unix or TLS). */
  listenWith(
    open: () => Deno.Listener,
    address: string,
    handler: ConnectionHandler,
    wrap: Wrap = (conn) => new DenoConnection(conn),
  ): Deferred<ListeningPort> {
    return this.#listen(open, address, handler, wrap);
  }

  #listen(
    open: () => Deno.Listener,
    address: string,
    handler: ConnectionHandler,
    wrap: Wrap = (conn) => new DenoConnection(conn),
  ): Deferred<ListeningPort> {
    let listener: Deno.Listener;
    try {
      listener = open();
    } catch (error) {
      return fail(listenError(error, address));
    }
    const port = new StreamPort(this, listener, handler, wrap);
    this.track(port);
    if (typeof handler !== "function") handler.doStart();
    port.start();
    return succeed<ListeningPort>(port);
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
    if (options.bindAddress !== undefined) {
      return fail(
        new TypeError(
          "connectTCP: bindAddress is not supported on Deno.connect; leave it out to let the system choose the local address",
        ),
      );
    }
    return this.connectWith(
      (signal) =>
        Deno.connect({ hostname: host, port, transport: "tcp", signal }),
      { host, port, timeout: options.timeout, handler: options.handler },
    );
  }

  /** Connects to the Unix socket at `path`. */
  connectUnix(
    path: string,
    options: ConnectUnixOptions = {},
  ): Deferred<Connection> {
    return this.connectWith(
      () => Deno.connect({ transport: "unix", path }),
      { host: path, port: 0, ...options },
    );
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

  /** @internal Runs a connection attempt with cancellation, timeout and error mapping. */
  connectWith(
    open: (signal: AbortSignal) => Promise<Deno.Conn>,
    attempt: {
      host: string;
      port: number;
      timeout?: number;
      handler?: ConnectionHandler;
      wrap?: Wrap;
    },
  ): Deferred<Connection> {
    let settled = false;
    let timer: DelayedCall | undefined;
    // Aborts a connect still in flight when the attempt is abandoned.
    const abandon = new AbortController();
    const deferred = new Deferred<Connection>(() => {
      settled = true;
      if (timer?.active()) timer.cancel();
      abandon.abort();
    });
    const wrap = attempt.wrap ??
      ((conn: Deno.Conn) => new DenoConnection(conn));
    if (attempt.timeout !== undefined) {
      timer = this.callLater(attempt.timeout, () => {
        if (settled) return;
        settled = true;
        abandon.abort();
        deferred.errback(
          new ConnectTimeoutError(attempt.host, attempt.port, attempt.timeout!),
        );
      });
    }
    (async () => {
      const conn = await open(abandon.signal);
      try {
        return await wrap(conn);
      } catch (error) {
        try {
          conn.close();
        } catch {
          // The wrapper may have closed it already.
        }
        throw error;
      }
    })().then(
      (conn) => {
        if (settled) {
          // Abandoned (cancelled or timed out) while the connect was in flight.
          conn.abort();
          return;
        }
        settled = true;
        if (timer?.active()) timer.cancel();
        this.trackConnection(conn);
        deferred.callback(conn);
        if (attempt.handler !== undefined) this.serve(conn, attempt.handler);
      },
      (error) => {
        if (settled) return;
        settled = true;
        if (timer?.active()) timer.cancel();
        deferred.errback(connectError(error, attempt.host, attempt.port));
      },
    );
    return deferred;
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
    const resource: Closable = {
      kind: "connection",
      describe: () =>
        `${formatAddress(conn.localAddr)} -> ${formatAddress(conn.remoteAddr)}`,
      forceClose: () => {
        conn.abort();
        return conn.closed.catch(() => {});
      },
      close: () => conn.close(),
    };
    this.#resources.add(resource);
    conn.closed.then(
      () => this.#resources.delete(resource),
      () => this.#resources.delete(resource),
    );
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
    const resources = [...this.#resources];
    await Promise.all(
      resources.filter((r) => r.kind !== "connection").map((r) =>
        r.forceClose()
      ),
    );
    const closing = resources.filter((r) => r.kind === "connection").map((r) =>
      (r.close ?? r.forceClose)()
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.shutdownTimeout);
    });
    await Promise.race([Promise.all(closing), deadline]);
    clearTimeout(timer);
    await this.cleanUp();
  }

  /** What is still open: listeners, connections, pending delayed calls. */
  openResources(): OpenResource[] {
    const open: OpenResource[] = [];
    for (const resource of this.#resources) {
      open.push({ kind: resource.kind, description: resource.describe() });
    }
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
    const resources = [...this.#resources];
    this.#resources.clear();
    await Promise.all(resources.map((resource) => resource.forceClose()));
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

function listenError(error: unknown, address: string): unknown {
  if (error instanceof Deno.errors.AddrInUse) {
    return new AddressInUseError(address, { cause: error });
  }
  return error;
}

function connectError(error: unknown, host: string, port: number): unknown {
  if (error instanceof Deno.errors.ConnectionRefused) {
    return new ConnectionRefusedError(host, port, { cause: error });
  }
  if (
    error instanceof Deno.errors.NotFound && port === 0 /* a Unix path */
  ) {
    return new ConnectionRefusedError(host, port, { cause: error });
  }
  if (
    error instanceof Error &&
    /lookup address|Name or service not known|No address associated|nodename nor servname|Temporary failure in name resolution/i
      .test(error.message)
  ) {
    return new DNSLookupError(host, { cause: error });
  }
  return error;
}

async function checkUnixPath(
  path: string,
  removeStale: boolean,
): Promise<void> {
  try {
    await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  let live = false;
  try {
    const probe = await Deno.connect({ transport: "unix", path });
    probe.close();
    live = true;
  } catch {
    // Nobody answers: the file is stale.
  }
  if (live || !removeStale) throw new AddressInUseError(path);
  await Deno.remove(path);
}

/** A listener with its one accept loop (denoland/deno#22885). */
class StreamPort implements ListeningPort, Closable {
  readonly kind = "listener" as const;
  #reactor: DenoReactor;
  #listener: Deno.Listener;
  #handler: ConnectionHandler;
  #wrap: Wrap;
  #address: Address;
  #loop: Promise<void> | undefined;
  #stopping: Deferred<void> | undefined;

  constructor(
    reactor: DenoReactor,
    listener: Deno.Listener,
    handler: ConnectionHandler,
    wrap: Wrap,
  ) {
    this.#reactor = reactor;
    this.#listener = listener;
    this.#handler = handler;
    this.#wrap = wrap;
    this.#address = listener.addr as Address;
  }

  start(): void {
    this.#loop = this.#acceptLoop();
  }

  async #acceptLoop(): Promise<void> {
    while (this.#stopping === undefined) {
      let raw: Deno.Conn;
      try {
        raw = await this.#listener.accept();
      } catch (error) {
        if (this.#stopping !== undefined) return;
        if (error instanceof Deno.errors.BadResource) return;
        logger.warn("Accepting on {address} failed; going on", {
          address: formatAddress(this.#address),
          error,
        });
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      let wrapped: Connection | Promise<Connection>;
      try {
        wrapped = this.#wrap(raw);
      } catch (error) {
        this.#setupFailed(raw, error);
        continue;
      }
      if (wrapped instanceof Promise) {
        // Still a resource while it sets up (a TLS handshake may never end).
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
        this.#reactor.track(settingUp);
        wrapped.then(
          (conn) => {
            this.#reactor.untrack(settingUp);
            this.#serve(conn);
          },
          (error) => {
            this.#reactor.untrack(settingUp);
            this.#setupFailed(raw, error);
          },
        );
      } else {
        this.#serve(wrapped);
      }
    }
  }

  #serve(conn: Connection): void {
    this.#reactor.trackConnection(conn);
    this.#reactor.serve(conn, this.#handler);
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
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    // The port is free again only once the pending accept() has settled.
    (this.#loop ?? Promise.resolve()).then(() => {
      this.#reactor.untrack(this);
      if (typeof this.#handler !== "function") this.#handler.doStop();
      stopping.callback(undefined);
    });
    return stopping;
  }

  forceClose(): Promise<void> {
    return this.stopListening().asPromise();
  }
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
