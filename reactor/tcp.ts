/**
 * TCP for the reactor: listeners on `Deno.listen` and connections on
 * `Deno.connect`.
 *
 * @module
 */
import { type Deferred, fail } from "../deferred/deferred.ts";
import { formatAddress } from "./connection.ts";
import type {
  Connection,
  ConnectionHandler,
  ConnectTCPOptions,
  ListeningPort,
  ListenTCPOptions,
} from "./interfaces.ts";
import type { StreamHost } from "./resources.ts";
import { connectStream } from "./stream_connect.ts";
import { listenStream } from "./stream_port.ts";

/**
 * Listens on TCP `port` (0 for any free port) and serves each connection
 * with `handler`. Fails with `AddressInUseError` when the port is taken.
 */
export function listenTCP(
  reactor: StreamHost,
  port: number,
  handler: ConnectionHandler,
  options: ListenTCPOptions = {},
): Deferred<ListeningPort> {
  const hostname = options.interface ?? "0.0.0.0";
  return listenStream(reactor, {
    open: () =>
      Deno.listen({
        hostname,
        port,
        transport: "tcp",
        reusePort: options.reusePort,
      }),
    address: formatAddress({ transport: "tcp", hostname, port }),
    handler,
    signal: options.signal,
  });
}

/** Connects to `host:port` over TCP. */
export function connectTCP(
  reactor: StreamHost,
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
  return connectStream(reactor, {
    open: (signal) =>
      Deno.connect({ hostname: host, port, transport: "tcp", signal }),
    host,
    port,
    timeout: options.timeout,
    handler: options.handler,
    signal: options.signal,
  });
}
