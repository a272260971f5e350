/**
 * Logins for every protocol (Twisted's `twisted.cred`): mail, SSH, FTP, SOCKS
 * and IRC all check users through these pieces, so one configuration serves
 * them all.
 *
 * - **Credentials** are what a peer offers: {@linkcode UsernamePassword},
 *   {@linkcode SSHPublicKey} (key and signature), {@linkcode Anonymous}.
 * - **Checkers** turn credentials into an avatar id or refuse them with
 *   {@linkcode UnauthorizedLoginError}: {@linkcode FilePasswordChecker} over
 *   a user file, {@linkcode PublicKeyChecker}, {@linkcode AnonymousChecker},
 *   {@linkcode InMemoryPasswordChecker} for tests. A server names them with
 *   strings, as Twisted's `strcred` does: {@linkcode checkerFromString}
 *   (`file:users.txt`, `anonymous`), with more kinds through
 *   {@linkcode registerCheckerKind}.
 * - **The user file** holds `name:$pbkdf2-sha256$<iterations>$<salt>$<hash>`
 *   lines ({@linkcode UserFile}, {@linkcode hashPassword}); `spindle passwd
 *   NAME` ({@linkcode passwdCommand}) writes them. Hashes are compared in
 *   constant time, and an unknown user costs a PBKDF2 derivation as a known
 *   one does.
 * - **A portal** ({@linkcode Portal}) joins the checkers to a
 *   {@linkcode Realm}, the server's code that makes an avatar (a mailbox, a
 *   shell) for an avatar id.
 * - **A limiter** ({@linkcode LoginLimiter}) holds back each failure
 *   (500 ms by default, on the reactor's clock), and tells the protocol to
 *   close a connection after too many failures, or a source address that
 *   fails too often.
 *
 * A protocol builds credentials from what the peer sent, passes the login
 * through the limiter to the portal, and answers by the error's type:
 *
 * ```ts
 * import type { Address } from "@spindle/spindle/reactor";
 * import { LineReceiver } from "@spindle/spindle/protocols/basic";
 * import {
 *   checkerFromString,
 *   LoginLimiter,
 *   Portal,
 *   TooManyAttemptsError,
 *   UnauthorizedLoginError,
 *   UsernamePassword,
 * } from "@spindle/spindle/cred";
 *
 * const portal = new Portal<string>(
 *   { requestAvatar: (id) => ({ interface: "greeter", avatar: `hello, ${id}` }) },
 *   [checkerFromString("memory:alice=secret")], // file:users.txt in earnest
 * );
 * const limiter = new LoginLimiter();
 *
 * const hostOf = (address: Address) => "hostname" in address ? address.hostname : "local";
 *
 * // "LOGIN name password" lines; the greeting once logged in.
 * class Greeter extends LineReceiver {
 *   override lineReceived(line: string): void {
 *     const [command, name = "", password = ""] = line.split(" ");
 *     if (command !== "LOGIN") return this.sendLine("ERR say LOGIN name password");
 *     limiter.attempt(
 *       { connection: this, source: hostOf(this.transport.getPeer()) },
 *       () => portal.login(new UsernamePassword(name, password), this, "greeter"),
 *     ).then(({ avatar }) => this.sendLine(`OK ${avatar}`), (error) => {
 *       if (!(error instanceof UnauthorizedLoginError)) throw error;
 *       this.sendLine("ERR login refused");
 *       if (error instanceof TooManyAttemptsError) this.transport.loseConnection();
 *     });
 *   }
 * }
 * ```
 *
 * @module
 */
export * from "./anonymous_checker.ts";
export * from "./checker.ts";
export * from "./checker_string.ts";
export * from "./credentials.ts";
export * from "./errors.ts";
export * from "./file_checker.ts";
export * from "./limits.ts";
export * from "./login_limiter.ts";
export * from "./memory_checker.ts";
export * from "./passwd_command.ts";
export * from "./password_hash.ts";
export * from "./portal.ts";
export * from "./public_key_checker.ts";
export * from "./ssh_key.ts";
export * from "./user_file.ts";
// The clock a LoginLimiter takes, so this entry point documents it alone.
export type { DelayedCall, IReactorTime } from "../reactor/time.ts";
