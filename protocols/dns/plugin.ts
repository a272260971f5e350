/**
 * The `spindle dns` runner plugin and the service behind it. The service
 * stands here, on the app floor, because it is an app `Service`; the server
 * itself is `serveDNS`.
 *
 * @module
 */
import { Deferred } from "../../deferred/deferred.ts";
import { getLogger } from "../../log/mod.ts";
import type { ListeningService } from "../../app/listening_service.ts";
import { Service } from "../../app/service.ts";
import { UsageError } from "../../app/options.ts";
import type { Plugin } from "../../app/plugin.ts";
import type { Address } from "../../reactor/interfaces.ts";
import { reactor } from "../../reactor/deno_reactor.ts";
import { DNSClient } from "./client.ts";
import { ZoneFileError } from "./errors.ts";
import {
  dnsEndpoint,
  type DNSRunningServer,
  serveDNS,
  type ServeDNSOptions,
} from "./serve.ts";
import { Zone } from "./zone.ts";

const logger = getLogger("spindle.dns");

/**
 * Runs {@linkcode serveDNS} while the service runs: UDP and TCP on one port.
 *
 * @example Usage
 * ```ts
 * import { DNSService } from "./plugin.ts";
 * import { Zone } from "./zone.ts";
 * const zone = Zone.parse("@ 60 IN SOA ns hm 1 60 60 60 60\n", { origin: "example.org" });
 * const service = new DNSService([zone], { listen: "udp:0:interface=127.0.0.1" });
 * await service.startService();
 * console.assert(service.listeningAddresses().length === 2);
 * await service.stopService();
 * ```
 */
export class DNSService extends Service implements ListeningService {
  #zones: Zone[];
  #options: ServeDNSOptions;
  #server: DNSRunningServer | undefined;
  #closing: Deferred<void> | undefined;

  /** A service serving `zones` as `options` say; nothing listens until it starts. */
  constructor(zones: Zone[], options: ServeDNSOptions, name = "dns") {
    super(name);
    this.#zones = zones;
    this.#options = options;
  }

  /** The running server, while the service runs. */
  get server(): DNSRunningServer | undefined {
    return this.#server;
  }

  /** The UDP and TCP addresses, once listening. */
  listeningAddresses(): Address[] {
    const addr = this.#server?.addr;
    if (addr === undefined) return [];
    return [addr, { ...addr, transport: "tcp" }];
  }

  /** Starts listening; fails (and stays stopped) when the port cannot be bound. */
  override startService(): Deferred<void> {
    super.startService();
    this.#closing = undefined;
    return Deferred.fromPromise((async () => {
      try {
        this.#server = await serveDNS(this.#zones, this.#options);
      } catch (error) {
        this.running = false;
        throw error;
      }
      logger.debug("DNS listening on {hostname}:{port} (udp and tcp)", {
        hostname: this.#server.addr.hostname,
        port: this.#server.addr.port,
      });
    })());
  }

  /** Stops both listeners and closes open TCP connections (once). */
  override stopAccepting(): Deferred<void> {
    this.#closing ??= Deferred.fromPromise((async () => {
      const server = this.#server;
      this.#server = undefined;
      await server?.shutdown();
    })());
    return this.#closing;
  }

  /** Stops the server if it still runs. */
  override stopService(): Deferred<void> {
    super.stopService();
    return this.stopAccepting();
  }
}

/** `listen` itself, once the endpoint registry has parsed it as a `udp:` endpoint. */
function checkListen(listen: string): string {
  try {
    dnsEndpoint(reactor, { listen });
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
  return listen;
}

/**
 * The options of `spindle dns`, once validated: the zone files already
 * loaded, so that they are read once per start.
 *
 * @example Usage
 * ```ts
 * import type { DNSPluginOptions } from "./plugin.ts";
 * const options: DNSPluginOptions = {
 *   zones: [],
 *   listen: "udp:5353:interface=127.0.0.1",
 *   forward: [],
 * };
 * console.assert(options.forward.length === 0);
 * ```
 */
export interface DNSPluginOptions {
  /** The zones to serve, loaded from their files. */
  zones: Zone[];
  /** Where to listen: a `udp:` endpoint (TCP on the same port). */
  listen: string;
  /** Servers (`HOST:PORT`) to forward names outside the zones to; none: answer only the zones. */
  forward: string[];
  /** UDP responses per second per client prefix (`--rrl`); none: not limited. */
  rrl?: number;
}

/** `--rrl`'s rate, once checked. */
function responsesPerSecond(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value > 0 && value < Infinity)) {
    throw new UsageError(
      `--rrl needs a number of responses per second above 0, got ${value}`,
    );
  }
  return value;
}

async function loadZone(file: string): Promise<Zone> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(`the zone file ${file} does not exist`);
    }
    throw error;
  }
  if (!info.isFile) {
    throw new UsageError(`--zone ${file} is a folder, not a zone file`);
  }
  if (info.size === 0) {
    throw new UsageError(
      `the zone file ${file} is empty: a zone needs at least its SOA record`,
    );
  }
  try {
    return await Zone.load(file);
  } catch (error) {
    // A zone file error names the file and line; the others (a zone without
    // an SOA) name the zone only.
    if (error instanceof ZoneFileError) throw new UsageError(error.message);
    if (error instanceof TypeError) {
      throw new UsageError(`the zone file ${file}: ${error.message}`);
    }
    throw error;
  }
}

/**
 * `spindle dns --zone example.org.zone --listen udp:5353`: an authoritative
 * server for the zone files given, over UDP and TCP on the same port; with
 * `--forward 127.0.0.1:53`, other names are forwarded there.
 *
 * @example Usage
 * ```ts ignore
 * import { plugin } from "./plugin.ts";
 * const options = await plugin.validate({
 *   options: { zone: "example.org.zone", listen: "udp:0:interface=127.0.0.1" },
 *   args: [],
 * });
 * const service = await plugin.makeService(options, { reusePort: false });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const plugin: Plugin<DNSPluginOptions> = {
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
        "where to listen: a udp: endpoint (udp:53, udp:port=53:interface=HOST); TCP listens on the same port",
      default: "udp:53",
    },
    {
      name: "forward",
      valueName: "SERVERS",
      description:
        "forward names outside the zones to these servers (comma-separated HOST:PORT)",
    },
    {
      name: "rrl",
      type: "number",
      valueName: "N",
      description:
        "rate-limit UDP responses to N a second per client /24 (IPv6 /56); of those over it, every other is sent truncated (TC=1: real clients retry over TCP, never limited), the rest dropped",
    },
  ],
  endpointOptions: ["listen"],
  async validate({ options }) {
    const files = String(options.zone ?? "").split(",").filter((f) => f !== "");
    if (files.length === 0) {
      throw new UsageError(
        "spindle dns needs --zone FILE (a zone file to serve)",
      );
    }
    const listen = checkListen(String(options.listen));
    const zones: Zone[] = [];
    for (const file of files) zones.push(await loadZone(file));
    const forward = typeof options.forward === "string"
      ? options.forward.split(",").filter((s) => s !== "")
      : [];
    return { zones, listen, forward, rrl: responsesPerSecond(options.rrl) };
  },
  makeService({ zones, listen, forward, rrl }, { reusePort }) {
    return new DNSService(zones, {
      listen,
      reusePort,
      rrl: rrl === undefined ? undefined : { responsesPerSecond: rrl },
      forward: forward.length > 0
        ? new DNSClient({ servers: forward })
        : undefined,
    });
  },
};
