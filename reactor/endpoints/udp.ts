/**
 * UDP endpoints: `udp:PORT` binds a port for a datagram protocol (Deno needs
 * `--unstable-net`).
 *
 * @module
 */
import type { Deferred } from "../../deferred/deferred.ts";
import type {
  DatagramHandler,
  DatagramTransport,
  Reactor,
  UDPReactor,
} from "../interfaces.ts";
import type { DatagramEndpoint } from "./endpoint.ts";
import { describeEndpoint } from "./grammar.ts";
import { registerServerEndpointKind } from "./registry.ts";
import { pinFreePort } from "./_pin.ts";

/** Options for {@linkcode UDPServerEndpoint}. */
export interface UDPServerEndpointOptions {
  /** The port; 0 for any free one. */
  port: number;
  /** The interface to bind; default `DEFAULT_INTERFACE` (all IPv4 ones), as for TCP. */
  interface?: string;
  /** The largest datagram received whole, in bytes. */
  maxPacketSize?: number;
  /**
   * Let other processes bind the port too; not part of the description.
   * Deno offers only SO_REUSEADDR for UDP, so the system hands each datagram
   * to one of them.
   */
  reusePort?: boolean;
}

/**
 * Binds a UDP port for a datagram protocol (needs `--unstable-net`).
 *
 * @example Usage
 * ```ts ignore
 * import { DatagramProtocol, reactor, UDPServerEndpoint } from "@spindle/spindle/reactor";
 * const endpoint = new UDPServerEndpoint(reactor, { port: 5353 });
 * await endpoint.listen(new DatagramProtocol());
 * ```
 */
export class UDPServerEndpoint implements DatagramEndpoint {
  /** Always `"udp"`. */
  readonly kind = "udp" as const;
  /** Always `"datagram"`. */
  readonly transport = "datagram" as const;
  readonly #reactor: Reactor & UDPReactor;
  readonly #options: Readonly<UDPServerEndpointOptions>;

  /** Makes the endpoint; nothing is bound until `listen`. */
  constructor(
    reactor: Reactor & UDPReactor,
    options: UDPServerEndpointOptions,
  ) {
    this.#reactor = reactor;
    this.#options = { ...options };
  }

  /** The options it was made with. */
  get options(): Readonly<UDPServerEndpointOptions> {
    return this.#options;
  }

  /** Binds the port and feeds its datagrams to `handler` (such as a `DatagramProtocol`). */
  listen(handler: DatagramHandler): Deferred<DatagramTransport> {
    const { port, interface: hostname, maxPacketSize, reusePort } =
      this.#options;
    return this.#reactor.listenUDP(port, handler, {
      interface: hostname,
      maxPacketSize,
      reuseAddress: reusePort,
    });
  }

  /** This endpoint, or with port 0 a copy at a UDP port free now. */
  pinPort(): Deferred<UDPServerEndpoint> {
    const { port, interface: hostname, reusePort } = this.#options;
    return pinFreePort(port, this, {
      bind: () =>
        this.#reactor.listenUDP(0, { datagramReceived() {} }, {
          interface: hostname,
          reuseAddress: reusePort,
        }),
      make: (port) =>
        new UDPServerEndpoint(this.#reactor, { ...this.#options, port }),
    });
  }

  /** The description, such as `udp:5353:interface=127.0.0.1`. */
  toString(): string {
    return describeEndpoint({
      kind: "udp",
      positional: [this.#options.port],
      named: {
        interface: this.#options.interface,
        maxPacketSize: this.#options.maxPacketSize,
      },
    });
  }
}

registerServerEndpointKind("udp", {
  positional: ["port"],
  named: ["interface", "maxPacketSize"],
  create: (p, { reactorWith, options }) =>
    new UDPServerEndpoint(reactorWith("listenUDP"), {
      port: p.port("port"),
      interface: p.string("interface"),
      maxPacketSize: p.integer("maxPacketSize", 1, 65535),
      reusePort: options.reusePort,
    }),
});
