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
  type ServeOptions,
  Site,
} from "../../protocols/http/mod.ts";
import {
  DEFAULT_BODY_TIMEOUT,
  DEFAULT_HEADERS_TIMEOUT,
  DEFAULT_KEEP_ALIVE_TIMEOUT,
} from "../../protocols/http/server.ts";
import { getLogger } from "../../log/mod.ts";
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

/** A timeout option given in seconds, as milliseconds (absent: the server's default). */
function milliseconds(
  options: Record<string, unknown>,
  name: string,
): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value > 0)) {
    throw new UsageError(`--${name} needs a number of seconds above 0`);
  }
  return value * 1000;
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
    {
      name: "headers-timeout",
      type: "number",
      valueName: "SECONDS",
      description: "time to receive a request head before answering 408",
      default: DEFAULT_HEADERS_TIMEOUT / 1000,
    },
    {
      name: "body-timeout",
      type: "number",
      valueName: "SECONDS",
      description: "time a request body may send nothing before answering 408",
      default: DEFAULT_BODY_TIMEOUT / 1000,
    },
    {
      name: "keep-alive-timeout",
      type: "number",
      valueName: "SECONDS",
      description: "time an idle keep-alive connection stays open",
      default: DEFAULT_KEEP_ALIVE_TIMEOUT / 1000,
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
    const serveOptions: ServeOptions = {
      headersTimeout: milliseconds(options, "headers-timeout"),
      bodyTimeout: milliseconds(options, "body-timeout"),
      keepAliveTimeout: milliseconds(options, "keep-alive-timeout"),
    };
    return new StreamServerEndpointService(
      String(options.listen),
      new HTTPFactory(accessLogged(site.fetch), serveOptions),
      { reusePort, name: "web" },
    );
  },
};
