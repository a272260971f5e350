/**
 * The PROXY protocol (HAProxy's, v1 text and v2 binary), under Twisted's
 * name: the `haproxy:` endpoint wrapper (registered when this module loads),
 * so servers behind a load balancer see their clients' real addresses;
 * the header codec with its TLVs (ALPN, authority, SSL); and
 * `sendProxyHeader` for the sending side.
 *
 * ```ts ignore
 * import "@spindle/spindle/protocols/haproxy";
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * await serveHTTP((_request, info) => new Response(JSON.stringify(info.remoteAddr)), {
 *   listen: "haproxy:tcp:8080:interface=127.0.0.1:trusted=10.0.0.0/8",
 * });
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
  proxied,
  type ProxiedOptions,
  type ProxyInfo,
  proxyInfoOf,
  readProxyHeader,
  type ReadProxyHeaderOptions,
} from "./server.ts";
export { sendProxyHeader } from "./client.ts";
export {
  HAProxyServerEndpoint,
  type HAProxyServerEndpointOptions,
} from "./endpoint.ts";
// The lower-floor types the signatures above use, so that this entry point
// documents them too.
export type { ProtocolError } from "../../reactor/errors.ts";
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
export type { ServerEndpoint } from "../../reactor/endpoints/endpoint.ts";
export type {
  Address,
  Connection,
  ConnectionFactory,
  ConnectionHandler,
  ConnectionHandlerFunction,
  ConnectTCPOptions,
  ListeningPort,
  ListenTCPOptions,
  MemoryAddr,
  Reactor,
} from "../../reactor/interfaces.ts";
export type {
  Deferred,
  ErrorType,
  Failure,
  TimeoutClock,
  TimeoutOptions,
  TrappedError,
} from "../../deferred/mod.ts";
