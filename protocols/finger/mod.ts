/**
 * Finger (RFC 1288; Twisted's `twisted.protocols.finger`): a server with a
 * pluggable user lookup ({@linkcode FingerDirectory}, such as
 * {@linkcode PlanDirectory}'s plan files), and a client ({@linkcode finger}).
 * `spindle finger` runs the server.
 *
 * @example A server and a query
 * ```ts
 * import { finger, serveFinger } from "@spindle/spindle/protocols/finger";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * await using server = await serveFinger(
 *   { user: (name) => name === "alice" ? "Plan: tea\n" : null },
 *   { listen: "tcp:0:interface=127.0.0.1", reactor },
 * );
 * const { port } = server.addr as Deno.NetAddr;
 * const text = await finger("127.0.0.1", "alice", { port, reactor });
 * console.assert(text === "Plan: tea\r\n");
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./message.ts";
export * from "./server.ts";
export * from "./serve.ts";
export * from "./client.ts";
export * from "./plan_directory.ts";
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
export type { ServerEndpoint } from "../../reactor/endpoints/endpoint.ts";
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
