/**
 * `PublicKeyChecker`: SSH public key logins against the authorized keys of
 * each user.
 *
 * @module
 */
import type { CredentialsChecker } from "./checker.ts";
import { type CredentialsType, SSHPublicKey } from "./credentials.ts";
import {
  UnauthorizedLoginError,
  UnhandledCredentialsError,
  ValidPublicKeyError,
} from "./errors.ts";
import { parseAuthorizedKeys, verifySSHSignature } from "./ssh_key.ts";
import { timingSafeEqual } from "./password_hash.ts";

/**
 * Checks {@linkcode SSHPublicKey} credentials (Twisted's
 * `SSHPublicKeyChecker`): the key must be one of the user's authorized keys
 * and the signature must verify. A query without a signature for an
 * authorized key is answered with `ValidPublicKeyError`, which the SSH
 * server turns into `SSH_MSG_USERAUTH_PK_OK`.
 *
 * Each user's keys are given as `authorized_keys` text (one key per line).
 *
 * @example Usage
 * ```ts
 * import { PublicKeyChecker, SSHPublicKey, UnauthorizedLoginError } from "@spindle/spindle/cred";
 * const checker = new PublicKeyChecker({ alice: "" });
 * const query = new SSHPublicKey("alice", { algorithm: "ssh-ed25519", blob: new Uint8Array(51) });
 * await checker.requestAvatarId(query).catch((error) => {
 *   console.assert(error instanceof UnauthorizedLoginError);
 * });
 * ```
 */
export class PublicKeyChecker implements CredentialsChecker {
  /** Handles {@linkcode SSHPublicKey} only. */
  readonly credentialInterfaces: readonly CredentialsType[] = [SSHPublicKey];
  readonly #keys = new Map<string, Uint8Array[]>();

  /**
   * Creates the checker with `authorizedKeys`: user name → that user's
   * `authorized_keys` text. Throws `UserFileError` for a bad line.
   */
  constructor(authorizedKeys: Record<string, string> = {}) {
    for (const [name, text] of Object.entries(authorizedKeys)) {
      this.#keys.set(
        name,
        parseAuthorizedKeys(text, `authorized keys of ${name}`).map((key) =>
          key.blob
        ),
      );
    }
  }

  /** The user name, when the key is the user's and the signature verifies. */
  async requestAvatarId(credentials: object): Promise<string> {
    if (!(credentials instanceof SSHPublicKey)) {
      throw new UnhandledCredentialsError(credentials.constructor.name, [
        "SSHPublicKey",
      ]);
    }
    const keys = this.#keys.get(credentials.username) ?? [];
    const authorized = keys.some((blob) =>
      timingSafeEqual(blob, credentials.blob)
    );
    if (!authorized) throw new UnauthorizedLoginError();
    if (credentials.signature === null || credentials.signedData === null) {
      throw new ValidPublicKeyError(credentials.username);
    }
    const valid = await verifySSHSignature(credentials.blob, {
      data: credentials.signedData,
      signature: credentials.signature,
      algorithm: credentials.algorithm,
    });
    if (!valid) throw new UnauthorizedLoginError();
    return credentials.username;
  }
}
