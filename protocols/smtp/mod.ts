/**
 * SMTP (Twisted's `twisted.mail.smtp`): an ESMTP server that receives mail
 * into a delivery of your own or the shared maildir store, and a client that
 * sends it.
 *
 * - {@linkcode serveSMTP} / {@linkcode SMTPServer}: RFC 5321 with SIZE,
 *   8BITMIME, PIPELINING, ENHANCEDSTATUSCODES, SMTPUTF8, CHUNKING (BDAT),
 *   STARTTLS and AUTH PLAIN / LOGIN through `cred/` (offered only over TLS
 *   unless `allowInsecureAuth`). Not an open relay: a recipient outside
 *   `domains` gets `550 5.7.1` unless the session authenticated.
 * - {@linkcode SMTPDelivery}: where the server hands mail (Twisted's
 *   `IMessageDelivery`): `validateFrom`, `validateTo` per recipient, and
 *   `receiveMessage` with the message as a `ReadableStream` (backpressure),
 *   to keep only when it ends cleanly. {@linkcode MaildirDelivery} delivers
 *   into the `protocols/mail` store with {@linkcode traceHeaders}.
 * - {@linkcode sendMail}: the client. It pipelines when the server offers
 *   PIPELINING, sends with BDAT when it offers CHUNKING, upgrades with
 *   STARTTLS (certificates verified), logs in with AUTH, and with no `host`
 *   finds the recipient domain's MX hosts through Spindle's DNS resolver. A
 *   `4xx` rejects with {@linkcode SMTPTransientError} (retryable), a `5xx`
 *   with {@linkcode SMTPPermanentError}.
 *
 * @example Receive mail into a maildir store
 * ```ts
 * import { MailStore } from "@spindle/spindle/protocols/mail";
 * import { MaildirDelivery, sendMail, serveSMTP } from "@spindle/spindle/protocols/smtp";
 * import { setup } from "@spindle/spindle/log";
 * setup({ loggers: { spindle: { level: "warn" } } }); // no log line per message
 * const store = new MailStore(await Deno.makeTempDir());
 * await store.createMailboxes(["alice"]);
 * await using server = await serveSMTP(new MaildirDelivery(store), {
 *   listen: "tcp:0:interface=127.0.0.1",
 *   domains: ["example.test"],
 * });
 * const result = await sendMail({
 *   host: "127.0.0.1",
 *   port: (server.addr as Deno.NetAddr).port,
 *   tls: "none",
 *   from: "bob@example.org",
 *   to: ["alice@example.test"],
 *   message: "Subject: hi\r\n\r\nhello\r\n",
 * });
 * console.assert(result.recipients[0]?.accepted);
 * console.assert((await store.mailbox("alice").list()).length === 1);
 * await Deno.remove(store.root, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./codec.ts";
export * from "./delivery.ts";
export * from "./trace.ts";
export * from "./server.ts";
export * from "./maildir_delivery.ts";
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
export type { DecoderCore } from "../../reactor/codec.ts";
export type { ProtocolError } from "../../reactor/errors.ts";
export type {
  EndpointReactor,
  ServerEndpoint,
} from "../../reactor/endpoints/mod.ts";
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
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
export type {
  LoginAttempt,
  LoginLimiter,
  LoginLimiterOptions,
} from "../../cred/login_limiter.ts";
export type {
  AvatarResult,
  LoginResult,
  Portal,
  Realm,
} from "../../cred/portal.ts";
export type { CredentialsChecker } from "../../cred/checker.ts";
export type { CredentialsType } from "../../cred/credentials.ts";
