/**
 * A service that binds a UDP endpoint while it runs.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type {
  Address,
  DatagramHandler,
  DatagramTransport,
} from "../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../reactor/deno_reactor.ts";
import { formatAddress } from "../reactor/connection.ts";
import {
  type AnyServerEndpoint,
  type EndpointReactor,
  serverFromString,
} from "../reactor/endpoints/mod.ts";
import { getLogger } from "../log/mod.ts";
import { Service } from "./service.ts";
import type { ListeningService } from "./listening_service.ts";
import { workerId } from "./worker_id.ts";
import { requireTransport } from "./_endpoint_transport.ts";

const log = getLogger("spindle.app");

/** Something that can bind a datagram port with a handler (a UDP endpoint). */
export interface DatagramServerEndpoint {
  /** Binds; resolves to the transport once bound. */
  listen(handler: DatagramHandler): PromiseLike<DatagramTransport>;
}

/** Options for {@linkcode DatagramServerEndpointService}. */
export interface DatagramServerEndpointServiceOptions {
  /** The reactor that binds the port; default: the default reactor. */
  reactor?: EndpointReactor;
  /**
   * Let several processes bind the port (SO_REUSEADDR: the system hands
   * each datagram to one of them); default: `true` in a `spindle --workers`
   * worker, else `false`.
   */
  reusePort?: boolean;
  /** The service's name in its parent. */
  name?: string;
}

/**
 * Binds `endpoint` (a `udp:` endpoint string such as
 * `"udp:5353:interface=127.0.0.1"`, or an endpoint object) while running and
 * feeds its datagrams to `handler` (such as a `DatagramProtocol`). A bad
 * endpoint string throws from the constructor (`EndpointDescriptionError`).
 * Datagrams have no connections to drain: stopping closes the port.
 *
 * @example Usage
 * ```ts
 * import { DatagramServerEndpointService } from "@spindle/spindle/app";
 * const service = new DatagramServerEndpointService("udp:0:interface=127.0.0.1", {
 *   datagramReceived(data, from) {
 *     console.log(`${data.length} bytes from ${from.hostname}`);
 *   },
 * });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export class DatagramServerEndpointService extends Service
  implements ListeningService {
  /** The endpoint bound. */
  readonly endpoint: DatagramServerEndpoint;
  /** The handler of the datagrams. */
  readonly handler: DatagramHandler;
  #transport: DatagramTransport | undefined;
  #closing: Deferred<void> | undefined;

  /** Creates the service; nothing is bound until it starts. */
  constructor(
    endpoint: string | DatagramServerEndpoint | AnyServerEndpoint,
    handler: DatagramHandler,
    options: DatagramServerEndpointServiceOptions = {},
  ) {
    super(options.name);
    this.endpoint = typeof endpoint === "string"
      ? serverFromString(options.reactor ?? defaultReactor, endpoint, {
        transport: "datagram",
        reusePort: options.reusePort ?? workerId() !== undefined,
      })
      : requireTransport<DatagramServerEndpoint>(endpoint, "datagram");
    this.handler = handler;
  }

  /** The bound transport while the service runs. */
  get transport(): DatagramTransport | undefined {
    return this.#transport;
  }

  /** The bound address, once bound. */
  listeningAddresses(): Address[] {
    return this.#transport === undefined ? [] : [this.#transport.getHost()];
  }

  /** Binds the port; fails (and stays stopped) when it cannot. */
  override startService(): Deferred<void> {
    super.startService();
    this.#closing = undefined;
    return Deferred.fromPromise(
      (async () => {
        try {
          this.#transport = await this.endpoint.listen(this.handler);
        } catch (error) {
          this.running = false;
          throw error;
        }
        log.debug("listening on {address} (udp)", {
          address: formatAddress(this.#transport.getHost()),
        });
      })(),
    );
  }

  /** Closes the port (once). */
  override stopAccepting(): Deferred<void> {
    this.#closing ??= Deferred.fromPromise(
      (async () => {
        const transport = this.#transport;
        if (transport === undefined) return;
        await transport.stopListening();
        this.#transport = undefined;
      })(),
    );
    return this.#closing;
  }

  /** Closes the port if still open. */
  override stopService(): Deferred<void> {
    super.stopService();
    return this.stopAccepting();
  }
}
