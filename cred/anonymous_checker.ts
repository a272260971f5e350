/**
 * `AnonymousChecker`: lets anyone in as the avatar id `"anonymous"`.
 *
 * @module
 */
import type { CredentialsChecker } from "./checker.ts";
import { Anonymous, type CredentialsType } from "./credentials.ts";
import { UnhandledCredentialsError } from "./errors.ts";

/**
 * The avatar id an {@linkcode AnonymousChecker} answers with.
 *
 * @example Usage
 * ```ts
 * import { ANONYMOUS_AVATAR_ID } from "@spindle/spindle/cred";
 * console.assert(ANONYMOUS_AVATAR_ID === "anonymous");
 * ```
 */
export const ANONYMOUS_AVATAR_ID = "anonymous";

/**
 * Accepts {@linkcode Anonymous} credentials (Twisted's
 * `AllowAnonymousAccess`), for anonymous FTP or an open SOCKS proxy.
 *
 * @example Usage
 * ```ts
 * import { Anonymous, AnonymousChecker } from "@spindle/spindle/cred";
 * const id = await new AnonymousChecker().requestAvatarId(new Anonymous());
 * console.assert(id === "anonymous");
 * ```
 */
export class AnonymousChecker implements CredentialsChecker {
  /** Handles {@linkcode Anonymous} only. */
  readonly credentialInterfaces: readonly CredentialsType[] = [Anonymous];

  /** Answers `"anonymous"` for {@linkcode Anonymous} credentials. */
  requestAvatarId(credentials: object): Promise<string> {
    if (!(credentials instanceof Anonymous)) {
      return Promise.reject(
        new UnhandledCredentialsError(credentials.constructor.name, [
          "Anonymous",
        ]),
      );
    }
    return Promise.resolve(ANONYMOUS_AVATAR_ID);
  }
}
