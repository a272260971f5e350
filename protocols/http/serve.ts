/**
 * `serveHTTP`: listen on an endpoint and serve a handler, in one call, with
 * the arguments `Deno.serve` takes.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  type EndpointReactor,
  type ServerEndpoint,
  serverFromString,
} from "../../reactor/endpoints/mod.ts";
import type { Address, RunningServer } from "../../reactor/interfaces.ts";
import { runningServer } from "../../reactor/running_server.ts";
import { HTTP_1_1_ALPN } from "./constants.ts";
import { H2_ALPN } from "../http2/mod.ts";
import type { ServeHandler } from "./handler.ts";
import { HTTPFactory, type ServeOptions } from "./server.ts";

/** The port `serveHTTP` listens on when told neither `listen` nor `port`: `Deno.serve`'s. */
export const DEFAULT_HTTP_PORT = 8000;

/**
 * Options for {@linkcode serveHTTP}: `Deno.serve`'s (`port`, `hostname`,
 * `signal`, `onListen`, `onError`, `handler`), Spindle's endpoint strings
 * (`listen`), and the server's limits and timeouts.
 */
export interface ServeHTTPOptions extends ServeOptions {
  /**
   * Where to listen: an endpoint string (`"tcp:8080:interface=127.0.0.1"`,
   * `"tls:8443:certKey=c.pem:privateKey=k.pem"`, `"unix:/run/app.sock"`) or
   * an endpoint object. A TLS endpoint (`tls:` or `ssl:`) offers ALPN
   * `h2` and `http/1.1` (`http/1.1` alone with `http2: false`) unless it
   * names its own protocols. When given, `port` and
   * `hostname` must not be.
   */
  listen?: string | ServerEndpoint;
  /** The TCP port, as in `Deno.serve` (0 for any free port); default {@linkcode DEFAULT_HTTP_PORT}. */
  port?: number;
  /** The interface to bind, as in `Deno.serve`; default `"0.0.0.0"`. */
  hostname?: string;
  /**
   * Shuts the server down gracefully when aborted, as `shutdown()` does (an
   * already aborted signal shuts it down as soon as it listens).
   */
  signal?: AbortSignal;
  /** Called once the server listens, with its address (nothing is printed by default). */
  onListen?: (addr: Address) => void;
  /** The handler, for the one-argument form `serveHTTP({ handler, port })`. */
  handler?: ServeHandler;
  /** Share the port between processes (SO_REUSEPORT), for an endpoint string. */
  reusePort?: boolean;
  /** The reactor to listen with (and, unless `clock` is given, to time with). */
  reactor?: EndpointReactor;
}

/** A running server started by {@linkcode serveHTTP}: the shared `RunningServer`, plus its factory. */
export interface HTTPServer extends RunningServer {
  /** The factory serving the connections (its `connectionCount`, `drain()`). */
  readonly factory: HTTPFactory;
}

/**
 * What {@linkcode serveHTTP} returns at once, as `Deno.serve` returns its
 * server: `finished`, `shutdown()` and `await using` work before it listens;
 * awaiting it gives the {@linkcode HTTPServer} once it listens (and throws
 * when it cannot), whose `addr` is known.
 */
export interface StartingHTTPServer extends PromiseLike<HTTPServer> {
  /** The factory serving the connections. */
  readonly factory: HTTPFactory;
  /**
   * The bound address; throws {@linkcode ServerNotListeningError} until the
   * server listens (await the server, or use `onListen`).
   */
  readonly addr: Address;
  /**
   * Resolves once the server has shut down (or failed to listen: awaiting
   * the server tells why).
   */
  readonly finished: Promise<void>;
  /** Stops listening once it listens, then lets the connections in flight finish. */
  shutdown(): Promise<void>;
  /** Shuts down, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The address of a server that does not listen yet was asked for: await the
 * server returned by `serveHTTP`, or take the address from `onListen`.
 *
 * @example Usage
 * ```ts
 * import { ServerNotListeningError } from "@spindle/spindle/protocols/http";
 * const error = new ServerNotListeningError();
 * console.assert(error.name === "ServerNotListeningError");
 * ```
 */
export class ServerNotListeningError extends Error {
  /** Creates the error. */
  constructor(options?: ErrorOptions) {
    super(
      "The server does not listen yet, so it has no address: await the server serveHTTP returns (or use onListen) before reading addr",
      options,
    );
    this.name = "ServerNotListeningError";
  }
}

/**
 * Listens and serves `handler`, taking `Deno.serve`'s arguments:
 * `serveHTTP(handler)`, `serveHTTP(handler, options)`,
 * `serveHTTP(options, handler)` or `serveHTTP({ handler, ...options })`.
 * Where to listen is `options.listen` (an endpoint string or object), or
 * `port` and `hostname` as in `Deno.serve` (default port
 * {@linkcode DEFAULT_HTTP_PORT} on `0.0.0.0`). `shutdown()` (or aborting
 * `options.signal`) stops listening, closes idle connections and lets busy
 * ones finish their response. A datagram endpoint (`udp:`) is refused with
 * `EndpointTransportError`.
 *
 * It returns at once, as `Deno.serve` does; await it for the listening
 * server. A failure to listen (the port is taken) rejects that await, or,
 * when nothing awaits the server, is thrown as an unhandled error, as
 * `Deno.serve` throws it.
 *
 * @example Usage
 * ```ts
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * await using server = await serveHTTP({ port: 0, hostname: "127.0.0.1" }, () =>
 *   new Response("hello")
 * );
 * const { port } = server.addr as Deno.NetAddr;
 * const response = await fetch(`http://127.0.0.1:${port}/`);
 * console.assert(await response.text() === "hello");
 * ```
 */
export function serveHTTP(
  handler: ServeHandler,
  options?: ServeHTTPOptions,
): StartingHTTPServer;
/**
 * `Deno.serve`'s options-first form: `serveHTTP({ port: 8000 }, handler)`.
 *
 * @example Usage
 * ```ts
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * const controller = new AbortController();
 * const server = serveHTTP(
 *   { port: 0, hostname: "127.0.0.1", signal: controller.signal },
 *   () => new Response("hello"),
 * );
 * controller.abort();
 * await server.finished;
 * ```
 */
export function serveHTTP(
  options: ServeHTTPOptions,
  handler: ServeHandler,
): StartingHTTPServer;
/**
 * `Deno.serve`'s one-object form: `serveHTTP({ handler, port: 8000 })`.
 *
 * @example Usage
 * ```ts
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * await using _server = await serveHTTP({
 *   handler: () => new Response("hello"),
 *   listen: "tcp:0:interface=127.0.0.1",
 * });
 * ```
 */
export function serveHTTP(
  options: ServeHTTPOptions & { handler: ServeHandler },
): StartingHTTPServer;
export function serveHTTP(
  first: ServeHandler | ServeHTTPOptions,
  second?: ServeHTTPOptions | ServeHandler,
): StartingHTTPServer {
  const [handler, options] = typeof first === "function"
    ? [first, (second ?? {}) as ServeHTTPOptions]
    : [(second as ServeHandler | undefined) ?? first.handler, first];
  if (typeof handler !== "function") {
    throw new TypeError(
      "serveHTTP needs a handler: pass a function (request) => Response, first, second or as options.handler",
    );
  }
  const reactor = options.reactor ?? defaultReactor;
  const endpoint = endpointOf(reactor, options);
  const factory = new HTTPFactory(handler, {
    clock: reactor,
    secure: endpoint.secure,
    ...options,
  });
  return new ServerStart(endpoint, factory, options);
}

function endpointOf(
  reactor: EndpointReactor,
  options: ServeHTTPOptions,
): ServerEndpoint {
  const { listen, port, hostname } = options;
  if (listen !== undefined && (port !== undefined || hostname !== undefined)) {
    throw new TypeError(
      "serveHTTP takes either listen or port/hostname: put the port and interface in the endpoint string (tcp:PORT:interface=HOST)",
    );
  }
  const description = listen ??
    `tcp:${port ?? DEFAULT_HTTP_PORT}:interface=${
      hostname?.includes(":") ? `[${hostname}]` : (hostname ?? "0.0.0.0")
    }`;
  return typeof description === "string"
    ? serverFromString(reactor, description, {
      transport: "stream",
      // HTTP/2 first when it is served (RFC 7301: the server picks).
      defaults: {
        alpn: options.http2 === false
          ? HTTP_1_1_ALPN
          : `${H2_ALPN},${HTTP_1_1_ALPN}`,
      },
      reusePort: options.reusePort,
    })
    : description;
}

const ignore = () => {};

/** A server on its way to listening: the object `serveHTTP` returns. */
class ServerStart implements StartingHTTPServer {
  readonly factory: HTTPFactory;
  readonly finished: Promise<void>;
  #listening: Promise<HTTPServer>;
  #server: HTTPServer | undefined;
  #awaited = false;

  constructor(
    endpoint: ServerEndpoint,
    factory: HTTPFactory,
    options: ServeHTTPOptions,
  ) {
    this.factory = factory;
    this.#listening = this.#listen(endpoint, options);
    this.finished = this.#listening.then((server) => server.finished, ignore);
    this.#listening.catch((error) => {
      // Deno.serve throws when it cannot listen; with nobody awaiting the
      // server, the failure must not pass in silence either.
      if (!this.#awaited) Promise.reject(error);
    });
  }

  async #listen(
    endpoint: ServerEndpoint,
    options: ServeHTTPOptions,
  ): Promise<HTTPServer> {
    const factory = this.factory;
    const port = await endpoint.listen(factory);
    const server: HTTPServer = {
      ...runningServer([port], { drain: () => factory.drain() }),
      factory,
    };
    this.#server = server;
    const { signal } = options;
    if (signal !== undefined) {
      const stop = () => server.shutdown();
      if (signal.aborted) stop();
      else {
        signal.addEventListener("abort", stop, { once: true });
        server.finished.then(() => signal.removeEventListener("abort", stop));
      }
    }
    options.onListen?.(server.addr);
    return server;
  }

  get addr(): Address {
    if (this.#server === undefined) throw new ServerNotListeningError();
    return this.#server.addr;
  }

  shutdown(): Promise<void> {
    return this.#listening.then((server) => server.shutdown(), ignore);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }

  then<R1 = HTTPServer, R2 = never>(
    onFulfilled?: ((server: HTTPServer) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.#awaited = true;
    return this.#listening.then(onFulfilled, onRejected);
  }
}
