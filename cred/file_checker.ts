/**
 * `FilePasswordChecker`: usernames and passwords checked against a user
 * file, re-read when it changes on disk.
 *
 * @module
 */
import { getLogger } from "../log/mod.ts";
import type { CredentialsChecker } from "./checker.ts";
import { type CredentialsType, UsernamePassword } from "./credentials.ts";
import { UnauthorizedLoginError, UnhandledCredentialsError } from "./errors.ts";
import {
  DEFAULT_PBKDF2_ITERATIONS,
  PBKDF2_HASH_BYTES,
  PBKDF2_SALT_BYTES,
} from "./limits.ts";
import {
  type DeriveFunction,
  formatPasswordHash,
  parsePasswordHash,
  verifyPassword,
} from "./password_hash.ts";
import { UserFile } from "./user_file.ts";

const logger = getLogger("spindle.cred");

/**
 * Options of {@linkcode FilePasswordChecker}.
 *
 * @example Usage
 * ```ts
 * import { type FilePasswordCheckerOptions, pbkdf2Sha256 } from "@spindle/spindle/cred";
 * const options: FilePasswordCheckerOptions = { derive: pbkdf2Sha256 };
 * console.assert(options.derive === pbkdf2Sha256);
 * ```
 */
export interface FilePasswordCheckerOptions {
  /** The PBKDF2 derivation; the real one by default (a test may count calls). */
  derive?: DeriveFunction;
}

interface Loaded {
  users: UserFile;
  // The file's identity when read: a change of either means read it again.
  mtime: number | null;
  size: number;
  // What an unknown user is checked against: a hash no password matches,
  // with as many iterations as the costliest real one.
  dummy: string;
}

/**
 * Checks {@linkcode UsernamePassword} credentials against the hashes of a
 * user file (Twisted's `FilePasswordDB`). Before each check it looks at the
 * file's modification time and size and reads it again when they changed,
 * so `spindle passwd --file` takes effect without a restart; if the new
 * version does not parse, the error is logged and the last good version
 * stays in use.
 *
 * An unknown user costs as much as a known one: its password is checked
 * against a dummy hash with the file's highest iteration count.
 *
 * @example Usage
 * ```ts
 * import { FilePasswordChecker, hashPassword, UsernamePassword } from "@spindle/spindle/cred";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, `alice:${await hashPassword("secret", { iterations: 1_000 })}\n`);
 * const checker = new FilePasswordChecker(path);
 * const id = await checker.requestAvatarId(new UsernamePassword("alice", "secret"));
 * console.assert(id === "alice");
 * await Deno.remove(path);
 * ```
 */
export class FilePasswordChecker implements CredentialsChecker {
  /** Handles {@linkcode UsernamePassword} only. */
  readonly credentialInterfaces: readonly CredentialsType[] = [
    UsernamePassword,
  ];
  /** The user file. */
  readonly path: string;
  readonly #derive: DeriveFunction | undefined;
  #loaded: Loaded | null = null;
  #loading: Promise<Loaded> | null = null;
  // The version of the file that last failed to read, so it is logged once.
  #failed: string | null = null;

  /** Creates the checker over the user file at `path` (read at first use). */
  constructor(path: string, options?: FilePasswordCheckerOptions) {
    this.path = path;
    this.#derive = options?.derive;
  }

  /**
   * The user name, when the password matches its hash; else rejects with
   * `UnauthorizedLoginError`. Rejects with the file's error when it could
   * never be read.
   */
  async requestAvatarId(credentials: object): Promise<string> {
    if (!(credentials instanceof UsernamePassword)) {
      throw new UnhandledCredentialsError(credentials.constructor.name, [
        "UsernamePassword",
      ]);
    }
    const { users, dummy } = await this.#current();
    const stored = users.get(credentials.username);
    const matches = await verifyPassword(
      credentials.password,
      stored ?? dummy,
      { derive: this.#derive },
    );
    if (stored !== undefined && matches) return credentials.username;
    throw new UnauthorizedLoginError();
  }

  // One read at a time, however many logins arrive while it runs.
  #current(): Promise<Loaded> {
    this.#loading ??= this.#refresh().finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  async #refresh(): Promise<Loaded> {
    const loaded = this.#loaded;
    let version = "missing";
    try {
      const info = await Deno.stat(this.path);
      const mtime = info.mtime?.getTime() ?? null;
      version = `${mtime}:${info.size}`;
      if (
        loaded !== null &&
        (version === this.#failed ||
          (loaded.mtime === mtime && loaded.size === info.size))
      ) {
        return loaded;
      }
      const users = await UserFile.load(this.path);
      this.#loaded = { users, mtime, size: info.size, dummy: dummyFor(users) };
      this.#failed = null;
      return this.#loaded;
    } catch (error) {
      if (loaded === null) throw error;
      if (this.#failed !== version) {
        this.#failed = version;
        logger.error(
          "could not read the user file {path}; still using the version read before: {error}",
          { path: this.path, error },
        );
      }
      return loaded;
    }
  }
}

function dummyFor(users: UserFile): string {
  let iterations = 0;
  for (const name of users.names()) {
    iterations = Math.max(
      iterations,
      parsePasswordHash(users.get(name)!).iterations,
    );
  }
  return formatPasswordHash({
    iterations: iterations || DEFAULT_PBKDF2_ITERATIONS,
    salt: crypto.getRandomValues(new Uint8Array(PBKDF2_SALT_BYTES)),
    hash: crypto.getRandomValues(new Uint8Array(PBKDF2_HASH_BYTES)),
  });
}
