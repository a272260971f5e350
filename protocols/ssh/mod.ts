/**
 * SSH (Twisted's `twisted.conch`): a server and a client, wire-compatible
 * with OpenSSH, on Web Crypto.
 *
 * - **Transport**: `curve25519-sha256` and `ecdh-sha2-nistp256`;
 *   `aes256-gcm@openssh.com`, `aes128-gcm@openssh.com`, `aes128-ctr` and
 *   `aes256-ctr` with `hmac-sha2-256`/`-512` (also encrypt-then-MAC); an
 *   `ssh-ed25519` host key, and `rsa-sha2-*` and `ecdsa-sha2-nistp256` host
 *   keys verified from servers; strict key exchange (the Terrapin
 *   countermeasure), EXT_INFO `server-sig-algs`, rekeying after 1 GiB or an
 *   hour from either side ({@linkcode SSHTransport}).
 * - **Logins** go through `cred/`: {@linkcode SSHServerOptions.checkers}
 *   (a `PublicKeyChecker` over `authorized_keys` text, a password checker
 *   over the user file) and the shared `LoginLimiter`; `none` is refused.
 * - **Channels** with window flow control; sessions with `exec`, `shell`,
 *   `pty-req`, `env`, `signal` and the exit status ({@linkcode Session});
 *   `direct-tcpip` tunnels; SFTP v3 ({@linkcode sftpSubsystem},
 *   {@linkcode SFTPClient}).
 * - **Client**: {@linkcode connectSSH} checks the host key against
 *   `known_hosts` ({@linkcode KnownHosts}, hashed entries included), logs in
 *   with keys ({@linkcode SSHPrivateKey}) or a password, runs commands,
 *   opens tunnels and SFTP.
 * - **Manhole**: {@linkcode manholeSession}, a JavaScript REPL over SSH
 *   (`spindle run --manhole`).
 *
 * @example A server whose sessions greet the user
 * ```ts
 * import { serveSSH, SSHPrivateKey } from "@spindle/spindle/protocols/ssh";
 * import { InMemoryPasswordChecker } from "@spindle/spindle/cred";
 *
 * const server = await serveSSH({
 *   listen: "tcp:0:interface=127.0.0.1",
 *   hostKeys: [await SSHPrivateKey.generate()],
 *   checkers: [new InMemoryPasswordChecker({ alice: "secret" })],
 *   session: async (session) => {
 *     const out = session.stdout.getWriter();
 *     await out.write(new TextEncoder().encode(`hello ${session.user}\n`));
 *     await out.close();
 *     return 0;
 *   },
 * });
 * await server.shutdown();
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./wire.ts";
export * from "./cipher.ts";
export * from "./packet.ts";
export * from "./keys.ts";
export * from "./kex.ts";
export * from "./transport.ts";
export * from "./connection.ts";
export * from "./session.ts";
export * from "./command_session.ts";
export * from "./server.ts";
export * from "./serve.ts";
export * from "./known_hosts.ts";
export * from "./client.ts";
export * from "./sftp_wire.ts";
export * from "./sftp_server.ts";
export * from "./sftp_client.ts";
export * from "./manhole.ts";
// The types of the signatures above that come from other floors, documented
// here too.
export { ProtocolError } from "../../reactor/errors.ts";
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
  RunningServer,
} from "../../reactor/interfaces.ts";
export type {
  Deferred,
  ErrorType,
  Failure,
  TimeoutClock,
  TimeoutOptions,
  TrappedError,
} from "../../deferred/mod.ts";
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
export type { CredentialsChecker } from "../../cred/checker.ts";
export type { CredentialsType } from "../../cred/credentials.ts";
export type {
  AvatarResult,
  LoginResult,
  Portal,
  Realm,
} from "../../cred/portal.ts";
export type {
  LoginAttempt,
  LoginLimiter,
  LoginLimiterOptions,
} from "../../cred/login_limiter.ts";
