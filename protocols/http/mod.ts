/**
 * HTTP/1.1 for Spindle: an incremental, strict parser; a server that takes
 * `Deno.serve`-shaped handlers over any `Connection`; Twisted-style `Site`,
 * `Resource` and `File`; and a pooling client `Agent`.
 *
 * ```ts ignore
 * import { serveHTTP } from "@spindle/spindle/http";
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
