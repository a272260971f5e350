/**
 * The `spindle echo` and `spindle inetd` commands: the echo server (RFC
 * 862), and every small inetd service over TCP and UDP.
 *
 * @module
 */
import { reactor } from "../../reactor/deno_reactor.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import type { ConnectionHandlerFunction } from "../../reactor/interfaces.ts";
import { StreamServerEndpointService } from "../../app/endpoint_service.ts";
import { DatagramServerEndpointService } from "../../app/datagram_service.ts";
import { MultiService } from "../../app/multi_service.ts";
import { UsageError } from "../../app/options.ts";
import type { Plugin } from "../../app/plugin.ts";
import { chargen } from "./chargen.ts";
import { INETD_PORTS, type InetdServiceName } from "./constants.ts";
import { daytime } from "./daytime.ts";
import { inetdDatagramHandler } from "./datagram.ts";
import { discard } from "./discard.ts";
import { echo } from "./echo.ts";
import { encodeQuote } from "./qotd.ts";
import { qotd } from "./qotd.ts";
import { time } from "./time.ts";

/**
 * The options of `spindle echo`, once validated.
 *
 * @example Usage
 * ```ts
 * import type { EchoOptions } from "./plugin.ts";
 * const options: EchoOptions = { listen: "tcp:7000" };
 * console.assert(options.listen === "tcp:7000");
 * ```
 */
export interface EchoOptions {
  /** The endpoint string to listen on. */
  listen: string;
}

/**
 * `spindle echo --listen tcp:7000`: sends every byte back.
 *
 * @example Usage
 * ```ts
 * import { plugin } from "./plugin.ts";
 * const options = await plugin.validate({
 *   options: { listen: "tcp:0:interface=127.0.0.1" },
 *   args: [],
 * });
 * const service = await plugin.makeService(options, { reusePort: false });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const plugin: Plugin<EchoOptions> = {
  name: "echo",
  description: "an echo server: sends every byte back",
  options: [
    {
      name: "listen",
      short: "l",
      valueName: "ENDPOINT",
      description: "where to listen, such as tcp:7000:interface=127.0.0.1",
      default: "tcp:7000",
    },
  ],
  endpointOptions: ["listen"],
  validate({ options }) {
    const listen = String(options.listen);
    // Parsed here, so that a mistake reaches the terminal before --daemon detaches.
    serverFromString(reactor, listen, { transport: "stream" });
    return { listen };
  },
  makeService: ({ listen }, { reusePort }) =>
    new StreamServerEndpointService(listen, echo, { reusePort, name: "echo" }),
};

/**
 * One endpoint of `spindle inetd`: a service and where it listens.
 *
 * @example Usage
 * ```ts
 * import type { InetdBinding } from "./plugin.ts";
 * const binding: InetdBinding = { service: "echo", endpoint: "udp:7" };
 * console.assert(binding.service === "echo");
 * ```
 */
export interface InetdBinding {
  /** The service. */
  service: InetdServiceName;
  /** A `tcp:`, `udp:` (or other stream) endpoint string. */
  endpoint: string;
}

/**
 * The options of `spindle inetd`, once validated.
 *
 * @example Usage
 * ```ts
 * import type { InetdOptions } from "./plugin.ts";
 * const options: InetdOptions = {
 *   bindings: [{ service: "daytime", endpoint: "tcp:1313" }],
 *   quotes: [],
 * };
 * console.assert(options.bindings.length === 1);
 * ```
 */
export interface InetdOptions {
  /** Every endpoint to serve, with its service. */
  bindings: InetdBinding[];
  /** QOTD's quotes, one picked at random per request; none: the default quote. */
  quotes: string[];
}

// In the order --listen-base lays them out on consecutive ports.
const SERVICES = Object.keys(INETD_PORTS) as InetdServiceName[];

const DESCRIPTIONS: Record<InetdServiceName, string> = {
  echo: "echo (RFC 862) on this endpoint",
  discard: "discard (RFC 863) on this endpoint",
  chargen: "chargen (RFC 864) on this endpoint",
  daytime: "daytime (RFC 867) on this endpoint",
  time: "time (RFC 868) on this endpoint",
  qotd: "quote of the day (RFC 865) on this endpoint",
};

/** The fortune-style quotes file: quotes apart on lines holding only `%`. */
async function loadQuotes(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new UsageError(
      `--quotes ${file} cannot be read: ${(error as Error).message}`,
    );
  }
  const quotes = text.split(/^%\r?$/m)
    .map((quote) => quote.trim())
    .filter((quote) => quote !== "")
    .map((quote) => quote.replace(/\r?\n/g, "\r\n") + "\r\n");
  for (const quote of quotes) {
    try {
      encodeQuote(quote);
    } catch (error) {
      throw new UsageError(`--quotes ${file}: ${(error as Error).message}`);
    }
  }
  if (quotes.length === 0) {
    throw new UsageError(`--quotes ${file} holds no quote`);
  }
  return quotes;
}

function tcpHandler(
  service: InetdServiceName,
  quotes: readonly string[],
): ConnectionHandlerFunction {
  switch (service) {
    case "echo":
      return echo;
    case "discard":
      return discard;
    case "chargen":
      return chargen;
    case "daytime":
      return (conn) => daytime(conn);
    case "time":
      return (conn) => time(conn);
    case "qotd":
      return (conn) => qotd(conn, { quote: pickQuote(quotes) });
  }
}

function pickQuote(quotes: readonly string[]): (() => string) | undefined {
  if (quotes.length === 0) return undefined;
  return () => quotes[Math.floor(Math.random() * quotes.length)]!;
}

/**
 * `spindle inetd`: the small services of inetd (echo, discard, chargen,
 * daytime, time, QOTD) over TCP and UDP. `--listen-base PORT` serves all six
 * on consecutive ports from PORT, in that order, over both TCP and UDP, on
 * `--interface` (127.0.0.1 unless told otherwise: over UDP, echo and chargen
 * reflect traffic at spoofed addresses); `--echo ENDPOINT` and its siblings
 * serve one service on one more endpoint each time they are given
 * (`--echo tcp:7 --echo udp:7`).
 *
 * @example Usage
 * ```ts
 * import { inetdPlugin } from "./plugin.ts";
 * const options = await inetdPlugin.validate({
 *   options: { echo: ["tcp:0:interface=127.0.0.1"] },
 *   args: [],
 * });
 * const service = await inetdPlugin.makeService(options, { reusePort: false });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const inetdPlugin: Plugin<InetdOptions> = {
  name: "inetd",
  description:
    "the small inetd services over TCP and UDP: echo, discard, chargen, daytime, time, qotd",
  options: [
    {
      name: "listen-base",
      valueName: "PORT",
      type: "number",
      description:
        "serve all six services on consecutive ports from PORT (echo, discard, chargen, daytime, time, qotd), TCP and UDP",
    },
    {
      name: "interface",
      valueName: "ADDRESS",
      description: "the interface --listen-base binds",
      default: "127.0.0.1",
    },
    ...SERVICES.map((service) => ({
      name: service,
      valueName: "ENDPOINT",
      description: DESCRIPTIONS[service],
      repeatable: true,
    })),
    {
      name: "quotes",
      valueName: "FILE",
      description:
        "QOTD's quotes, apart on lines holding only % (the fortune format)",
    },
  ],
  endpointOptions: SERVICES,
  async validate({ options }) {
    const bindings: InetdBinding[] = [];
    const base = options["listen-base"];
    if (base !== undefined) {
      const port = Number(base);
      if (
        !Number.isInteger(port) || port < 1 ||
        port + SERVICES.length - 1 > 65535
      ) {
        throw new UsageError(
          `--listen-base needs a port from 1 to ${
            65536 - SERVICES.length
          }, got ${base}`,
        );
      }
      const host = String(options.interface);
      SERVICES.forEach((service, i) => {
        for (const kind of ["tcp", "udp"]) {
          bindings.push({
            service,
            endpoint: `${kind}:${port + i}:interface=${host}`,
          });
        }
      });
    }
    for (const service of SERVICES) {
      const given = options[service];
      for (const endpoint of Array.isArray(given) ? given : []) {
        bindings.push({ service, endpoint });
      }
    }
    if (bindings.length === 0) {
      throw new UsageError(
        "spindle inetd serves nothing: give --listen-base PORT, or --echo ENDPOINT and the like",
      );
    }
    // Parsed here, so that a mistake reaches the terminal before --daemon detaches.
    for (const { endpoint } of bindings) serverFromString(reactor, endpoint);
    const quotes = options.quotes === undefined
      ? []
      : await loadQuotes(String(options.quotes));
    return { bindings, quotes };
  },
  makeService({ bindings, quotes }, { reusePort }) {
    const all = new MultiService("inetd");
    for (const { service, endpoint } of bindings) {
      const name = `${service} ${endpoint}`;
      const parsed = serverFromString(reactor, endpoint, { reusePort });
      const child = parsed.transport === "datagram"
        ? new DatagramServerEndpointService(
          parsed,
          inetdDatagramHandler(service, { quote: pickQuote(quotes) }),
          { name },
        )
        : new StreamServerEndpointService(
          parsed,
          tcpHandler(service, quotes),
          { name },
        );
      child.setServiceParent(all);
    }
    return all;
  },
};
