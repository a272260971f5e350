/**
 * The reactor: connections, listeners, time and the lifecycle that every
 * Spindle protocol runs on.
 *
 * - {@linkcode Connection}: a byte stream with standard `readable` /
 *   `writable` and a fast `read()` / `write()` path; half-close, backpressure
 *   (writes wait once 64 KiB is pending), `unshift()` for protocol switching.
 *   When only Spindle parts meet, the standard API runs without Web Streams
 *   machinery per chunk: `for await` over a connection's readable,
 *   `pipeThrough` a Spindle decoder or encoder (fused into the read loop),
 *   `pipeTo` another connection, and the writer from `getWriter()`.
 * - {@linkcode DenoReactor} and the default {@linkcode reactor}:
 *   `listenTCP` / `connectTCP`, `listenUnix` / `connectUnix`, `listenTLS` /
 *   `connectTLS` / {@linkcode startTLS} (ALPN, SNI, STARTTLS on both sides),
 *   `listenUDP`, real timers, `run()` / `stop()` with system event triggers
 *   and SIGINT / SIGTERM, {@linkcode react}; {@linkcode connectedPair} for
 *   in-memory connections in tests.
 * - Typed errors that say what to do: {@linkcode ConnectionRefusedError},
 *   {@linkcode AddressInUseError}, {@linkcode DNSLookupError},
 *   {@linkcode ConnectTimeoutError}, {@linkcode ConnectionLostError},
 *   {@linkcode TLSHandshakeError}.
 * - Time: {@linkcode Clock} (fake time for tests), {@linkcode LoopingCall},
 *   {@linkcode deferLater}.
 * - The Twisted-style layer: {@linkcode Protocol}, {@linkcode Factory},
 *   {@linkcode ClientFactory}, {@linkcode ReconnectingClientFactory},
 *   endpoints from strings, policies.
 *
 * ```ts
 * import { DenoReactor } from "@spindle/spindle/reactor";
 * const reactor = new DenoReactor();
 * const port = await reactor.listenTCP(0, async (conn) => {
 *   await conn.readable.pipeTo(conn.writable); // echo
 * }, { interface: "127.0.0.1" });
 * const { port: portNumber } = port.getHost() as Deno.NetAddr;
 * const conn = await reactor.connectTCP("127.0.0.1", portNumber);
 * await conn.write(new TextEncoder().encode("hello"));
 * console.assert(new TextDecoder().decode((await conn.read())!) === "hello");
 * await conn.close();
 * await port.stopListening();
 * ```
 *
 * @module
 */
// The Deferred the reactor's calls return, and the types its methods name, so
// that this entry point documents everything its signatures mention.
export type {
  Deferred,
  TimeoutClock,
  TimeoutOptions,
} from "../deferred/deferred.ts";
export type { ErrorType, Failure, TrappedError } from "../deferred/failure.ts";
export * from "./interfaces.ts";
export * from "./codec.ts";
export * from "./decoder_stream.ts";
export * from "./encoder_stream.ts";
export * from "./message_reader.ts";
export * from "./errors.ts";
export * from "./time.ts";
export * from "./clock.ts";
export * from "./delayed_call.ts";
export * from "./looping_call.ts";
export * from "./defer_later.ts";
export * from "./deadline.ts";
export * from "./running_server.ts";
export {
  type ChunkSink,
  type ChunkSource,
  FastReadableStream,
  FastWritableStream,
} from "./streams.ts";
export { BaseConnection, formatAddress } from "./connection.ts";
export {
  DenoConnection,
  type RawConn,
  type TLSInfo,
} from "./deno_connection.ts";
export {
  type ConnectTLSOptions,
  DEFAULT_HANDSHAKE_TIMEOUT,
  type ListenTLSOptions,
  startTLS,
  type StartTLSClientOptions,
  type StartTLSOptions,
  type StartTLSServerOptions,
  type TLSCertificate,
  type TLSClientOptions,
  tlsInfo,
  type TLSServerOptions,
} from "./tls.ts";
export { connectedPair } from "./connected_pair.ts";
export { DenoReactor, reactor } from "./deno_reactor.ts";
export type { OpenResource } from "./resources.ts";
export type { ConnectUnixOptions, ListenUnixOptions } from "./unix.ts";
export { react, type ReactOptions } from "./react.ts";
export {
  Lifecycle,
  type LifecycleOptions,
  type ReactorState,
  type RunOptions,
  type SystemEvent,
  type TriggerId,
  type TriggerPhase,
} from "./lifecycle.ts";
export * from "./protocol_interfaces.ts";
export * from "./protocol.ts";
export * from "./factory.ts";
export * from "./transport.ts";
export * from "./reconnecting.ts";
export * from "./connector.ts";
export * from "./endpoints/mod.ts";
export * from "./policies/mod.ts";
export * from "./datagram_protocol.ts";
export * from "./ip_address.ts";
export * from "./address_ranges.ts";
