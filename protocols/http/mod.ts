/**
 * HTTP/1.1 for Spindle: incremental, strict cores (`RequestCore`,
 * `ResponseCore`); a server that takes `Deno.serve`-shaped handlers over any
 * `Connection`; Twisted-style `Site`, `Resource` and `File`; and a pooling
 * client `Agent` with proxies and `Expect: 100-continue`.
 *
 * ```ts ignore
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * await using server = serveHTTP(() => new Response("hello"), { listen: "tcp:8080" });
 * await server.finished;
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./message.ts";
export * from "./codec.ts";
export type {
  ServeHandler,
  ServeHandlerInfo,
  UpgradeOptions,
  UpgradeResult,
} from "./handler.ts";
export {
  requestTrailers,
  responseTrailers,
  type TrailerSource,
  withTrailers,
} from "./trailers.ts";
export { HTTPFactory, serveConnection, type ServeOptions } from "./server.ts";
export { type HTTPServer, serveHTTP, type ServeHTTPOptions } from "./serve.ts";
export {
  ErrorPage,
  type RenderContext,
  type RenderMethod,
  type RenderResult,
  Resource,
  Site,
} from "./resource.ts";
export {
  CONTENT_TYPES,
  File,
  staticFiles,
  type StaticFilesOptions,
} from "./static_file.ts";
export {
  Agent,
  type AgentOptions,
  type AgentRequestOptions,
  type AgentTLSOptions,
  type ProxyOptions,
} from "./client.ts";
