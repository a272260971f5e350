/**
 * The `spindle dns` runner plugin and the service behind it.
 *
 * @module
 */
import { Deferred } from "../../deferred/deferred.ts";
import { getLogger } from "../../log/mod.ts";
import { Service } from "../../app/service.ts";
import { UsageError } from "../../app/options.ts";
import type { Plugin } from "../../app/plugin.ts";
import type { Address } from "../../reactor/interfaces.ts";
import { DNSClient } from "./client.ts";
import { ZoneFileError } from "./errors.ts";
import { type DNSServer, serveDNS, type ServeDNSOptions } from "./server.ts";
import { Zone } from "./zone.ts";

const logger = getLogger("spindle.dns");

/**
 * Runs {@linkcode serveDNS} while the service runs: UDP and TCP on one port.
 *
 * @example Usage
 * ```ts
 * import { DNSService, Zone } from "@spindle/spindle/protocols/dns";
 * const zone = Zone.parse("@ 60 IN SOA ns hm 1 60 60 60 60\n", { origin: "example.org" });
 * const service = new DNSService({ zones: [zone], listen: { port: 0 } });
 * await service.startService();
 * console.assert(service.listeningAddresses().length === 2);
 * await service.stopService();
 * ```
 */
export class DNSService extends Service {
  #options: ServeDNSOptions;
  #server: DNSServer | undefined;
  #closing: Deferred<void> | undefined;

  /** A service for `options`; nothing listens until it starts. */
  constructor(options: ServeDNSOptions, name = "dns") {
    super(name);
    this.#options = options;
  }

  /** The running server, while the service runs. */
  get server(): DNSServer | undefined {
    return this.#server;
  }

  /** The UDP and TCP addresses, once listening. */
  listeningAddresses(): Address[] {
    const server = this.#server;
    if (server === undefined) return [];
    const { hostname, port } = server;
    return [
      { transport: "udp", hostname, port },
      { transport: "tcp", hostname, port },
    ];
  }

  /** Starts listening; fails (and stays stopped) when the port cannot be bound. */
  override startService(): Deferred<void> {
    super.startService();
    this.#closing = undefined;
    return Deferred.fromPromise((async () => {
      try {
        this.#server = await serveDNS(this.#options);
      } catch (error) {
        this.running = false;
        throw error;
      }
      logger.info("DNS listening on {hostname}:{port} (udp and tcp)", {
        hostname: this.#server.hostname,
        port: this.#server.port,
      });
    })());
  }

  /** Stops both listeners and closes open TCP connections (once). */
  override stopAccepting(): Deferred<void> {
    this.#closing ??= Deferred.fromPromise((async () => {
      const server = this.#server;
      this.#server = undefined;
      await server?.close();
    })());
    return this.#closing;
  }

  /** Stops the server if it still runs. */
  override stopService(): Deferred<void> {
    super.stopService();
    return this.stopAccepting();
  }
}

/** `udp:PORT[:interface=HOST]` → port and host. */
function parseListen(description: string): { port: number; hostname: string } {
  const match = /^udp:(\d+)(?::interface=(.+))?$/.exec(description);
  const port = Number(match?.[1]);
  if (match === null || !(port >= 0 && port <= 65535)) {
    throw new UsageError(
      `--listen must be udp:PORT[:interface=HOST] (TCP listens on the same port), got "${description}"`,
    );
  }
  return { port, hostname: match[2] ?? "0.0.0.0" };
}

/**
 * `spindle dns --zone example.org.zone --listen udp:5353`: an authoritative
 * server for the zone files given, over UDP and TCP on the same port; with
 * `--forward 127.0.0.1:53`, other names are forwarded there.
 *
 * @example Usage
 * ```ts ignore
 * import { dnsPlugin } from "@spindle/spindle/protocols/dns";
 * const service = await dnsPlugin.makeService({
 *   options: { zone: "example.org.zone", listen: "udp:0:interface=127.0.0.1" },
 *   args: [],
 *   reusePort: false,
 * });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const dnsPlugin: Plugin = {
  name: "dns",
  description:
    "an authoritative DNS server for zone files (UDP and TCP on one port)",
  usage: "--zone FILE[,FILE...]",
  options: [
    {
      name: "zone",
      short: "z",
      valueName: "FILES",
      description:
        "zone files to serve, comma-separated; a file's origin is its $ORIGIN, SOA owner or name without .zone",
    },
    {
      name: "listen",
      short: "l",
      valueName: "ENDPOINT",
      description:
        "where to listen: udp:PORT[:interface=HOST]; TCP listens on the same port",
      default: "udp:53",
    },
    {
      name: "forward",
      valueName: "SERVERS",
      description:
        "forward names outside the zones to these servers (comma-separated HOST:PORT)",
    },
  ],
  endpointOptions: ["listen"],
  async makeService({ options, reusePort }) {
    const files = String(options.zone ?? "").split(",").filter((f) => f !== "");
    if (files.length === 0) {
      throw new UsageError(
        "spindle dns needs --zone FILE (a zone file to serve)",
      );
    }
    const listen = parseListen(String(options.listen));
    const zones: Zone[] = [];
    for (const file of files) {
      try {
        zones.push(await Zone.load(file));
      } catch (error) {
        if (error instanceof ZoneFileError || error instanceof TypeError) {
          throw new UsageError(error.message);
        }
        if (error instanceof Deno.errors.NotFound) {
          throw new UsageError(`the zone file ${file} does not exist`);
        }
        throw error;
      }
    }
    const forward =
      typeof options.forward === "string" && options.forward !== ""
        ? new DNSClient({ servers: options.forward.split(",") })
        : undefined;
    return new DNSService({ zones, listen: { ...listen, reusePort }, forward });
  },
};
