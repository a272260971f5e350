/**
 * The user file: one `name:hash` line per user, where the hash is a
 * `$pbkdf2-sha256$` string. Blank lines and `#` comments are allowed and kept
 * when the file is written back.
 *
 * ```text
 * # mail users
 * alice:$pbkdf2-sha256$600000$...$...
 * ```
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { UserFileError } from "./errors.ts";
import { MAX_USER_FILE_SIZE, MAX_USER_LINE_LENGTH } from "./limits.ts";
import { parsePasswordHash } from "./password_hash.ts";

// A name is what a protocol sends as a user: no separator, no spaces, no
// control characters.
const NAME = /^[^:\s\p{Cc}]+$/u;

/**
 * Throws a `TypeError` unless `name` can stand in a user file: not empty, no
 * `:`, whitespace or control characters.
 *
 * @example Usage
 * ```ts
 * import { checkUserName } from "@spindle/spindle/cred";
 * checkUserName("alice");
 * try {
 *   checkUserName("a:b");
 * } catch (error) {
 *   console.assert(error instanceof TypeError);
 * }
 * ```
 */
export function checkUserName(name: string): void {
  if (!NAME.test(name)) {
    throw new TypeError(
      `Bad user name ${
        JSON.stringify(name)
      }: a name may not be empty or contain ':', whitespace or control characters`,
    );
  }
}

/**
 * A user file in memory: load it, look users up, add or replace them, and
 * write it back atomically.
 *
 * @example Usage
 * ```ts
 * import { hashPassword, UserFile } from "@spindle/spindle/cred";
 * const users = UserFile.parse("# test users\n", "users.txt");
 * users.set("alice", await hashPassword("secret", { iterations: 1_000 }));
 * console.assert(users.get("alice")?.startsWith("$pbkdf2-sha256$"));
 * console.assert(users.toString().startsWith("# test users\nalice:"));
 * ```
 */
export class UserFile {
  /** The file this was read from and is written to. */
  readonly path: string;
  // Each line: its text, or the user it holds (whose hash is in #users).
  readonly #lines: ({ text: string } | { user: string })[] = [];
  readonly #users = new Map<string, string>();

  /** An empty user file at `path` (nothing is read or written yet). */
  constructor(path: string) {
    this.path = path;
  }

  /**
   * Reads the user file at `path`. Throws {@linkcode UserFileError} naming
   * the file and line for a bad line, and for a file or line over
   * `MAX_USER_FILE_SIZE` / `MAX_USER_LINE_LENGTH`; `Deno.errors.NotFound`
   * when there is no file.
   *
   * @example Usage
   * ```ts
   * import { UserFile } from "@spindle/spindle/cred";
   * const path = await Deno.makeTempFile();
   * await Deno.writeTextFile(path, "# nobody yet\n");
   * const users = await UserFile.load(path);
   * console.assert(users.size === 0);
   * await Deno.remove(path);
   * ```
   */
  static async load(path: string): Promise<UserFile> {
    const file = await Deno.open(path);
    try {
      const { size } = await file.stat();
      if (size > MAX_USER_FILE_SIZE) throw tooLarge(path, size);
      const bytes = new Uint8Array(size);
      let filled = 0;
      while (filled < size) {
        const n = await file.read(bytes.subarray(filled));
        if (n === null) break;
        filled += n;
      }
      return UserFile.parse(
        new TextDecoder().decode(bytes.subarray(0, filled)),
        path,
      );
    } finally {
      file.close();
    }
  }

  /**
   * Reads user-file text; `path` names it in errors and is where
   * {@linkcode UserFile.write} writes.
   *
   * @example Usage
   * ```ts
   * import { UserFile, UserFileError } from "@spindle/spindle/cred";
   * try {
   *   UserFile.parse("alice secret\n", "users.txt");
   * } catch (error) {
   *   console.assert(error instanceof UserFileError && error.line === 1);
   * }
   * ```
   */
  static parse(text: string, path = "<user file>"): UserFile {
    if (text.length > MAX_USER_FILE_SIZE) throw tooLarge(path, text.length);
    const users = new UserFile(path);
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    const seen = new Map<string, number>();
    for (const [index, raw] of lines.entries()) {
      const number = index + 1;
      const fail = (problem: string, options?: ErrorOptions) =>
        new UserFileError(path, problem, { ...options, line: number });
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.length > MAX_USER_LINE_LENGTH) {
        throw fail(
          `the line has ${line.length} characters, over MAX_USER_LINE_LENGTH (${MAX_USER_LINE_LENGTH})`,
        );
      }
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith("#")) {
        users.#lines.push({ text: line });
        continue;
      }
      const colon = line.indexOf(":");
      if (colon < 0) {
        throw fail(
          "expected NAME:HASH, but the line has no ':'",
        );
      }
      const name = line.slice(0, colon);
      const hash = line.slice(colon + 1);
      if (!NAME.test(name)) {
        throw fail(
          `bad user name ${
            JSON.stringify(name)
          }: a name may not be empty or contain ':', whitespace or control characters`,
        );
      }
      const earlier = seen.get(name);
      if (earlier !== undefined) {
        throw fail(
          `user ${JSON.stringify(name)} is already on line ${earlier}`,
        );
      }
      try {
        parsePasswordHash(hash);
      } catch (error) {
        throw fail(
          `user ${JSON.stringify(name)}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      seen.set(name, number);
      users.#users.set(name, hash);
      users.#lines.push({ user: name });
    }
    return users;
  }

  /** The number of users. */
  get size(): number {
    return this.#users.size;
  }

  /**
   * The hash of user `name`, or `undefined` when there is no such user.
   *
   * @example Usage
   * ```ts
   * import { UserFile } from "@spindle/spindle/cred";
   * console.assert(new UserFile("users.txt").get("alice") === undefined);
   * ```
   */
  get(name: string): string | undefined {
    return this.#users.get(name);
  }

  /**
   * The user names, in file order.
   *
   * @example Usage
   * ```ts
   * import { UserFile } from "@spindle/spindle/cred";
   * console.assert(new UserFile("users.txt").names().length === 0);
   * ```
   */
  names(): string[] {
    return [...this.#users.keys()];
  }

  /**
   * Adds user `name` with `hash` (a `$pbkdf2-sha256$` string), or replaces
   * the hash on its line. Throws a `TypeError` for a bad name and
   * `UnknownHashFormatError` / `MalformedHashError` for a bad hash.
   *
   * @example Usage
   * ```ts
   * import { hashPassword, UserFile } from "@spindle/spindle/cred";
   * const users = new UserFile("users.txt");
   * users.set("bob", await hashPassword("x", { iterations: 1_000 }));
   * console.assert(users.size === 1);
   * ```
   */
  set(name: string, hash: string): void {
    checkUserName(name);
    parsePasswordHash(hash);
    if (!this.#users.has(name)) this.#lines.push({ user: name });
    this.#users.set(name, hash);
  }

  /**
   * Removes user `name`; returns whether there was one.
   *
   * @example Usage
   * ```ts
   * import { UserFile } from "@spindle/spindle/cred";
   * console.assert(!new UserFile("users.txt").delete("nobody"));
   * ```
   */
  delete(name: string): boolean {
    if (!this.#users.delete(name)) return false;
    const index = this.#lines.findIndex((line) =>
      "user" in line && line.user === name
    );
    this.#lines.splice(index, 1);
    return true;
  }

  /**
   * The file's text: its comments and blank lines as read, one `name:hash`
   * line per user, each line ending in `\n`.
   *
   * @example Usage
   * ```ts
   * import { UserFile } from "@spindle/spindle/cred";
   * console.assert(UserFile.parse("# x\n").toString() === "# x\n");
   * ```
   */
  toString(): string {
    let text = "";
    for (const line of this.#lines) {
      text += "user" in line
        ? `${line.user}:${this.#users.get(line.user)}\n`
        : `${line.text}\n`;
    }
    return text;
  }

  /**
   * Writes the file atomically: a temporary file in the same folder, mode
   * 0600, synced to disk, then renamed over {@linkcode UserFile.path}. A
   * reader sees the old file or the new one, never half of one.
   *
   * @example Usage
   * ```ts
   * import { hashPassword, UserFile } from "@spindle/spindle/cred";
   * const dir = await Deno.makeTempDir();
   * const users = new UserFile(`${dir}/users.txt`);
   * users.set("alice", await hashPassword("secret", { iterations: 1_000 }));
   * await users.write();
   * console.assert((await UserFile.load(`${dir}/users.txt`)).size === 1);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async write(): Promise<void> {
    const suffix = crypto.getRandomValues(new Uint8Array(6)).toHex();
    const temporary = join(
      dirname(this.path),
      `.${basename(this.path)}.${suffix}.tmp`,
    );
    const file = await Deno.open(temporary, {
      write: true,
      createNew: true,
      mode: 0o600,
    });
    try {
      try {
        const bytes = new TextEncoder().encode(this.toString());
        let written = 0;
        while (written < bytes.length) {
          written += await file.write(bytes.subarray(written));
        }
        await file.syncData();
      } finally {
        file.close();
      }
      await Deno.rename(temporary, this.path);
    } catch (error) {
      await Deno.remove(temporary).catch(() => {});
      throw error;
    }
  }
}

function tooLarge(path: string, size: number): UserFileError {
  return new UserFileError(
    path,
    `the file has ${size} bytes, over MAX_USER_FILE_SIZE (${MAX_USER_FILE_SIZE}); split the users over several files`,
  );
}
