/**
 * `serveHTTP`: listen on an endpoint and serve a handler, in one call.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  type EndpointReactor,
  type ServerEndpoint,
  serverFromString,
} from "../../reactor/endpoints/mod.ts";
import type { RunningServer } from "../../reactor/interfaces.ts";
import { runningServer } from "../../reactor/running_server.ts";
import { HTTP_1_1_ALPN } from "./constants.ts";
import type { ServeHandler } from "./handler.ts";
import { HTTPFactory, type ServeOptions } from "./server.ts";

/** Options for {@linkcode serveHTTP}. */
export interface ServeHTTPOptions extends ServeOptions {
  /**
   * Where to listen: an endpoint string (`"tcp:8080:interface=127.0.0.1"`,
   * `"tls:8443:certKey=c.pem:privateKey=k.pem"`, `"unix:/run/app.sock"`) or
   * an endpoint object. A TLS endpoint (`tls:` or `ssl:`) offers ALPN
   * `http/1.1` unless it names its own protocols. Default `"tcp:8080"`.
   */
  listen?: string | ServerEndpoint;
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
 * Listens on `options.listen` and serves `handler` there. Resolves once
 * listening; `shutdown()` stops listening, closes idle connections and lets
 * busy ones finish their response. A datagram endpoint (`udp:`) is refused
 * with `EndpointTransportError`.
 *
 * @example Usage
 * ```ts
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * await using server = await serveHTTP(() => new Response("hello"), {
 *   listen: "tcp:0:interface=127.0.0.1",
 * });
 * const { port } = server.addr as Deno.NetAddr;
 * const response = await fetch(`http://127.0.0.1:${port}/`);
 * console.assert(await response.text() === "hello");
 * ```
 */
export async function serveHTTP(
  handler: ServeHandler,
  options: ServeHTTPOptions = {},
): Promise<HTTPServer> {
  const reactor = options.reactor ?? defaultReactor;
  const listen = options.listen ?? "tcp:8080";
  const endpoint = typeof listen === "string"
    ? serverFromString(reactor, listen, {
      transport: "stream",
      defaults: { alpn: HTTP_1_1_ALPN },
      reusePort: options.reusePort,
    })
    : listen;
  const factory = new HTTPFactory(handler, {
    clock: reactor,
    secure: endpoint.secure,
    ...options,
  });
  const port = await endpoint.listen(factory);
  return {
    ...runningServer([port], { drain: () => factory.drain() }),
    factory,
  };
}
