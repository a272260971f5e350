/**
 * The `spindle finger` command: a finger server (RFC 1288) for a folder of
 * plan files.
 *
 * @module
 */
import { reactor } from "../../reactor/deno_reactor.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import { StreamServerEndpointService } from "../../app/endpoint_service.ts";
import { UsageError } from "../../app/options.ts";
import type { Plugin } from "../../app/plugin.ts";
import { PlanDirectory } from "./plan_directory.ts";
import { type FingerDirectory, fingerHandler } from "./server.ts";

/**
 * The options of `spindle finger`, once validated.
 *
 * @example Usage
 * ```ts
 * import type { FingerPluginOptions } from "./plugin.ts";
 * const options: FingerPluginOptions = { listen: "tcp:79" };
 * console.assert(options.usersDir === undefined);
 * ```
 */
export interface FingerPluginOptions {
  /** The endpoint string to listen on. */
  listen: string;
  /** The folder of plan files, one per user; none: no users. */
  usersDir?: string;
}

const NOBODY: FingerDirectory = {
  user: () => null,
  list: () => "No one is here.\n",
};

/**
 * `spindle finger --listen tcp:79 [--users-dir DIR]`: answers finger
 * queries from DIR, one plan file per user (`DIR/alice`); an empty query
 * lists them.
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
export const plugin: Plugin<FingerPluginOptions> = {
  name: "finger",
  description: "a finger server (RFC 1288) for a folder of plan files",
  options: [
    {
      name: "listen",
      short: "l",
      valueName: "ENDPOINT",
      description: "where to listen, such as tcp:79:interface=127.0.0.1",
      default: "tcp:79",
    },
    {
      name: "users-dir",
      valueName: "DIR",
      description: "a folder with one plan file per user, named for the user",
    },
  ],
  endpointOptions: ["listen"],
  async validate({ options }) {
    const listen = String(options.listen);
    // Parsed here, so that a mistake reaches the terminal before --daemon detaches.
    serverFromString(reactor, listen, { transport: "stream" });
    const dir = options["users-dir"];
    if (dir === undefined) return { listen };
    const usersDir = String(dir);
    let isDirectory = false;
    try {
      isDirectory = (await Deno.stat(usersDir)).isDirectory;
    } catch {
      // Reported below.
    }
    if (!isDirectory) {
      throw new UsageError(`--users-dir ${usersDir} is not a folder`);
    }
    return { listen, usersDir };
  },
  makeService: ({ listen, usersDir }, { reusePort }) =>
    new StreamServerEndpointService(
      listen,
      fingerHandler(
        usersDir === undefined ? NOBODY : new PlanDirectory(usersDir),
      ),
      { reusePort, name: "finger" },
    ),
};
