/**
 * The `spindle portforward` command: a TCP relay to a target.
 *
 * @module
 */
import { reactor } from "../../reactor/deno_reactor.ts";
import {
  clientFromString,
  serverFromString,
} from "../../reactor/endpoints/mod.ts";
import { StreamServerEndpointService } from "../../app/endpoint_service.ts";
import { UsageError } from "../../app/options.ts";
import type { Plugin } from "../../app/plugin.ts";
import { portForwardHandler } from "./forward.ts";

/**
 * The options of `spindle portforward`, once validated.
 *
 * @example Usage
 * ```ts
 * import type { PortForwardPluginOptions } from "./plugin.ts";
 * const options: PortForwardPluginOptions = {
 *   listen: "tcp:8080",
 *   to: "tcp:example.org:80",
 * };
 * console.assert(options.to === "tcp:example.org:80");
 * ```
 */
export interface PortForwardPluginOptions {
  /** The endpoint string to listen on. */
  listen: string;
  /** The client endpoint string of the target. */
  to: string;
}

/**
 * `spindle portforward --listen tcp:8080 --to tcp:host:80`: relays every
 * connection to the target, both ways, with backpressure and half-close.
 *
 * @example Usage
 * ```ts
 * import { plugin } from "./plugin.ts";
 * const options = await plugin.validate({
 *   options: { listen: "tcp:0:interface=127.0.0.1", to: "tcp:127.0.0.1:9" },
 *   args: [],
 * });
 * const service = await plugin.makeService(options, { reusePort: false });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const plugin: Plugin<PortForwardPluginOptions> = {
  name: "portforward",
  description:
    "relay every TCP connection to a target (backpressure, half-close)",
  options: [
    {
      name: "listen",
      short: "l",
      valueName: "ENDPOINT",
      description: "where to listen, such as tcp:8080:interface=127.0.0.1",
      default: "tcp:8080",
    },
    {
      name: "to",
      valueName: "ENDPOINT",
      description:
        "the target, a client endpoint such as tcp:example.org:80 (timeout= in seconds)",
    },
  ],
  endpointOptions: ["listen"],
  validate({ options }) {
    const listen = String(options.listen);
    if (options.to === undefined) {
      throw new UsageError(
        "spindle portforward needs --to ENDPOINT, such as tcp:example.org:80",
      );
    }
    const to = String(options.to);
    // Parsed here, so that a mistake reaches the terminal before --daemon detaches.
    serverFromString(reactor, listen, { transport: "stream" });
    clientFromString(reactor, to);
    return { listen, to };
  },
  makeService: ({ listen, to }, { reusePort }) =>
    new StreamServerEndpointService(listen, portForwardHandler(to), {
      reusePort,
      name: "portforward",
    }),
};
