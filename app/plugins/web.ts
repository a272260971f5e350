/**
 * The `spindle web` plugin: static files over HTTP, served by the HTTP
 * package's `File` resource.
 *
 * @module
 */
import { formatAddress } from "../../reactor/connection.ts";
import {
  File as StaticFile,
  HTTPFactory,
  type ServeHandler,
  Site,
} from "../../protocols/http/mod.ts";
import { getLogger } from "../logger/mod.ts";
import { StreamServerEndpointService } from "../endpoint_service.ts";
import { UsageError } from "../options.ts";
import type { Plugin } from "../plugin.ts";

const log = getLogger("spindle.web");

/** Logs each request as it is answered (the access log). */
function accessLogged(handler: ServeHandler): ServeHandler {
  return async (request, info) => {
    const started = performance.now();
    const response = await handler(request, info);
    log.info("{client} {method} {path} {status} {ms} ms", {
      client: formatAddress(info.remoteAddr),
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      ms: Math.round(performance.now() - started),
    });
    return response;
  };
}

/**
 * `spindle web --listen tcp:8080 --path ./public`: serves the files under a
 * directory (with ranges, ETags, content types) and logs each request.
 *
 * @example Usage
 * ```ts
 * import { webPlugin } from "@spindle/spindle/app";
 * const service = await webPlugin.makeService({
 *   options: { listen: "tcp:0:interface=127.0.0.1", path: ".", "directory-listing": false },
 *   args: [],
 *   reusePort: false,
 * });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const webPlugin: Plugin = {
  name: "web",
  description: "serve static files over HTTP",
  options: [
    {
      name: "listen",
      short: "l",
      valueName: "ENDPOINT",
      description: "where to listen, such as tcp:8080:interface=127.0.0.1",
      default: "tcp:8080",
    },
    {
      name: "path",
      short: "p",
      valueName: "DIR",
      description: "the directory (or file) to serve",
      default: ".",
    },
    {
      name: "directory-listing",
      type: "boolean",
      description: "list directories that have no index.html",
    },
  ],
  endpointOptions: ["listen"],
  makeService({ options, reusePort }) {
    const path = String(options.path);
    try {
      Deno.statSync(path);
    } catch {
      throw new UsageError(`--path ${path} does not exist`);
    }
    const site = new Site(
      new StaticFile(path, {
        directoryListing: options["directory-listing"] === true,
      }),
    );
    return new StreamServerEndpointService(
      String(options.listen),
      new HTTPFactory(accessLogged(site.fetch)),
      { reusePort, name: "web" },
    );
  },
};
