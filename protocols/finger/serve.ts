/**
 * {@linkcode serveFinger}: a finger server on an endpoint.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  type EndpointReactor,
  type ServerEndpoint,
  serverFromString,
} from "../../reactor/endpoints/mod.ts";
import type { Connection, RunningServer } from "../../reactor/interfaces.ts";
import { runningServer } from "../../reactor/running_server.ts";
import {
  type FingerDirectory,
  fingerHandler,
  type FingerServerOptions,
} from "./server.ts";

/**
 * Options of {@linkcode serveFinger}.
 *
 * @example Usage
 * ```ts
 * import type { ServeFingerOptions } from "@spindle/spindle/protocols/finger";
 * const options: ServeFingerOptions = { listen: "tcp:7979:interface=127.0.0.1" };
 * console.assert(options.listen === "tcp:7979:interface=127.0.0.1");
 * ```
 */
export interface ServeFingerOptions extends FingerServerOptions {
  /** Where to listen: a stream endpoint string (`"tcp:79"`) or object. */
  listen: string | ServerEndpoint;
  /** Share the port between processes (SO_REUSEPORT), for an endpoint string. */
  reusePort?: boolean;
  /** The reactor to listen with; default: the default reactor. */
  reactor?: EndpointReactor;
}

/**
 * Serves finger (RFC 1288) from `directory` on `options.listen`. Shutting
 * down stops listening and cuts the connections still open (a finger
 * exchange is one line each way).
 *
 * @example Usage
 * ```ts
 * import { serveFinger } from "@spindle/spindle/protocols/finger";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * await using server = await serveFinger({ user: () => null }, {
 *   listen: "tcp:0:interface=127.0.0.1",
 *   reactor: new DenoReactor(),
 * });
 * console.assert(server.addr.transport === "tcp");
 * ```
 */
export async function serveFinger(
  directory: FingerDirectory,
  options: ServeFingerOptions,
): Promise<RunningServer> {
  const reactor = options.reactor ?? defaultReactor;
  const endpoint = typeof options.listen === "string"
    ? serverFromString(reactor, options.listen, {
      transport: "stream",
      reusePort: options.reusePort,
    })
    : options.listen;
  const handler = fingerHandler(directory, { ...options, reactor });
  const open = new Set<Connection>();
  const port = await endpoint.listen(async (conn) => {
    open.add(conn);
    try {
      await handler(conn);
    } finally {
      open.delete(conn);
    }
  });
  return runningServer([port], {
    drain: () => {
      const closing = [...open].map((conn) => conn.closed.catch(() => {}));
      for (const conn of open) conn.abort();
      return Promise.all(closing);
    },
  });
}
