/**
 * Services that listen on an endpoint while they run (Twisted's
 * `StreamServerEndpointService`), with graceful draining on stop.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type {
  Address,
  Connection,
  ConnectionHandler,
  ListeningPort,
} from "../reactor/interfaces.ts";
import type { DelayedCall } from "../reactor/time.ts";
import { reactor as defaultReactor } from "../reactor/deno_reactor.ts";
import { formatAddress } from "../reactor/connection.ts";
import { ConnectionLostError } from "../reactor/errors.ts";
import {
  type AnyServerEndpoint,
  type EndpointDefaults,
  type EndpointReactor,
  serverFromString,
} from "../reactor/endpoints/mod.ts";
import { getLogger } from "../log/mod.ts";
import { Application } from "./application.ts";
import { Service } from "./service.ts";
import type { ListeningService } from "./listening_service.ts";
import { workerId } from "./worker_id.ts";
import { requireTransport } from "./_endpoint_transport.ts";

const log = getLogger("spindle.app");

/** Something that can start listening with a handler (a server endpoint). */
export interface StreamServerEndpoint {
  /** Starts listening; resolves to the port once bound. */
  listen(handler: ConnectionHandler): PromiseLike<ListeningPort>;
}

/**
 * A handler that can wind its connections down when the server stops (such
 * as `HTTPFactory`, which closes idle keep-alive connections at once and busy
 * ones after their current response).
 */
export interface Drainable {
  /**
   * Called once the listener has closed. It need not wait for the
   * connections: the service does, until the drain deadline.
   */
  drain(): unknown;
}

/** Options for {@linkcode StreamServerEndpointService}. */
export interface StreamServerEndpointServiceOptions {
  /** The reactor that listens and times the drain; default: the default reactor. */
  reactor?: EndpointReactor;
  /**
   * Bind TCP ports with `SO_REUSEPORT`, so that several processes share them;
   * default: `true` in a `spindle --workers` worker, else `false`.
   */
  reusePort?: boolean;
  /**
   * Parameter values for what an endpoint string leaves out, such as HTTP's
   * `{ alpn: "http/1.1" }` for `tls:` endpoints; the string's own win.
   */
  defaults?: EndpointDefaults;
  /**
   * Milliseconds that open connections get to finish after the listener
   * closes, before they are cut; default: the enclosing
   * {@linkcode Application}'s `shutdownTimeout`, or 10000.
   */
  drainTimeout?: number;
  /** The service's name in its parent. */
  name?: string;
}

/**
 * The reason given to connections cut at the drain deadline. It is a
 * {@linkcode ConnectionLostError}: for the handler, the connection was lost.
 */
export class DrainTimeoutError extends ConnectionLostError {
  /** Creates the error for a deadline of `ms` milliseconds. */
  constructor(ms: number) {
    super(
      `The server stopped and this connection was still open ${ms} ms later: raise --shutdown-timeout to give connections longer`,
    );
  }
}

function isDrainable(value: unknown): value is Drainable {
  return typeof (value as Partial<Drainable>)?.drain === "function";
}

/**
 * Listens on `endpoint` (an endpoint string such as
 * `"tcp:8080:interface=127.0.0.1"`, or an endpoint object) while running and
 * serves each connection with `handler`. A bad endpoint string throws from
 * the constructor (`EndpointDescriptionError`), before anything starts.
 * Stopping happens in two steps: `stopAccepting()` closes the
 * listener (and calls the handler's `drain()` if it has one), then
 * `stopService()` waits for the open connections to finish until the drain
 * deadline and aborts the rest with {@linkcode DrainTimeoutError}.
 *
 * @example Usage
 * ```ts
 * import { Application, StreamServerEndpointService } from "@spindle/spindle/app";
 *
 * const application = new Application("echo");
 * new StreamServerEndpointService("tcp:0:interface=127.0.0.1", async (conn) => {
 *   await conn.readable.pipeTo(conn.writable);
 * }).setServiceParent(application);
 * await application.startService();
 * await application.stopService();
 * ```
 */
export class StreamServerEndpointService extends Service
  implements ListeningService {
  /** The endpoint listened on. */
  readonly endpoint: StreamServerEndpoint;
  /** The handler of each accepted connection. */
  readonly handler: ConnectionHandler;
  #reactor: EndpointReactor;
  #drainTimeout: number | undefined;
  #port: ListeningPort | undefined;
  #closing: Deferred<void> | undefined;
  #connections = new Set<Connection>();

  /** Creates the service; nothing listens until it starts. */
  constructor(
    endpoint: string | StreamServerEndpoint | AnyServerEndpoint,
    handler: ConnectionHandler,
    options: StreamServerEndpointServiceOptions = {},
  ) {
    super(options.name);
    this.#reactor = options.reactor ?? defaultReactor;
    this.endpoint = typeof endpoint === "string"
      ? serverFromString(this.#reactor, endpoint, {
        transport: "stream",
        defaults: options.defaults,
        reusePort: options.reusePort ?? workerId() !== undefined,
      })
      : requireTransport<StreamServerEndpoint>(endpoint, "stream");
    this.handler = handler;
    this.#drainTimeout = options.drainTimeout;
  }

  /** The listening port while the service runs. */
  get port(): ListeningPort | undefined {
    return this.#port;
  }

  /** How many accepted connections are still open. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** The bound address, once listening. */
  listeningAddresses(): Address[] {
    return this.#port === undefined ? [] : [this.#port.getHost()];
  }

  #track(conn: Connection): void {
    this.#connections.add(conn);
    const forget = () => this.#connections.delete(conn);
    conn.closed.then(forget, forget);
  }

  #trackingHandler(): ConnectionHandler {
    const handler = this.handler;
    if (typeof handler === "function") {
      return (conn) => {
        this.#track(conn);
        return handler(conn);
      };
    }
    return {
      doStart: () => handler.doStart(),
      doStop: () => handler.doStop(),
      handleConnection: (conn, reactor) => {
        this.#track(conn);
        return handler.handleConnection(conn, reactor);
      },
    };
  }

  /** Starts listening; fails (and stays stopped) when the endpoint cannot be bound. */
  override startService(): Deferred<void> {
    super.startService();
    this.#closing = undefined;
    return Deferred.fromPromise(
      (async () => {
        try {
          this.#port = await this.endpoint.listen(this.#trackingHandler());
        } catch (error) {
          this.running = false;
          throw error;
        }
        log.debug("listening on {address}", {
          address: formatAddress(this.#port.getHost()),
        });
      })(),
    );
  }

  /** Closes the listener (once), then asks a drainable handler to wind down. */
  override stopAccepting(): Deferred<void> {
    this.#closing ??= Deferred.fromPromise(this.#closeListener());
    return this.#closing;
  }

  async #closeListener(): Promise<void> {
    const port = this.#port;
    if (port === undefined) return;
    await port.stopListening();
    log.debug("stopped listening on {address}", {
      address: formatAddress(port.getHost()),
    });
    if (isDrainable(this.handler)) {
      const failed = (error: unknown) =>
        log.error("draining the handler on {address} failed", {
          address: formatAddress(port.getHost()),
          error,
        });
      try {
        Promise.resolve(this.handler.drain()).catch(failed);
      } catch (error) {
        failed(error);
      }
    }
  }

  /** Closes the listener if still open, then drains the connections. */
  override stopService(): Deferred<void> {
    super.stopService();
    return Deferred.fromPromise(
      (async () => {
        await this.stopAccepting();
        await this.#drain();
        this.#port = undefined;
      })(),
    );
  }

  #effectiveDrainTimeout(): number {
    if (this.#drainTimeout !== undefined) return this.#drainTimeout;
    for (let parent = this.parent; parent !== null; parent = parent.parent) {
      if (parent instanceof Application) return parent.shutdownTimeout;
    }
    return 10_000;
  }

  async #drain(): Promise<void> {
    if (this.#connections.size === 0) return;
    const ms = this.#effectiveDrainTimeout();
    log.info("waiting up to {ms} ms for {count} open connections", {
      ms,
      count: this.#connections.size,
    });
    let timer: DelayedCall | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = this.#reactor.callLater(ms, resolve);
    });
    const allClosed = Promise.all(
      [...this.#connections].map((conn) => conn.closed.catch(() => {})),
    );
    await Promise.race([allClosed, deadline]);
    if (timer?.active()) timer.cancel();
    if (this.#connections.size === 0) return;
    log.warn("cutting {count} connections still open after {ms} ms", {
      count: this.#connections.size,
      ms,
    });
    const cut = [...this.#connections];
    for (const conn of cut) conn.abort(new DrainTimeoutError(ms));
    await Promise.all(cut.map((conn) => conn.closed.catch(() => {})));
  }
}
