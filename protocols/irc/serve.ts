/**
 * `serveIRC`: an IRC server on one or more endpoints, in one call.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  type EndpointReactor,
  listenAll,
  type ServerEndpoint,
} from "../../reactor/endpoints/mod.ts";
import type {
  Address,
  Connection,
  RunningServer,
} from "../../reactor/interfaces.ts";
import { runningServer } from "../../reactor/running_server.ts";
import { IRCServer, type IRCServerOptions } from "./server.ts";

/**
 * Options of {@linkcode serveIRC}: where to listen, and the server's own.
 *
 * @example Usage
 * ```ts
 * import type { ServeIRCOptions } from "@spindle/spindle/protocols/irc";
 * const options: ServeIRCOptions = {
 *   listen: ["tcp:6667:interface=127.0.0.1"],
 *   name: "irc.example.test",
 * };
 * console.assert(options.name === "irc.example.test");
 * ```
 */
export interface ServeIRCOptions extends IRCServerOptions {
  /**
   * Where to listen: stream endpoint strings or endpoints, such as
   * `"tcp:6667"` and `"tls:6697:certKey=cert.pem:privateKey=key.pem"`; all
   * serve the same network.
   */
  listen: string | ServerEndpoint | readonly (string | ServerEndpoint)[];
  /** Share the ports between processes (SO_REUSEPORT), for endpoint strings. */
  reusePort?: boolean;
  /** The reactor to listen with. Default: the module's default reactor. */
  reactor?: EndpointReactor;
}

/**
 * A running IRC server: the shared `RunningServer` shape, every address it
 * listens on, and the server itself.
 *
 * @example Usage
 * ```ts
 * import { type IRCRunningServer, serveIRC } from "@spindle/spindle/protocols/irc";
 * const running: IRCRunningServer = await serveIRC({ listen: "tcp:0:interface=127.0.0.1" });
 * console.assert(running.server.clientCount === 0);
 * await running.shutdown();
 * ```
 */
export interface IRCRunningServer extends RunningServer {
  /** Every address listened on, in the order of `listen`. */
  readonly addrs: readonly Address[];
  /** The server: its state and counts. */
  readonly server: IRCServer;
}

/**
 * Listens on every endpoint of `options.listen` and serves IRC there. Resolves
 * once all listen; `shutdown()` stops listening, sends each client `ERROR`
 * and closes its connection, and resolves when they are gone.
 *
 * @example Usage
 * ```ts
 * import { serveIRC } from "@spindle/spindle/protocols/irc";
 * await using running = await serveIRC({ listen: "tcp:0:interface=127.0.0.1", name: "irc.example.test" });
 * console.assert((running.addr as Deno.NetAddr).port > 0);
 * ```
 */
export async function serveIRC(
  options: ServeIRCOptions,
): Promise<IRCRunningServer> {
  const reactor = options.reactor ?? defaultReactor;
  const server = new IRCServer({ clock: reactor, ...options });
  const ports = await listenAll(
    options.listen,
    (conn: Connection) => server.handleConnection(conn),
    { reactor, reusePort: options.reusePort },
  );
  const running = runningServer(ports, {
    drain: () => server.closeConnections(),
  });
  return { ...running, addrs: ports.map((port) => port.getHost()), server };
}
