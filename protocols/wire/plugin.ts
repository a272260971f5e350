/**
 * The `spindle echo` command: an echo server (RFC 862) on an endpoint.
 *
 * @module
 */
import { reactor } from "../../reactor/deno_reactor.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import { StreamServerEndpointService } from "../../app/endpoint_service.ts";
import type { Plugin } from "../../app/plugin.ts";
import { echo } from "./echo.ts";

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
