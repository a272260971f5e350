/**
 * POP3 (Twisted's `twisted.mail.pop3`): a server over the maildir store that
 * SMTP delivers into.
 *
 * {@linkcode servePOP3} / {@linkcode POP3Server}: RFC 1939 with CAPA (RFC
 * 2449), STLS (RFC 2595) and AUTH PLAIN (RFC 5034). Logins (USER/PASS, AUTH
 * PLAIN) go through a `cred/` portal whose avatar is the user's maildir
 * (`MailRealm` from `protocols/mail`), only over TLS unless
 * `allowInsecureAuth`, with the attempt limits of a `LoginLimiter` (a failed
 * login is answered after half a second). A session locks its maildir across
 * processes; deletions are applied only at QUIT. RETR sends the stored file
 * byte for byte (dot-stuffed on the wire).
 *
 * @example Usage
 * ```ts
 * import { MailRealm, MailStore } from "@spindle/spindle/protocols/mail";
 * import { servePOP3 } from "@spindle/spindle/protocols/pop3";
 * import { checkerFromString, Portal } from "@spindle/spindle/cred";
 * const store = new MailStore(await Deno.makeTempDir());
 * await store.createMailboxes(["alice"]);
 * const portal = new Portal(new MailRealm(store), [checkerFromString("memory:alice=secret")]);
 * await using server = await servePOP3(portal, {
 *   listen: "tcp:0:interface=127.0.0.1",
 *   allowInsecureAuth: true, // a loopback demo; give `tls` in earnest
 * });
 * console.assert(server.addr.transport === "tcp");
 * await Deno.remove(store.root, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./server.ts";
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
export type {
  DeliverOptions,
  Maildir,
  MaildirLock,
  MaildirMessage,
  MaildirSubfolder,
  MessageSource,
} from "../mail/maildir.ts";
