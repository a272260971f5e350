/**
 * The checker interface (Twisted's `ICredentialsChecker`): turn credentials
 * into an avatar id, or refuse them.
 *
 * @module
 */
import type { CredentialsType } from "./credentials.ts";

/**
 * Checks credentials of the types it lists and answers with the avatar id
 * (usually the user name) they prove, or rejects with
 * `UnauthorizedLoginError`.
 *
 * @example A checker that accepts one fixed token
 * ```ts
 * import {
 *   type CredentialsChecker,
 *   UnauthorizedLoginError,
 *   UsernamePassword,
 * } from "@spindle/spindle/cred";
 * const checker: CredentialsChecker = {
 *   credentialInterfaces: [UsernamePassword],
 *   requestAvatarId(credentials) {
 *     const ok = credentials instanceof UsernamePassword &&
 *       credentials.password === "let me in";
 *     return ok
 *       ? Promise.resolve(credentials.username)
 *       : Promise.reject(new UnauthorizedLoginError());
 *   },
 * };
 * console.assert(await checker.requestAvatarId(new UsernamePassword("a", "let me in")) === "a");
 * ```
 */
export interface CredentialsChecker {
  /** The credential classes this checker handles. */
  readonly credentialInterfaces: readonly CredentialsType[];
  /**
   * The avatar id `credentials` prove; rejects with `UnauthorizedLoginError`
   * when they prove nothing, and with `UnhandledCredentialsError` for a
   * class not in {@linkcode CredentialsChecker.credentialInterfaces}.
   */
  requestAvatarId(credentials: object): Promise<string>;
}
