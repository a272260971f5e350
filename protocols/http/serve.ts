/**
 * `serveHTTP`: listen on an endpoint and serve a handler, in one call.
 *
 * @module
 */
import { Deferred } from "../../deferred/deferred.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  type EndpointReactor,
  type ServerEndpoint,
  serverFromString,
} from "../../reactor/endpoints.ts";
import type { Address, ListeningPort } from "../../reactor/interfaces.ts";
import { HTTPFactory, type ServeHandler, type ServeOptions } from "./server.ts";

/** Options for {@linkcode serveHTTP}. */
export interface ServeHTTPOptions extends ServeOptions {
  /**
   * Where to listen: an endpoint string (`"tcp:8080:interface=127.0.0.1"`,
   * `"tls:8443:certKey=c.pem:privateKey=k.pem"`, `"unix:/run/app.sock"`) or
   * an endpoint object. Default `"tcp:8080"`.
   */
  listen?: string | ServerEndpoint;
  /** The reactor to listen with (and, unless `clock` is given, to time with). */
  reactor?: EndpointReactor;
}

/** A running server started by {@linkcode serveHTTP}. */
export interface HTTPServer {
  /** The listening port. */
  readonly port: ListeningPort;
  /** The bound address (with the real port when 0 was asked for). */
  readonly addr: Address;
  /** The factory serving the connections. */
  readonly factory: HTTPFactory;
  /**
   * Stops listening, closes idle connections and lets busy ones finish
   * their response; resolves when every connection is closed.
   */
  shutdown(): Promise<void>;
}

/**
 * Listens on `options.listen` and serves `handler` there.
 *
 * @example Usage
 * ```ts
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * const server = await serveHTTP(() => new Response("hello"), {
 *   listen: "tcp:0:interface=127.0.0.1",
 * });
 * const { port } = server.addr as Deno.NetAddr;
 * const response = await fetch(`http://127.0.0.1:${port}/`);
 * console.assert(await response.text() === "hello");
 * await server.shutdown();
 * ```
 */
export function serveHTTP(
  handler: ServeHandler,
  options: ServeHTTPOptions = {},
): Deferred<HTTPServer> {
  const reactor = options.reactor ?? defaultReactor;
  const listen = options.listen ?? "tcp:8080";
  let endpoint: ServerEndpoint;
  try {
    // A TLS endpoint offers ALPN http/1.1 unless the description chose protocols.
    const description =
      typeof listen === "string" && listen.startsWith("tls:") &&
        !listen.includes(":alpn=")
        ? `${listen}:alpn=http/1.1`
        : listen;
    const parsed = typeof description === "string"
      ? serverFromString(reactor, description)
      : description;
    if (parsed.kind === "udp") {
      throw new TypeError(
        `serveHTTP cannot listen on ${
          String(listen)
        }: HTTP needs a stream endpoint (tcp, tls or unix)`,
      );
    }
    endpoint = parsed;
  } catch (error) {
    const failed = new Deferred<HTTPServer>();
    failed.errback(error);
    return failed;
  }
  const factory = new HTTPFactory(handler, {
    clock: reactor,
    secure: endpoint.kind === "tls",
    ...options,
  });
  return endpoint.listen(factory).addCallback((port): HTTPServer => ({
    port,
    addr: port.getHost(),
    factory,
    async shutdown(): Promise<void> {
      await port.stopListening();
      await factory.drain();
    },
  }));
}
