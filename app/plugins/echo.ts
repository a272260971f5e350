/**
 * The `spindle echo` plugin: an echo server (RFC 862) on an endpoint.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import { StreamServerEndpointService } from "../endpoint_service.ts";
import type { Plugin } from "../plugin.ts";

async function echo(conn: Connection): Promise<void> {
  for (;;) {
    const chunk = await conn.read();
    if (chunk === null) return;
    await conn.write(chunk);
  }
}

/**
 * `spindle echo --listen tcp:7000`: sends every byte back.
 *
 * @example Usage
 * ```ts
 * import { echoPlugin } from "@spindle/spindle/app";
 * const service = await echoPlugin.makeService({
 *   options: { listen: "tcp:0:interface=127.0.0.1" },
 *   args: [],
 *   reusePort: false,
 * });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const echoPlugin: Plugin = {
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
  makeService({ options, reusePort }) {
    return new StreamServerEndpointService(String(options.listen), echo, {
      reusePort,
      name: "echo",
    });
  },
};
