/**
 * FTP (RFC 959, RFC 2428, RFC 3659; Twisted's `twisted.protocols.ftp`): a
 * server confined to a root folder ({@linkcode ftpHandler}; users from the
 * shared user file through `cred/`, or anonymous read-only) and a passive
 * client ({@linkcode connectFTP}) with list, get and put as streams.
 * `spindle ftp` runs the server.
 *
 * @example Usage
 * ```ts ignore
 * import { connectFTP } from "@spindle/spindle/protocols/ftp";
 * const ftp = await connectFTP("127.0.0.1", { port: 2121 });
 * console.log(await ftp.list("/"));
 * await ftp.quit();
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./server.ts";
export * from "./client.ts";
// Types from lower floors that this entry point's signatures use, so its
// documentation is complete on its own.
export type { ProtocolError } from "../../reactor/errors.ts";
export type { CredentialsChecker } from "../../cred/checker.ts";
export type { CredentialsType } from "../../cred/credentials.ts";
export type {
  LoginAttempt,
  LoginLimiter,
  LoginLimiterOptions,
} from "../../cred/login_limiter.ts";
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
  TLSCertificate,
  TLSServerOptions,
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
