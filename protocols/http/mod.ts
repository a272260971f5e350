/**
 * HTTP/1.1 for Spindle: an incremental, strict parser; a server that takes
 * `Deno.serve`-shaped handlers over any `Connection`; Twisted-style `Site`,
 * `Resource` and `File`; and a pooling client `Agent`.
 *
 * ```ts ignore
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * const server = await serveHTTP(() => new Response("hello"), { listen: "tcp:8080" });
 * ```
 *
 * @module
 */
export * from "./errors.ts";
export * from "./parser.ts";
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
export {
  type HTTPServer,
  serveHTTP,
  type ServeHTTPOptions,
} from "./serve_http.ts";
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
  ResponseTimeoutError,
  responseTrailers,
} from "./agent.ts";
