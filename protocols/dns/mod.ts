/**
 * DNS for Spindle (Twisted's `twisted.names`): the message codec, a zone file
 * parser, an authoritative server over UDP and TCP, and a client with a
 * caching resolver. The `spindle dns` command lives in `plugin.ts`, which the
 * runner loads on its own.
 *
 * ```ts
 * import { decodeMessage, encodeMessage, createMessage, RecordType } from "@spindle/spindle/protocols/dns";
 * const query = createMessage({ id: 1, questions: [{ name: "example.org", type: RecordType.A, class: 1 }] });
 * console.assert(decodeMessage(encodeMessage(query)).id === 1);
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./message.ts";
export {
  isSubdomain,
  nameKey,
  namesEqual,
  nameToLabels,
  normalizeName,
} from "./name.ts";
export * from "./wire.ts";
export * from "./codec.ts";
export * from "./zone_file.ts";
export * from "./zone.ts";
export * from "./server.ts";
export * from "./datagram.ts";
export * from "./rate_limit.ts";
export * from "./serve.ts";
export * from "./lookups.ts";
export * from "./client.ts";
export * from "./resolver.ts";
export * from "./system_resolver.ts";

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
export type { EncoderStream } from "../../reactor/encoder_stream.ts";
export type { DatagramEndpoint } from "../../reactor/endpoints/endpoint.ts";
export type {
  UDPServerEndpoint,
  UDPServerEndpointOptions,
} from "../../reactor/endpoints/udp.ts";
export type { ProtocolError } from "../../reactor/errors.ts";
export type {
  Address,
  Connection,
  ConnectionFactory,
  ConnectionHandler,
  ConnectionHandlerFunction,
  ConnectTCPOptions,
  DatagramHandler,
  DatagramTransport,
  ListeningPort,
  ListenTCPOptions,
  ListenUDPOptions,
  MemoryAddr,
  Reactor,
  RunningServer,
  UDPReactor,
} from "../../reactor/interfaces.ts";
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
