/**
 * {@linkcode listen}: a listener you pull connections from, shaped like
 * `Deno.Listener` (`accept()`, `for await`, `await using`) over any server
 * endpoint.
 *
 * @module
 */
import { reactor as defaultReactor } from "../deno_reactor.ts";
import type { Address, Connection, ListeningPort } from "../interfaces.ts";
import { ConnectionLostError, ListenerStoppedError } from "../errors.ts";
import { Deferred } from "../../deferred/deferred.ts";
import type { EndpointDefaults, ServerEndpoint } from "./endpoint.ts";
import type { EndpointReactor } from "../interfaces.ts";
import { serverFromString } from "./from_string.ts";
import { stopOnAbort } from "../_abort.ts";
import { formatAddress } from "../connection.ts";

/**
 * How many accepted connections wait for `accept()` by default before newer
 * ones are closed at once: as many as a listen backlog commonly holds.
 */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 128;

/** Options for {@linkcode listen}. */
export interface ListenOptions {
  /** The reactor that listens; default: the default reactor. */
  reactor?: EndpointReactor;
  /** Stops the listener when aborted (an already aborted signal fails the listen). */
  signal?: AbortSignal;
  /**
   * Accepted connections that may wait for `accept()`; a connection beyond
   * them is closed at once. Default {@linkcode DEFAULT_MAX_PENDING_CONNECTIONS}.
   */
  maxPending?: number;
  /** Parameter values for what an endpoint string leaves out. */
  defaults?: EndpointDefaults;
  /** Share the port between processes (SO_REUSEPORT), for an endpoint string. */
  reusePort?: boolean;
}

/**
 * A listening endpoint whose connections are pulled, as from a
 * `Deno.Listener`: `accept()` one, or iterate with `for await` until the
 * listener stops. Each connection is yours to close.
 */
export interface Listener extends ListeningPort, AsyncIterable<Connection> {
  /** The bound address (with the real port when 0 was asked for). */
  readonly addr: Address;
  /**
   * The next connection; rejects with {@linkcode ListenerStoppedError} once
   * the listener stopped and no accepted connection is left waiting.
   */
  accept(): Promise<Connection>;
}

/**
 * Listens on `endpoint` (an endpoint string such as
 * `"tcp:8080:interface=127.0.0.1"`, or a server endpoint) and hands out the
 * connections it accepts through `accept()` and `for await`, like
 * `Deno.listen`. Stopping the listener (`stopListening()`, `await using`, or
 * `options.signal`) ends the iteration and closes the connections accepted
 * but not yet handed out.
 *
 * @example Usage
 * ```ts
 * import { listen, reactor } from "@spindle/spindle/reactor";
 * await using listener = await listen("tcp:0:interface=127.0.0.1");
 * const { port } = listener.addr as Deno.NetAddr;
 * await using client = await reactor.connectTCP("127.0.0.1", port);
 * await using conn = await listener.accept();
 * await client.write(new TextEncoder().encode("hi"));
 * console.assert(new TextDecoder().decode((await conn.read())!) === "hi");
 * ```
 */
export async function listen(
  endpoint: string | ServerEndpoint,
  options: ListenOptions = {},
): Promise<Listener> {
  const { signal } = options;
  signal?.throwIfAborted();
  const server = typeof endpoint === "string"
    ? serverFromString(options.reactor ?? defaultReactor, endpoint, {
      transport: "stream",
      defaults: options.defaults,
      reusePort: options.reusePort,
    })
    : endpoint;
  const queue = new ConnectionQueue(
    options.maxPending ?? DEFAULT_MAX_PENDING_CONNECTIONS,
  );
  const port = await server.listen((conn) => queue.push(conn));
  queue.address = formatAddress(port.getHost());
  const listener = new PullListener(port, queue);
  listener.stopWhenAborted(signal);
  return listener;
}

const ignore = () => {};

/** Accepted connections waiting for `accept()`, and `accept()`s waiting for connections. */
class ConnectionQueue {
  /** The listener's address, for errors. */
  address: string | undefined;
  #maxPending: number;
  #pending: Connection[] = [];
  #waiting: PromiseWithResolvers<Connection>[] = [];
  #stopped = false;

  constructor(maxPending: number) {
    this.#maxPending = maxPending;
  }

  /**
   * Hands `conn` to a waiting `accept()` or keeps it. The reactor closes a
   * connection once its handler settles, so the handler lasts as long as the
   * connection does.
   */
  push(conn: Connection): Promise<void> {
    const lifetime = conn.closed.then(ignore, ignore);
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter.resolve(conn);
    else if (this.#stopped) conn.abort(this.#stoppedError());
    else if (this.#pending.length >= this.#maxPending) {
      conn.abort(
        new ConnectionLostError(
          `Closed at once: ${this.#maxPending} accepted connections were waiting for accept() already; accept faster or raise maxPending`,
        ),
      );
    } else this.#pending.push(conn);
    return lifetime;
  }

  next(): Promise<Connection> {
    const conn = this.#pending.shift();
    if (conn !== undefined) return Promise.resolve(conn);
    if (this.#stopped) return Promise.reject(this.#stoppedError());
    const waiter = Promise.withResolvers<Connection>();
    this.#waiting.push(waiter);
    return waiter.promise;
  }

  /** No more connections: waiting `accept()`s fail, kept connections close. */
  stop(): void {
    this.#stopped = true;
    for (const waiter of this.#waiting.splice(0)) {
      waiter.reject(this.#stoppedError());
    }
    for (const conn of this.#pending.splice(0)) {
      conn.abort(this.#stoppedError());
    }
  }

  #stoppedError(): ListenerStoppedError {
    return new ListenerStoppedError(this.address);
  }
}

class PullListener implements Listener {
  #port: ListeningPort;
  #queue: ConnectionQueue;
  #forgetSignal = ignore;
  #stopping: Deferred<void> | undefined;

  constructor(port: ListeningPort, queue: ConnectionQueue) {
    this.#port = port;
    this.#queue = queue;
  }

  get addr(): Address {
    return this.#port.getHost();
  }

  getHost(): Address {
    return this.#port.getHost();
  }

  stopWhenAborted(signal: AbortSignal | undefined): void {
    this.#forgetSignal = stopOnAbort(signal, () => this.stopListening());
  }

  accept(): Promise<Connection> {
    return this.#queue.next();
  }

  stopListening(): Deferred<void> {
    if (this.#stopping !== undefined) return this.#stopping;
    this.#forgetSignal();
    const stopping = new Deferred<void>();
    this.#stopping = stopping;
    // A stopping port still hands over the connections queued in the kernel:
    // they can be accepted until it has stopped.
    this.#port.stopListening().addCallbacks(
      () => {
        this.#queue.stop();
        stopping.callback(undefined);
      },
      (failure) => {
        this.#queue.stop();
        stopping.errback(failure);
      },
    );
    return stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stopListening().asPromise();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Connection> {
    while (true) {
      try {
        yield await this.#queue.next();
      } catch (error) {
        if (error instanceof ListenerStoppedError) return;
        throw error;
      }
    }
  }
}
