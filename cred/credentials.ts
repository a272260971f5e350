/**
 * Credentials: what a peer offers to prove who it is (Twisted's
 * `IUsernamePassword`, `ISSHPrivateKey`, `IAnonymous`). Checkers name the
 * classes they handle; a portal picks a checker with `instanceof`.
 *
 * @module
 */

/**
 * A class of credentials, as a checker lists it in
 * `credentialInterfaces`.
 *
 * @example Usage
 * ```ts
 * import { type CredentialsType, UsernamePassword } from "@spindle/spindle/cred";
 * const types: CredentialsType[] = [UsernamePassword];
 * console.assert(new UsernamePassword("a", "b") instanceof types[0]!);
 * ```
 */
export type CredentialsType<C extends object = object> = abstract new (
  ...args: never[]
) => C;

/**
 * A user name and a password, as SMTP AUTH, IMAP LOGIN, FTP USER/PASS,
 * SOCKS5 and IRC PASS send them.
 *
 * @example Usage
 * ```ts
 * import { UsernamePassword } from "@spindle/spindle/cred";
 * const credentials = new UsernamePassword("alice", "secret");
 * console.assert(credentials.username === "alice");
 * ```
 */
export class UsernamePassword {
  /** The user name as the peer sent it. */
  readonly username: string;
  /** The password in clear. */
  readonly password: string;
  /** Creates the credentials. */
  constructor(username: string, password: string) {
    this.username = username;
    this.password = password;
  }
}

/**
 * The fields of {@linkcode SSHPublicKey}.
 *
 * @example Usage
 * ```ts
 * import type { SSHPublicKeyInit } from "@spindle/spindle/cred";
 * const init: SSHPublicKeyInit = { algorithm: "ssh-ed25519", blob: new Uint8Array(51) };
 * console.assert(init.signature === undefined);
 * ```
 */
export interface SSHPublicKeyInit {
  /**
   * The public key algorithm the client named: `ssh-ed25519`,
   * `ecdsa-sha2-nistp256`, `rsa-sha2-256`, ...
   */
  algorithm: string;
  /** The public key blob in SSH wire format (RFC 4253 §6.6). */
  blob: Uint8Array;
  /** The data the client signed (session id + userauth request); none for a query. */
  signedData?: Uint8Array;
  /** The signature blob in SSH wire format; none for a query. */
  signature?: Uint8Array;
}

/**
 * An SSH public key login (RFC 4252 §7): the key and, once the client signs,
 * the signature over the session data. Without a signature it asks whether
 * the key would be accepted.
 *
 * @example Usage
 * ```ts
 * import { SSHPublicKey } from "@spindle/spindle/cred";
 * const query = new SSHPublicKey("alice", {
 *   algorithm: "ssh-ed25519",
 *   blob: new Uint8Array(51),
 * });
 * console.assert(query.signature === null);
 * ```
 */
export class SSHPublicKey {
  /** The user name as the peer sent it. */
  readonly username: string;
  /** The public key algorithm the client named. */
  readonly algorithm: string;
  /** The public key blob in SSH wire format. */
  readonly blob: Uint8Array;
  /** The data the client signed, or `null` for a query. */
  readonly signedData: Uint8Array | null;
  /** The signature blob in SSH wire format, or `null` for a query. */
  readonly signature: Uint8Array | null;
  /** Creates the credentials of `username`. */
  constructor(username: string, init: SSHPublicKeyInit) {
    this.username = username;
    this.algorithm = init.algorithm;
    this.blob = init.blob;
    this.signedData = init.signedData ?? null;
    this.signature = init.signature ?? null;
  }
}

/**
 * No credentials: an anonymous FTP or SOCKS login.
 *
 * @example Usage
 * ```ts
 * import { Anonymous } from "@spindle/spindle/cred";
 * console.assert(new Anonymous() instanceof Anonymous);
 * ```
 */
export class Anonymous {}
