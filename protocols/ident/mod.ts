/**
 * The Identification Protocol (RFC 1413; Twisted's
 * `twisted.protocols.ident`): a server answering from a pluggable lookup
 * ({@linkcode identHandler}) and a client ({@linkcode ident}) that parses
 * replies strictly.
 *
 * @example A server and a query
 * ```ts
 * import { ident, identHandler } from "@spindle/spindle/protocols/ident";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * await using port = await reactor.listenTCP(
 *   0,
 *   identHandler(() => ({ userId: "alice" }), { reactor }),
 *   { interface: "127.0.0.1" },
 * );
 * const owner = await ident("127.0.0.1", { serverPort: 6667, clientPort: 40000 }, {
 *   port: (port.getHost() as Deno.NetAddr).port,
 *   reactor,
 * });
 * console.assert(owner.userId === "alice");
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./message.ts";
export * from "./server.ts";
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
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
