/**
 * `spindle demo` (`deno task demo`): every service of `app/demo/services.ts`
 * in one process on loopback, with embedded defaults and no file to
 * prepare. Each listens on the port base (20000, `--port-base N`) plus its
 * offset; a port that is taken stops the demo before anything starts
 * (status 2, naming the port).
 *
 * @module
 */
import { Application } from "../application.ts";
import { UsageError } from "../options.ts";
import type { Plugin } from "../plugin.ts";
import { Service } from "../service.ts";
import type { Deferred } from "../../deferred/deferred.ts";
import type { DemoAddress, DemoListing, DemoService } from "./demo_service.ts";
import { DEMO_SERVICES } from "./services.ts";

/** Loopback only: the demo's services are not meant to be reached from elsewhere. */
const HOSTNAME = "127.0.0.1";
/** The default port base: each service's port is it plus the protocol's usual port. */
export const DEFAULT_PORT_BASE = 20_000;

/**
 * The options of `spindle demo`, once validated.
 *
 * @example Usage
 * ```ts
 * import type { DemoOptions } from "./plugin.ts";
 * const options: DemoOptions = { portBase: 20_000 };
 * console.assert(options.portBase === 20_000);
 * ```
 */
export interface DemoOptions {
  /** Each service listens on this plus its offset. */
  portBase: number;
}

function addressOf(service: DemoService, portBase: number): DemoAddress {
  return { hostname: HOSTNAME, port: portBase + service.port };
}

function transportsOf(service: DemoService): readonly ("tcp" | "udp")[] {
  return service.transports ?? ["tcp"];
}

/**
 * What the demo lists for each of `services` at `portBase`.
 *
 * @example Usage
 * ```ts
 * import { listings } from "./plugin.ts";
 * import { DEMO_SERVICES } from "./services.ts";
 * const web = listings(DEMO_SERVICES, 8000).find((s) => s.name === "web");
 * console.assert(web?.address.port === 8080);
 * ```
 */
export function listings(
  services: readonly DemoService[],
  portBase: number,
): DemoListing[] {
  return services.map((service) => {
    const address = addressOf(service, portBase);
    return {
      name: service.name,
      description: service.description,
      address,
      transports: transportsOf(service),
      tryIt: service.tryIt(address),
    };
  });
}

/**
 * The ports above 1024 that browsers and `fetch` refuse to connect to (the
 * Fetch standard's "bad ports"): the web site must not get one.
 */
const BAD_PORTS = new Set([
  1719,
  1720,
  1723,
  2049,
  3659,
  4045,
  4190,
  5060,
  5061,
  6000,
  6566,
  6665,
  6666,
  6667,
  6668,
  6669,
  6697,
  10080,
]);

/** Binds and frees `port` on loopback, to refuse a taken one before anything starts. */
function checkFree(
  name: string,
  transport: "tcp" | "udp",
  port: number,
): void {
  try {
    const listener = transport === "tcp"
      ? Deno.listen({ hostname: HOSTNAME, port })
      : Deno.listenDatagram({ transport: "udp", hostname: HOSTNAME, port });
    listener.close();
  } catch (error) {
    const why = error instanceof Deno.errors.AddrInUse
      ? "is taken"
      : `cannot be bound (${(error as Error).message})`;
    throw new UsageError(
      `port ${port} (${transport}, for the demo's ${name}) ${why} on ${HOSTNAME}: stop what uses it, or move every demo port with --port-base N`,
    );
  }
}

function portBaseOf(value: unknown): number {
  const highest = Math.max(...DEMO_SERVICES.map((service) => service.port));
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 1 ||
    value + highest > 65_535
  ) {
    throw new UsageError(
      `--port-base needs a whole number from 1 to ${
        65_535 - highest
      } (the highest port is the base plus ${highest}), got ${value}`,
    );
  }
  return value;
}

/** Owns the demo's temporary folder: deletes it once every other service stopped. */
class DataDirService extends Service {
  readonly path: string;

  constructor(path: string) {
    super("data-dir");
    this.path = path;
  }

  override stopService(): Deferred<void> {
    const stopped = super.stopService();
    Deno.removeSync(this.path, { recursive: true });
    return stopped;
  }
}

/** Prints the list of services once every one of them listens. */
class AnnounceService extends Service {
  #lines: string[];

  constructor(lines: string[]) {
    super("announce");
    this.#lines = lines;
  }

  override startService(): Deferred<void> {
    const started = super.startService();
    for (const line of this.#lines) console.log(line);
    return started;
  }
}

/**
 * The text the demo prints when it has started: each service, where it
 * listens and its try-it commands.
 *
 * @example Usage
 * ```ts
 * import { announcement, listings } from "./plugin.ts";
 * import { DEMO_SERVICES } from "./services.ts";
 * const lines = announcement(listings(DEMO_SERVICES, 20_000), 20_000);
 * console.assert(lines.some((line) => line.includes("curl")));
 * ```
 */
export function announcement(
  services: readonly DemoListing[],
  portBase: number,
): string[] {
  const width = Math.max(...services.map((s) => s.name.length)) + 2;
  const web = services.find((s) => s.name === "web");
  const lines = [
    `Spindle demo: ${services.length} services on ${HOSTNAME} (port base ${portBase})${
      web === undefined
        ? ""
        : `; every one is listed at http://${web.address.hostname}:${web.address.port}/`
    }`,
  ];
  for (const service of services) {
    const { hostname, port } = service.address;
    lines.push(
      "",
      `  ${service.name.padEnd(width)}${hostname}:${port} (${
        service.transports.join(", ")
      }): ${service.description}`,
    );
    for (const tryIt of service.tryIt) {
      lines.push(`  ${" ".repeat(width)}$ ${tryIt.command}`);
    }
  }
  lines.push("", "Ctrl-C stops the demo.");
  return lines;
}

/**
 * `spindle demo [--port-base 20000]`: a web site listing every service, DNS
 * for `demo.test.`, echo, a line chat and each protocol that joined the
 * demo, on loopback.
 *
 * @example Usage
 * ```ts ignore
 * import { plugin } from "./plugin.ts";
 * const options = await plugin.validate({ options: { "port-base": 20_000 }, args: [] });
 * const service = await plugin.makeService(options, { reusePort: false });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const plugin: Plugin<DemoOptions> = {
  name: "demo",
  description:
    "serve a demo of every protocol on loopback, with a landing page of commands to try",
  options: [
    {
      name: "port-base",
      type: "number",
      valueName: "N",
      description:
        "each service listens on N plus its usual port (web N+80, DNS N+53, echo N+7)",
      default: DEFAULT_PORT_BASE,
    },
  ],
  validate({ options, args }) {
    if (args.length > 0) {
      throw new UsageError(`demo takes no arguments, got ${args.join(" ")}`);
    }
    const portBase = portBaseOf(options["port-base"]);
    const web = DEMO_SERVICES.find((service) => service.name === "web");
    if (web !== undefined && BAD_PORTS.has(portBase + web.port)) {
      throw new UsageError(
        `--port-base ${portBase} puts the web site on port ${
          portBase + web.port
        }, which browsers refuse to connect to: pick another base`,
      );
    }
    for (const service of DEMO_SERVICES) {
      for (const transport of transportsOf(service)) {
        checkFree(service.name, transport, portBase + service.port);
      }
    }
    return { portBase };
  },
  async makeService({ portBase }) {
    const listed = listings(DEMO_SERVICES, portBase);
    const application = new Application("demo");
    const dataDir = await Deno.makeTempDir({ prefix: "spindle-demo-" });
    // First in, last out: the folder goes once every service has stopped.
    new DataDirService(dataDir).setServiceParent(application);
    try {
      for (const service of DEMO_SERVICES) {
        const built = await service.makeService({
          address: addressOf(service, portBase),
          services: listed,
          dataDir,
        });
        built.setServiceParent(application);
      }
    } catch (error) {
      // Nothing has started, so nothing would stop and delete the folder.
      await Deno.remove(dataDir, { recursive: true });
      throw error;
    }
    new AnnounceService(announcement(listed, portBase)).setServiceParent(
      application,
    );
    return application;
  },
};
