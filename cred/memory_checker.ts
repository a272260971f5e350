/**
 * `InMemoryPasswordChecker`: names and clear passwords held in memory, for
 * tests and examples.
 *
 * @module
 */
import type { CredentialsChecker } from "./checker.ts";
import { type CredentialsType, UsernamePassword } from "./credentials.ts";
import { UnauthorizedLoginError, UnhandledCredentialsError } from "./errors.ts";
import { timingSafeEqual } from "./password_hash.ts";

const encoder = new TextEncoder();

/**
 * Checks {@linkcode UsernamePassword} credentials against clear passwords in
 * memory (Twisted's `InMemoryUsernamePasswordDatabaseDontUse`): for tests;
 * a server keeps hashes in a user file and uses `FilePasswordChecker`.
 * Passwords are compared as SHA-256 digests in constant time, and an
 * unknown user is compared against a random password, so that both cost the
 * same.
 *
 * @example Usage
 * ```ts
 * import { InMemoryPasswordChecker, UsernamePassword } from "@spindle/spindle/cred";
 * const checker = new InMemoryPasswordChecker({ alice: "secret" });
 * const id = await checker.requestAvatarId(new UsernamePassword("alice", "secret"));
 * console.assert(id === "alice");
 * ```
 */
export class InMemoryPasswordChecker implements CredentialsChecker {
  /** Handles {@linkcode UsernamePassword} only. */
  readonly credentialInterfaces: readonly CredentialsType[] = [
    UsernamePassword,
  ];
  readonly #passwords = new Map<string, string>();
  readonly #dummy = crypto.getRandomValues(new Uint8Array(32)).toHex();

  /** Creates the checker with the users of `passwords` (name → password). */
  constructor(passwords: Record<string, string> = {}) {
    for (const [name, password] of Object.entries(passwords)) {
      this.addUser(name, password);
    }
  }

  /**
   * Adds user `name`, or changes its password.
   *
   * @example Usage
   * ```ts
   * import { InMemoryPasswordChecker } from "@spindle/spindle/cred";
   * const checker = new InMemoryPasswordChecker();
   * checker.addUser("bob", "x");
   * ```
   */
  addUser(name: string, password: string): void {
    this.#passwords.set(name, password);
  }

  /** The user name, when the password matches; else rejects. */
  async requestAvatarId(credentials: object): Promise<string> {
    if (!(credentials instanceof UsernamePassword)) {
      throw new UnhandledCredentialsError(credentials.constructor.name, [
        "UsernamePassword",
      ]);
    }
    const stored = this.#passwords.get(credentials.username);
    const [expected, given] = await Promise.all([
      digest(stored ?? this.#dummy),
      digest(credentials.password),
    ]);
    if (stored !== undefined && timingSafeEqual(expected, given)) {
      return credentials.username;
    }
    throw new UnauthorizedLoginError();
  }
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", encoder.encode(text)),
  );
}
