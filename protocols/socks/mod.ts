/**
 * SOCKS 4, 4a and 5 (RFC 1928, RFC 1929; Twisted's
 * `twisted.protocols.socks`): a server ({@linkcode serveSocks},
 * {@linkcode socksHandler}) that CONNECTs to IPv4, IPv6 and named
 * destinations under {@linkcode AccessPolicy} rules (loopback, private and
 * link-local destinations refused unless allowed), with username/password
 * logins through `cred/`; and a SOCKS 5 client ({@linkcode connectViaSocks},
 * and the `socks5:` client endpoint, registered when this module loads).
 * `spindle socks` runs the server.
 *
 * @example A proxy on loopback
 * ```ts ignore
 * import { serveSocks } from "@spindle/spindle/protocols/socks";
 * import { createResolver } from "@spindle/spindle/protocols/dns";
 *
 * await serveSocks({
 *   listen: "tcp:1080:interface=127.0.0.1",
 *   resolver: createResolver({ servers: ["127.0.0.53:53"] }),
 * });
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./rules.ts";
export * from "./server.ts";
export * from "./serve.ts";
export * from "./client.ts";
// Types from lower floors that this entry point's signatures use, so its
// documentation is complete on its own.
export type {
  Deferred,
  TimeoutClock,
  TimeoutOptions,
} from "../../deferred/deferred.ts";
export type {
  ErrorType,
  Failure,
  TrappedError,
} from "../../deferred/failure.ts";
export type { ProtocolError } from "../../reactor/errors.ts";
export type {
  ClientEndpoint,
  ServerEndpoint,
} from "../../reactor/endpoints/endpoint.ts";
export type {
  TCPClientEndpoint,
  TCPClientEndpointOptions,
} from "../../reactor/endpoints/tcp.ts";
export type { CredentialsChecker } from "../../cred/checker.ts";
export type {
  LoginAttempt,
  LoginLimiter,
  LoginLimiterOptions,
} from "../../cred/login_limiter.ts";
export type { CredentialsType } from "../../cred/credentials.ts";
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
  EndpointReactor,
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
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
