/**
 * HTTP/2 for Spindle (RFC 9113, RFC 7541): the frame layer, HPACK with
 * Huffman coding, and a server connection that serves the same
 * `Deno.serve`-shaped handlers as HTTP/1.1, with flow control at both levels
 * and the limits that stop the known attacks. `serveHTTP` in
 * `@spindle/spindle/protocols/http` reaches it by ALPN (`h2`) on TLS and by
 * the connection preface on cleartext.
 *
 * ```ts ignore
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * await serveHTTP(() => new Response("hello"), { listen: "tcp:8080" });
 * // curl --http2-prior-knowledge http://127.0.0.1:8080/
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./frame.ts";
export * from "./hpack.ts";
export {
  type H2Handler,
  type H2HandlerInfo,
  type H2ServeOptions,
  type H2Session,
  type MadeRequest,
  serveH2Connection,
  type StaticBody,
  type TrailerHooks,
} from "./server.ts";
export {
  connectH2,
  type H2ClientOptions,
  type H2ClientSession,
} from "./client.ts";
// The lower-floor types the signatures above use, so that this entry point
// documents them too.
export type {
  Address,
  Connection,
  MemoryAddr,
} from "../../reactor/interfaces.ts";
export type { DecoderCore, EncoderCore } from "../../reactor/codec.ts";
export type { ProtocolError } from "../../reactor/errors.ts";
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
