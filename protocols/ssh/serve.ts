/**
 * `serveSSH(options)`: an SSH server on an endpoint string, returning the
 * `RunningServer` every Spindle protocol returns.
 *
 * @module
 */
import type { Reactor, RunningServer } from "../../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { runningServer } from "../../reactor/running_server.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import { SSHServer, type SSHServerOptions } from "./server.ts";

/**
 * The options of {@linkcode serveSSH}.
 *
 * @example Usage
 * ```ts
 * import { SSHPrivateKey, type ServeSSHOptions } from "@spindle/spindle/protocols/ssh";
 * const options: ServeSSHOptions = {
 *   listen: "tcp:2222:interface=127.0.0.1",
 *   hostKeys: [await SSHPrivateKey.generate()],
 * };
 * console.assert(options.listen.startsWith("tcp:"));
 * ```
 */
export interface ServeSSHOptions extends SSHServerOptions {
  /** Where to listen: an endpoint string such as `tcp:2222:interface=127.0.0.1`. */
  listen: string;
  /** Share the port with other processes (`spindle --workers`). */
  reusePort?: boolean;
  /** The reactor; the default one by default. */
  reactor?: Reactor;
}

/**
 * A running SSH server: its address, `shutdown()` and the server's shared
 * parts.
 *
 * @example Usage
 * ```ts
 * import type { SSHRunningServer } from "@spindle/spindle/protocols/ssh";
 * const stop = (server: SSHRunningServer) => server.shutdown();
 * ```
 */
export interface SSHRunningServer extends RunningServer {
  /** The server (its connections, methods). */
  readonly server: SSHServer;
}

/**
 * Listens on `options.listen` and serves SSH: key exchange, logins through
 * the portal's checkers, sessions through `options.session` and
 * subsystems. `shutdown()` stops listening, then disconnects every client.
 *
 * @example Usage
 * ```ts
 * import { serveSSH, SSHPrivateKey } from "@spindle/spindle/protocols/ssh";
 * import { InMemoryPasswordChecker } from "@spindle/spindle/cred";
 * const running = await serveSSH({
 *   listen: "tcp:0:interface=127.0.0.1",
 *   hostKeys: [await SSHPrivateKey.generate()],
 *   checkers: [new InMemoryPasswordChecker({ alice: "secret" })],
 *   session: () => 0,
 * });
 * await running.shutdown();
 * ```
 */
export async function serveSSH(
  options: ServeSSHOptions,
): Promise<SSHRunningServer> {
  const reactor = options.reactor ?? defaultReactor;
  const server = new SSHServer({ ...options, reactor });
  const endpoint = serverFromString(reactor, options.listen, {
    transport: "stream",
    reusePort: options.reusePort,
  });
  const port = await endpoint.listen((conn) => server.handleConnection(conn));
  return {
    ...runningServer([port], { drain: () => server.closeConnections() }),
    server,
  };
}
