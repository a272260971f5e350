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
export {
  DEFAULT_HTTP_PORT,
  type HTTPServer,
  serveHTTP,
  type ServeHTTPOptions,
  ServerNotListeningError,
  type StartingHTTPServer,
} from "./serve.ts";
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
// The lower-floor types the signatures above use, so that this entry point
// documents them too.
export type {
  Deferred,
  ErrorType,
  Failure,
  TimeoutClock,
  TimeoutOptions,
  TrappedError,
} from "../../deferred/mod.ts";
export type {
  Address,
  Connection,
  ConnectionFactory,
  ConnectionHandler,
  ConnectionHandlerFunction,
  ConnectTCPOptions,
  ConnectTLSOptions,
  DatagramHandler,
  DatagramTransport,
  ListeningPort,
  ListenTCPOptions,
  ListenTLSOptions,
  ListenUDPOptions,
  MemoryAddr,
  Reactor,
  RunningServer,
  TLSCertificate,
  TLSClientOptions,
  TLSReactor,
  TLSServerOptions,
  UDPReactor,
  UnixReactor,
} from "../../reactor/interfaces.ts";
export type {
  DecoderCore,
  decoderCore,
  FusableDecoder,
} from "../../reactor/codec.ts";
export type { DecoderStream } from "../../reactor/decoder_stream.ts";
export type { ProtocolError } from "../../reactor/errors.ts";
export type {
  EndpointReactor,
  ServerEndpoint,
} from "../../reactor/endpoints/mod.ts";
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
export type { H2Limits } from "../http2/mod.ts";
