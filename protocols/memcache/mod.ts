/**
 * A memcache client (memcached's text protocol; Twisted's
 * `twisted.protocols.memcache`): get/gets (one or many keys),
 * set/add/replace/append/prepend/cas, delete, incr/decr, touch, stats,
 * flush_all and version, pipelined on one connection, with key checks and
 * value limits.
 *
 * @example Usage
 * ```ts ignore
 * import { connectMemcache } from "@spindle/spindle/protocols/memcache";
 * const cache = await connectMemcache("tcp:127.0.0.1:11211");
 * await cache.set("greeting", "hello", { exptime: 60 });
 * const item = await cache.get("greeting");
 * await cache.close();
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./codec.ts";
export * from "./client.ts";
// Types from lower floors that this entry point's signatures use, so its
// documentation is complete on its own.
export type { DecoderCore } from "../../reactor/codec.ts";
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
  TLSCertificate,
  TLSClientOptions,
  TLSReactor,
  TLSServerOptions,
  UDPReactor,
  UnixReactor,
} from "../../reactor/interfaces.ts";
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
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
