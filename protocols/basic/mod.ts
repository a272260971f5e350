/**
 * The basic framings — lines, netstrings and length-prefixed strings — as
 * plain incremental cores (`LineDecoderCore`, ...), as decoder and encoder
 * streams over those cores (`LineDecoder`, built on the reactor's
 * `DecoderStream` / `EncoderStream`), as codecs for {@linkcode frame}, and as
 * Twisted-style receivers (`LineReceiver` and friends). One implementation of
 * each framing underneath all four.
 *
 * Every core is incremental (any split of the input gives the same
 * messages), has a named size limit (their defaults are in `limits.ts`:
 * {@linkcode DEFAULT_MAX_LINE_LENGTH}, {@linkcode DEFAULT_MAX_FRAME_LENGTH},
 * {@linkcode DEFAULT_MAX_STRING_LENGTH}), and raises a `ProtocolError`
 * subclass on malformed or oversized input.
 *
 * @example Lines from a connection, stream style
 * ```ts
 * import { LineDecoder } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const input = ReadableStream.from([new TextEncoder().encode("a\r\nb\r\n")]);
 * const lines = await Array.fromAsync(input.pipeThrough(new LineDecoder({ maxLength: 8192 })));
 * assertEquals(lines, ["a", "b"]);
 * ```
 *
 * @module
 */
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./line.ts";
export * from "./netstring.ts";
export * from "./length_prefixed.ts";
export * from "./frame.ts";
export * from "./line_receiver.ts";
export * from "./int_string_receiver.ts";
export * from "./netstring_receiver.ts";

// Types from lower floors that this entry point's signatures use, so its
// documentation is complete on its own.
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
export type { ProtocolError } from "../../reactor/errors.ts";
export type {
  Address,
  Connection,
  MemoryAddr,
  TLSCertificate,
  TLSClientOptions,
  TLSServerOptions,
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
