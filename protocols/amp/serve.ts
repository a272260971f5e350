/**
 * `serveAMP`: listen on an endpoint and answer AMP commands, in one call.
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
import { runProtocol } from "../../reactor/transport.ts";
import { runningServer } from "../../reactor/running_server.ts";
import { AMP, type CommandLocator } from "./amp.ts";
import type { AMPLimits } from "./limits.ts";

/**
 * Options for {@linkcode serveAMP}: where to listen, and the limits of each
 * connection's {@linkcode AMP} peer.
 *
 * @example Usage
 * ```ts
 * import type { ServeAMPOptions } from "@spindle/spindle/protocols/amp";
 * const options: ServeAMPOptions = { listen: "tcp:7001:interface=127.0.0.1", maxInFlight: 10 };
 * console.assert(options.maxInFlight === 10);
 * ```
 */
export interface ServeAMPOptions extends AMPLimits {
  /**
   * Where to listen: a stream endpoint string (`"tcp:7001"`,
   * `"tls:7001:certKey=c.pem:privateKey=k.pem"`, `"unix:/run/amp.sock"`) or
   * an endpoint object. AMP has no port of its own, so there is no default.
   */
  listen: string | ServerEndpoint;
  /** Share the port between processes (SO_REUSEPORT), for an endpoint string. */
  reusePort?: boolean;
  /** The reactor to listen with. Default: the module's default reactor. */
  reactor?: EndpointReactor;
}

/**
 * Listens on `options.listen` and answers each connection's commands with the
 * responders of `locator` (one {@linkcode AMP} peer per connection, sharing
 * the locator). Resolves once listening; `shutdown()` stops listening, closes
 * every connection once what was written to it is sent, and resolves when
 * they are gone. A datagram endpoint (`udp:`) is refused with
 * `EndpointTransportError`.
 *
 * @example Usage
 * ```ts
 * import { AMP, CommandLocator, defineCommand, Integer, serveAMP } from "@spindle/spindle/protocols/amp";
 * import { clientFromString, connectProtocol, reactor } from "@spindle/spindle/reactor";
 * const Sum = defineCommand({ name: "Sum", arguments: { a: Integer, b: Integer }, response: { total: Integer } });
 * const locator = new CommandLocator().respond(Sum, ({ a, b }) => ({ total: a + b }));
 * await using server = await serveAMP(locator, { listen: "tcp:0:interface=127.0.0.1" });
 * const { port } = server.addr as Deno.NetAddr;
 * const client = await connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${port}`), new AMP());
 * const { total } = await client.callRemote(Sum, { a: 1, b: 2 });
 * console.assert(total === 3);
 * client.transport.loseConnection();
 * ```
 */
export async function serveAMP(
  locator: CommandLocator,
  options: ServeAMPOptions,
): Promise<RunningServer> {
  const reactor = options.reactor ?? defaultReactor;
  const { listen } = options;
  const endpoint = typeof listen === "string"
    ? serverFromString(reactor, listen, {
      transport: "stream",
      reusePort: options.reusePort,
    })
    : listen;
  const peers = new Map<AMP, Promise<Error>>();
  const port = await endpoint.listen(async (conn) => {
    const peer = new AMP({
      locator,
      maxBoxBytes: options.maxBoxBytes,
      maxKeys: options.maxKeys,
      maxInFlight: options.maxInFlight,
    });
    const done = runProtocol(peer, conn, { reactor });
    peers.set(peer, done);
    // The reactor closes a connection once its handler is done.
    await done;
    peers.delete(peer);
  });
  return runningServer([port], {
    drain: () => {
      for (const peer of peers.keys()) peer.transport.loseConnection();
      return Promise.all(peers.values());
    },
  });
}
