/**
 * IRC for Spindle (Twisted's `twisted.words.protocols.irc`): the message
 * codec with IRCv3 tags and CTCP, a server, and a client for bots.
 * The `spindle irc` command lives in `plugin.ts`, which the runner loads on
 * its own.
 *
 * ```ts
 * import { formatMessage, parseMessage } from "@spindle/spindle/protocols/irc";
 * const message = parseMessage(":alice!a@h PRIVMSG #chat :hello there");
 * console.assert(formatMessage(message) === ":alice!a@h PRIVMSG #chat :hello there");
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./message.ts";
export * from "./codec.ts";
export * from "./ctcp.ts";
export * from "./casemap.ts";
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
export type {
  ClientEndpoint,
  ServerEndpoint,
} from "../../reactor/endpoints/endpoint.ts";
export type { ProtocolError } from "../../reactor/errors.ts";
export type {
  ClientFactory,
  Factory,
  ProtocolClass,
} from "../../reactor/factory.ts";
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
  ConnectionSource,
  ConnectorState,
  IConnector,
  IProtocol,
  IProtocolFactory,
  PullProducer,
  PushProducer,
  Transport,
} from "../../reactor/protocol_interfaces.ts";
export type {
  ReconnectingClientFactory,
  ReconnectingOptions,
} from "../../reactor/reconnecting.ts";
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
export type {
  StartTLSClientOptions,
  StartTLSOptions,
  StartTLSServerOptions,
} from "../../reactor/tls.ts";
export type { CredentialsChecker } from "../../cred/checker.ts";
export type { CredentialsType } from "../../cred/credentials.ts";
export type {
  LoginAttempt,
  LoginLimiter,
  LoginLimiterOptions,
} from "../../cred/login_limiter.ts";
