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
export {
  HTTPFactory,
  requestTrailers,
  serveConnection,
  type ServeHandler,
  type ServeHandlerInfo,
  type ServeOptions,
  type UpgradeOptions,
  type UpgradeResult,
  withTrailers,
} from "./server.ts";
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
  responseTrailers,
} from "./client.ts";
