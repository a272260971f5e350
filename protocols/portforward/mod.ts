/**
 * Port forwarding (Twisted's `twisted.protocols.portforward`): a TCP relay
 * with backpressure and half-close ({@linkcode portForwardHandler}), and its
 * parts, {@linkcode relay} (one direction) and {@linkcode splice} (both).
 * `spindle portforward` runs it.
 *
 * @example Forwarding a local port
 * ```ts ignore
 * import { portForwardHandler } from "@spindle/spindle/protocols/portforward";
 * import { reactor } from "@spindle/spindle/reactor";
 *
 * await reactor.listenTCP(8000, portForwardHandler("tcp:127.0.0.1:8080"), {
 *   interface: "127.0.0.1",
 * });
 * ```
 *
 * @module
 */
export * from "./relay.ts";
export * from "./forward.ts";
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
export type { ClientEndpoint } from "../../reactor/endpoints/endpoint.ts";
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
  TLSCertificate,
  TLSClientOptions,
  TLSReactor,
  TLSServerOptions,
  UDPReactor,
  UnixReactor,
} from "../../reactor/interfaces.ts";
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
