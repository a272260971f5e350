/**
 * IMAP4rev2 (RFC 9051, answering IMAP4rev1 clients too), Twisted's
 * `twisted.mail.imap4`: a server over the shared maildir store
 * (`@spindle/spindle/protocols/mail`) and a client.
 *
 * - {@linkcode serveIMAP} / {@linkcode IMAPServer}: each user's maildir is
 *   their INBOX, its Maildir++ folders their other mailboxes ("." the
 *   separator: `Archive` is `DIR/alice/.Archive`). UIDs are kept in a
 *   `uidlist` per folder, flags in the file names' `:2,` suffix, and
 *   EXPUNGE unlinks. Logins go through `cred/` and only after TLS
 *   (STARTTLS or a `tls:` endpoint) unless `allowInsecureAuth`.
 *   Extensions: IDLE, NAMESPACE, UIDPLUS, MOVE, ENABLE, LITERAL+, SASL-IR,
 *   ID, UNSELECT, SPECIAL-USE, ESEARCH.
 * - {@linkcode IMAPClient}: pipelined tagged commands, responses parsed
 *   incrementally under limits, IDLE as an async iterator, `fetchEach`
 *   streaming a FETCH message by message.
 * - The grammar: {@linkcode IMAPFrameDecoderCore} (lines and literals,
 *   a literal over the limit refused before it is read) and
 *   {@linkcode parseIMAPTokens}.
 *
 * @example Serve a maildir and read it back
 * ```ts
 * import { IMAPClient, serveIMAP } from "@spindle/spindle/protocols/imap";
 * import { MailStore } from "@spindle/spindle/protocols/mail";
 * import { checkerFromString } from "@spindle/spindle/cred";
 * const root = await Deno.makeTempDir();
 * const store = new MailStore(root);
 * await store.createMailboxes(["alice"]);
 * await store.mailbox("alice").deliver(new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * await using server = await serveIMAP(store, {
 *   listen: "tcp:0:interface=127.0.0.1",
 *   checker: checkerFromString("memory:alice=pw"),
 *   allowInsecureAuth: true, // loopback, for the example only
 * });
 * const client = await IMAPClient.connect(`tcp:127.0.0.1:${(server.addr as Deno.NetAddr).port}`);
 * await client.login("alice", "pw");
 * const { exists } = await client.select("INBOX");
 * console.assert(exists === 1);
 * await client.logout();
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./client.ts";
export * from "./codec.ts";
export * from "./constants.ts";
export * from "./errors.ts";
export * from "./limits.ts";
export * from "./serve.ts";
export * from "./server.ts";

// Types from lower floors and the mail store that this entry point's
// signatures use, so its documentation is complete on its own.
export type {
  CredentialsChecker,
  CredentialsType,
  LoginAttempt,
  LoginLimiter,
  LoginResult,
  Portal,
} from "../../cred/mod.ts";
export type {
  DeliverOptions,
  Maildir,
  MaildirLock,
  MaildirMessage,
  MaildirSubfolder,
  MailStore,
  MessageSource,
} from "../mail/mod.ts";
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
