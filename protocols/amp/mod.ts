/**
 * Twisted's Asynchronous Messaging Protocol (AMP), typed: define commands with
 * typed arguments, responses and errors, answer them with responders, and call
 * them on the peer with `callRemote`. Wire-compatible with
 * `twisted.protocols.amp`: a Spindle peer talks to a Twisted peer.
 *
 * ```ts ignore
 * import { AMP, defineCommand, Integer } from "@spindle/spindle/protocols/amp";
 * import { Factory, reactor, runProtocol } from "@spindle/spindle/reactor";
 *
 * class DivideByZeroError extends Error {}
 * const Divide = defineCommand({
 *   name: "Divide",
 *   arguments: { numerator: Integer, denominator: Integer },
 *   response: { result: Integer },
 *   errors: { ZERO_DIVISION: DivideByZeroError },
 * });
 *
 * // Server, Twisted style: one AMP per connection, built by a Factory.
 * class Calculator extends AMP {
 *   constructor() {
 *     super();
 *     this.respond(Divide, ({ numerator, denominator }) => {
 *       if (denominator === 0) throw new DivideByZeroError("division by zero");
 *       return { result: Math.trunc(numerator / denominator) };
 *     });
 *   }
 * }
 * await reactor.listenTCP(7001, Factory.forProtocol(Calculator), { interface: "127.0.0.1" });
 *
 * // Client: `result` is typed as a number; `DivideByZeroError` comes back as itself.
 * const client = new AMP();
 * runProtocol(client, await reactor.connectTCP("127.0.0.1", 7001), { reactor });
 * const { result } = await client.callRemote(Divide, { numerator: 7, denominator: 2 });
 * ```
 *
 * Argument types: {@linkcode Integer} (and {@linkcode BigInteger}),
 * {@linkcode String} (bytes), {@linkcode Unicode}, {@linkcode Boolean},
 * {@linkcode Float}, {@linkcode Decimal}, {@linkcode DateTime},
 * {@linkcode ListOf}, {@linkcode AmpList}, each maybe {@linkcode optional}.
 *
 * `callRemote` returns a `Deferred`: cancelling it forgets the call at once
 * (the peer's late answer is dropped). {@linkcode StartTLS} switches a
 * connection to TLS, as Twisted's `amp.StartTLS` does. Every limit (Twisted's
 * key and value lengths, Spindle's box size, keys per box and `maxInFlight`)
 * has its default in `limits.ts`.
 *
 * {@linkcode serveAMP} answers a {@linkcode CommandLocator}'s commands on an
 * endpoint string; a client runs an `AMP` over a client endpoint with the
 * reactor's `connectProtocol`.
 *
 * The box framing is usable on its own: the {@linkcode BoxDecoderCore} /
 * {@linkcode BoxEncoderCore} cores and the {@linkcode AmpBoxDecoder} /
 * {@linkcode AmpBoxEncoder} streams over them.
 *
 * @module
 */
export * from "./amp.ts";
export * from "./arguments.ts";
export * from "./codec.ts";
export {
  type Command,
  type CommandOptions,
  defineCommand,
  type ErrorClass,
  type ErrorMap,
} from "./command.ts";
export * from "./constants.ts";
export * from "./errors.ts";
export * from "./limits.ts";
export * from "./message.ts";
export * from "./start_tls.ts";
export * from "./serve.ts";

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
export type {
  Codec,
  DecoderCore,
  decoderCore,
  EncoderCore,
  encoderCore,
  FusableDecoder,
  FusableEncoder,
} from "../../reactor/codec.ts";
export type { DecoderStream } from "../../reactor/decoder_stream.ts";
export type { TLSInfo } from "../../reactor/deno_connection.ts";
export type { EncoderStream } from "../../reactor/encoder_stream.ts";
export type { ServerEndpoint } from "../../reactor/endpoints/endpoint.ts";
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
export type { Protocol } from "../../reactor/protocol.ts";
export type {
  IProtocol,
  IProtocolFactory,
  PullProducer,
  PushProducer,
  Transport,
} from "../../reactor/protocol_interfaces.ts";
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
export type {
  StartTLSClientOptions,
  StartTLSOptions,
  StartTLSServerOptions,
} from "../../reactor/tls.ts";
