/**
 * The `spindle web` command: static files over HTTP, served by the HTTP
 * package's `File` resource.
 *
 * @module
 */
import { formatAddress } from "../../reactor/connection.ts";
import { reactor } from "../../reactor/deno_reactor.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import { getLogger } from "../../log/mod.ts";
import { StreamServerEndpointService } from "../../app/endpoint_service.ts";
import { type OptionValues, UsageError } from "../../app/options.ts";
import type { Plugin } from "../../app/plugin.ts";
import {
  DEFAULT_BODY_TIMEOUT,
  DEFAULT_HEADERS_TIMEOUT,
  DEFAULT_KEEP_ALIVE_TIMEOUT,
  DEFAULT_MAX_BODY_SIZE,
  File as StaticFile,
  HTTP_1_1_ALPN,
  HTTPFactory,
  type ServeHandler,
  type ServeOptions,
  Site,
} from "./mod.ts";
import { loggedTarget } from "./_log_target.ts";
import { H2_ALPN } from "../http2/mod.ts";

const log = getLogger("spindle.web");
// A tls: endpoint offers HTTP/2 and HTTP/1.1 by ALPN unless its string says
// otherwise (the factory serves both).
const ENDPOINT_DEFAULTS = { alpn: `${H2_ALPN},${HTTP_1_1_ALPN}` };

/**
 * The options of `spindle web`, once validated.
 *
 * @example Usage
 * ```ts
 * import type { WebOptions } from "./plugin.ts";
 * const options: WebOptions = {
 *   listen: "tcp:8080",
 *   path: "./public",
 *   directoryListing: false,
 *   server: { headersTimeout: 10_000 },
 * };
 * console.assert(options.server.headersTimeout === 10_000);
 * ```
 */
export interface WebOptions {
  /** The endpoint string to listen on. */
  listen: string;
  /** The directory (or file) to serve; it exists. */
  path: string;
  /** Whether to list directories that have no `index.html`. */
  directoryListing: boolean;
  /** The HTTP server's options (its timeouts in milliseconds). */
  server: ServeOptions;
}

/** Logs each request as it is answered (the access log). */
function accessLogged(handler: ServeHandler): ServeHandler {
  return async (request, info) => {
    const started = performance.now();
    const response = await handler(request, info);
    log.info("{client} {method} {path} {status} {ms} ms", {
      client: formatAddress(info.remoteAddr),
      method: request.method,
      path: loggedTarget(new URL(request.url).pathname),
      status: response.status,
      ms: Math.round(performance.now() - started),
    });
    return response;
  };
}

/** A timeout option given in seconds, as milliseconds (absent: the server's default). */
function milliseconds(options: OptionValues, name: string): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value > 0)) {
    throw new UsageError(`--${name} needs a number of seconds above 0`);
  }
  return value * 1000;
}

/** A byte count option: a whole number, 0 or more (absent: the server's default). */
function byteCount(options: OptionValues, name: string): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new UsageError(`--${name} needs a whole number of bytes`);
  }
  return value;
}

/**
 * `spindle web --listen tcp:8080 --path ./public`: serves the files under a
 * directory (with ranges, ETags, content types) and logs each request.
 *
 * @example Usage
 * ```ts
 * import { plugin } from "./plugin.ts";
 * const options = await plugin.validate({
 *   options: { listen: "tcp:0:interface=127.0.0.1", path: "." },
 *   args: [],
 * });
 * const service = await plugin.makeService(options, { reusePort: false });
 * await service.startService();
 * await service.stopService();
 * ```
 */
export const plugin: Plugin<WebOptions> = {
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
    {
      name: "max-body-size",
      type: "number",
      valueName: "BYTES",
      description: "the largest request body accepted; larger ones get 413",
      default: DEFAULT_MAX_BODY_SIZE,
    },
  ],
  endpointOptions: ["listen"],
  validate({ options }) {
    const listen = String(options.listen);
    // Parsed here, so that a mistake reaches the terminal before --daemon detaches.
    serverFromString(reactor, listen, {
      transport: "stream",
      defaults: ENDPOINT_DEFAULTS,
    });
    const path = String(options.path);
    try {
      Deno.statSync(path);
    } catch {
      throw new UsageError(`--path ${path} does not exist`);
    }
    return {
      listen,
      path,
      directoryListing: options["directory-listing"] === true,
      server: {
        headersTimeout: milliseconds(options, "headers-timeout"),
        bodyTimeout: milliseconds(options, "body-timeout"),
        keepAliveTimeout: milliseconds(options, "keep-alive-timeout"),
        maxBodySize: byteCount(options, "max-body-size"),
      },
    };
  },
  makeService(options, { reusePort }) {
    const site = new Site(
      new StaticFile(options.path, {
        directoryListing: options.directoryListing,
      }),
    );
    const endpoint = serverFromString(reactor, options.listen, {
      transport: "stream",
      defaults: ENDPOINT_DEFAULTS,
      reusePort,
    });
    // Over TLS, request URLs are https: (the factory cannot tell by itself).
    const factory = new HTTPFactory(accessLogged(site.fetch), {
      ...options.server,
      secure: endpoint.secure,
    });
    return new StreamServerEndpointService(endpoint, factory, { name: "web" });
  },
};
