/**
 * `serveDNS`: serve zones over UDP and TCP on one port, in one call.
 *
 * @module
 */
import type {
  DatagramTransport,
  ListeningPort,
  Reactor,
  RunningServer,
  UDPReactor,
} from "../../reactor/interfaces.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { AddressInUseError } from "../../reactor/errors.ts";
import { runningServer } from "../../reactor/running_server.ts";
import {
  serverFromString,
  UDPServerEndpoint,
} from "../../reactor/endpoints/mod.ts";
import { DNSDatagramProtocol } from "./datagram.ts";
import { type RateLimitOptions, ResponseRateLimiter } from "./rate_limit.ts";
import { DNSServerFactory, type DNSServerOptions } from "./server.ts";
import { Zone } from "./zone.ts";

/** Tries at finding a port free for both UDP and TCP when port 0 is asked for. */
const FREE_PORT_TRIES = 20;

/**
 * Options of {@linkcode serveDNS}.
 *
 * @example Usage
 * ```ts
 * import { type ServeDNSOptions } from "@spindle/spindle/protocols/dns";
 * const options: ServeDNSOptions = { listen: "udp:5353:interface=127.0.0.1", tcpIdleTimeout: 5000 };
 * console.assert(options.listen.startsWith("udp:"));
 * ```
 */
export interface ServeDNSOptions extends DNSServerOptions {
  /**
   * Where to listen: a `udp:` endpoint string (`udp:53`, `udp:port=53`,
   * `udp:5353:interface=127.0.0.1`). TCP listens on the same interface and
   * port (port 0 picks one free for both).
   */
  listen: string;
  /**
   * Share the port between processes, for `--workers`: TCP connections are
   * spread over them (SO_REUSEPORT). Deno offers only SO_REUSEADDR for UDP,
   * so every process can bind the port but the kernel hands each datagram to
   * one of them (the last one bound that is still running).
   */
  reusePort?: boolean;
  /**
   * Response-rate limiting over UDP (BIND/Knot-style RRL): each client
   * prefix (IPv4 /24, IPv6 /56) gets at most `responsesPerSecond`; of the
   * responses over it, every `slip`-th is sent truncated so a real client
   * retries over TCP, and the rest are dropped. TCP is never limited.
   * Default: off.
   */
  rrl?: RateLimitOptions;
  /** The reactor to listen with (and to time `rrl` by). Default: the module's default reactor. */
  reactor?: Reactor & UDPReactor;
}

/**
 * A running DNS server: the shared `RunningServer` shape (its `addr` is the
 * UDP address; TCP listens on the same one), plus the protocol logic.
 *
 * @example Usage
 * ```ts
 * import { type DNSRunningServer, serveDNS } from "@spindle/spindle/protocols/dns";
 * const server: DNSRunningServer = await serveDNS([], { listen: "udp:0:interface=127.0.0.1" });
 * console.assert(server.addr.transport === "udp");
 * await server.shutdown();
 * ```
 */
export interface DNSRunningServer extends RunningServer {
  /** The UDP address; TCP listens on the same hostname and port. */
  readonly addr: Deno.NetAddr;
  /** The protocol logic. */
  readonly factory: DNSServerFactory;
}

/**
 * Serves zones (or a {@linkcode DNSServerFactory} built beforehand, whose own
 * options then apply) over UDP and TCP on the same port. Rejects with a
 * `TypeError` when `options.listen` is not a `udp:` endpoint, with the
 * registry's error when it does not parse, and with the reactor's when the
 * port cannot be bound.
 *
 * @example Usage
 * ```ts
 * import { serveDNS, Zone } from "@spindle/spindle/protocols/dns";
 * const zone = Zone.parse("@ 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300\n", {
 *   origin: "example.org",
 * });
 * await using server = await serveDNS(zone, { listen: "udp:0:interface=127.0.0.1" });
 * console.assert(server.addr.port > 0);
 * ```
 */
export async function serveDNS(
  zones: Zone | Iterable<Zone> | DNSServerFactory,
  options: ServeDNSOptions,
): Promise<DNSRunningServer> {
  const reactor = options.reactor ?? defaultReactor;
  const factory = zones instanceof DNSServerFactory
    ? zones
    : new DNSServerFactory(zones instanceof Zone ? [zones] : zones, options);
  const protocol = new DNSDatagramProtocol(factory, {
    rateLimiter: options.rrl === undefined
      ? undefined
      : new ResponseRateLimiter(options.rrl, reactor),
  });
  const [udp, tcp] = await bindBoth(
    reactor,
    factory,
    protocol,
    dnsEndpoint(reactor, options),
  );
  return running(udp, tcp, factory);
}

/**
 * `options.listen` parsed by the endpoint registry, which must give a UDP
 * endpoint (TCP then takes the same interface and port); throws a
 * `TypeError` saying so for another kind.
 *
 * @example Usage
 * ```ts
 * import { dnsEndpoint } from "@spindle/spindle/protocols/dns";
 * import { reactor } from "@spindle/spindle/reactor";
 * const endpoint = dnsEndpoint(reactor, { listen: "udp:port=53" });
 * console.assert(endpoint.options.port === 53);
 * ```
 */
export function dnsEndpoint(
  reactor: Reactor & UDPReactor,
  options: Pick<ServeDNSOptions, "listen" | "reusePort">,
): UDPServerEndpoint {
  const endpoint = serverFromString(reactor, options.listen, {
    reusePort: options.reusePort,
  });
  if (!(endpoint instanceof UDPServerEndpoint)) {
    throw new TypeError(
      `a DNS server listens on a udp: endpoint such as udp:53 or udp:5353:interface=127.0.0.1 (TCP takes the same port), got "${options.listen}"`,
    );
  }
  return endpoint;
}

/** Binds UDP, then TCP on the port UDP got; with port 0, tries again when TCP's is taken. */
async function bindBoth(
  reactor: Reactor & UDPReactor,
  factory: DNSServerFactory,
  protocol: DNSDatagramProtocol,
  endpoint: UDPServerEndpoint,
): Promise<[DatagramTransport, ListeningPort]> {
  const { port: asked, reusePort } = endpoint.options;
  for (let attempt = 1;; attempt++) {
    const udp = await endpoint.listen(protocol);
    const { hostname, port } = udp.getHost();
    try {
      const tcp = await reactor.listenTCP(port, factory, {
        interface: hostname,
        reusePort,
      });
      return [udp, tcp];
    } catch (error) {
      await udp.stopListening();
      if (
        !(error instanceof AddressInUseError) || asked !== 0 ||
        attempt >= FREE_PORT_TRIES
      ) throw error;
    }
  }
}

function running(
  udp: DatagramTransport,
  tcp: ListeningPort,
  factory: DNSServerFactory,
): DNSRunningServer {
  const server = runningServer([udp, tcp], {
    drain: () => factory.closeConnections(),
  });
  // The UDP address, typed as the network address it is.
  return { ...server, addr: udp.getHost(), factory };
}
