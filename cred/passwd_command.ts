/**
 * `spindle passwd NAME`: reads a password from the first line of stdin
 * (without echo on a terminal) and prints the user-file line
 * `NAME:$pbkdf2-sha256$...`, or with `--file F` adds or replaces the user's
 * line in F atomically.
 *
 * ```sh
 * deno run -A cred/passwd_command.ts alice --file users.txt
 * ```
 *
 * @module
 */
import {
  MAX_PASSWORD_BYTES,
  MAX_PBKDF2_ITERATIONS,
  MIN_PBKDF2_ITERATIONS,
} from "./limits.ts";
import { hashPassword } from "./password_hash.ts";
import { checkUserName, UserFile } from "./user_file.ts";

/**
 * Where {@linkcode passwdCommand} reads and writes; the process's own stdin,
 * stdout and stderr by default.
 *
 * @example Usage
 * ```ts
 * import type { PasswdIO } from "@spindle/spindle/cred";
 * const out: string[] = [];
 * const io: PasswdIO = {
 *   stdin: ReadableStream.from([new TextEncoder().encode("secret\n")]),
 *   stdout: (text) => void out.push(text),
 *   stderr: () => {},
 *   isTerminal: false,
 * };
 * console.assert(!io.isTerminal);
 * ```
 */
export interface PasswdIO {
  /** Where the password is read: its first line. */
  stdin: ReadableStream<Uint8Array>;
  /** Where the `NAME:hash` line (or `--help`) is written. */
  stdout: (text: string) => void | Promise<void>;
  /** Where errors, the prompt and confirmations are written. */
  stderr: (text: string) => void | Promise<void>;
  /**
   * Whether stdin is a terminal: then it is put in raw mode, so that the
   * password is not echoed, and read until Enter.
   */
  isTerminal: boolean;
  /** Turns the terminal's raw mode on or off; `Deno.stdin.setRaw` by default. */
  setRaw?: (raw: boolean) => void;
}

const USAGE = `Usage: spindle passwd NAME [--file FILE] [--iterations N]

Reads a password from the first line of stdin (without echo on a terminal)
and prints the user-file line NAME:$pbkdf2-sha256$... on stdout.

Options:
  --file FILE       add or replace NAME's line in FILE (made if missing,
                    written atomically, mode 0600) instead of printing it
  --iterations N    PBKDF2-SHA-256 rounds (default 600000)
  -h, --help        show this help
`;

class UsageError extends Error {}

class PasswordInputError extends Error {}

interface PasswdArgs {
  name: string;
  file: string | undefined;
  iterations: number | undefined;
}

/**
 * Runs `spindle passwd` with `args` (what follows `passwd` on the command
 * line) and answers the exit code: 0 on success, 1 when the password or
 * the file could not be read or written, 2 on a usage error.
 *
 * @example Usage
 * ```ts
 * import { passwdCommand } from "@spindle/spindle/cred";
 * const out: string[] = [];
 * const code = await passwdCommand(["alice", "--iterations", "1000"], {
 *   stdin: ReadableStream.from([new TextEncoder().encode("secret\n")]),
 *   stdout: (text) => void out.push(text),
 *   stderr: () => {},
 *   isTerminal: false,
 * });
 * console.assert(code === 0 && out[0]!.startsWith("alice:$pbkdf2-sha256$1000$"));
 * ```
 */
export async function passwdCommand(
  args: string[],
  io: PasswdIO = processIO(),
): Promise<number> {
  let parsed: PasswdArgs | "help";
  try {
    parsed = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    await io.stderr(
      `spindle passwd: ${error.message} (see spindle passwd --help)\n`,
    );
    return 2;
  }
  if (parsed === "help") {
    await io.stdout(USAGE);
    return 0;
  }
  try {
    const password = io.isTerminal
      ? await readHidden(io)
      : await readFirstLine(io.stdin);
    const hash = await hashPassword(password, {
      iterations: parsed.iterations,
    });
    if (parsed.file === undefined) {
      await io.stdout(`${parsed.name}:${hash}\n`);
      return 0;
    }
    const users = await loadOrCreate(parsed.file);
    const existed = users.get(parsed.name) !== undefined;
    users.set(parsed.name, hash);
    await users.write();
    await io.stderr(
      `spindle passwd: ${
        existed ? "replaced" : "added"
      } ${parsed.name} in ${parsed.file}\n`,
    );
    return 0;
  } catch (error) {
    await io.stderr(`spindle passwd: ${(error as Error).message}\n`);
    return 1;
  }
}

function parseArgs(args: string[]): PasswdArgs | "help" {
  const names: string[] = [];
  let file: string | undefined;
  let iterations: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-h" || arg === "--help") return "help";
    const option = arg.match(/^--(file|iterations)(?:=(.*))?$/);
    if (option !== null) {
      const value = option[2] ?? args[++i];
      if (value === undefined || value === "") {
        throw new UsageError(`--${option[1]} needs a value`);
      }
      if (option[1] === "file") {
        file = value;
      } else {
        if (!/^[1-9][0-9]*$/.test(value)) {
          throw new UsageError(
            `--iterations must be a positive whole number, not ${
              JSON.stringify(value)
            }`,
          );
        }
        iterations = Number(value);
      }
    } else if (arg.startsWith("-") && arg !== "-") {
      throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    } else {
      names.push(arg);
    }
  }
  if (names.length !== 1) {
    throw new UsageError(
      names.length === 0 ? "give the user's NAME" : "give exactly one NAME",
    );
  }
  const name = names[0]!;
  try {
    checkUserName(name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  // Checked here, not left to hashPassword, so that a bad count is a usage
  // error before any password is asked for.
  if (
    iterations !== undefined &&
    (iterations < MIN_PBKDF2_ITERATIONS || iterations > MAX_PBKDF2_ITERATIONS)
  ) {
    throw new UsageError(
      `--iterations must be from ${MIN_PBKDF2_ITERATIONS} to ${MAX_PBKDF2_ITERATIONS}`,
    );
  }
  return { name, file, iterations };
}

async function loadOrCreate(path: string): Promise<UserFile> {
  try {
    return await UserFile.load(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new UserFile(path);
    throw error;
  }
}

// Reads up to the first "\n" (or the end), and no further than it must.
async function readFirstLine(
  stdin: ReadableStream<Uint8Array>,
): Promise<string> {
  const reader = stdin.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      const newline = value.indexOf(0x0a);
      chunks.push(newline < 0 ? value : value.subarray(0, newline));
      length += newline < 0 ? value.length : newline;
      if (length > MAX_PASSWORD_BYTES) throw tooLong();
      if (newline >= 0) break;
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  const line = new TextDecoder().decode(bytes).replace(/\r$/, "");
  if (line === "") throw noPassword();
  return line;
}

// Raw mode: no echo and no line editing, so Enter, Backspace, Ctrl-C and
// Ctrl-D are handled here.
async function readHidden(io: PasswdIO): Promise<string> {
  const setRaw = io.setRaw ?? ((raw: boolean) => Deno.stdin.setRaw(raw));
  await io.stderr("Password: ");
  setRaw(true);
  const reader = io.stdin.getReader();
  const typed: number[] = [];
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const byte of value) {
        if (byte === 0x0d || byte === 0x0a) return finish(typed);
        if (byte === 0x03) throw new PasswordInputError("interrupted");
        if (byte === 0x04) return finish(typed);
        if (byte === 0x7f || byte === 0x08) typed.pop();
        else typed.push(byte);
        if (typed.length > MAX_PASSWORD_BYTES) throw tooLong();
      }
    }
    return finish(typed);
  } finally {
    reader.releaseLock();
    setRaw(false);
    await io.stderr("\n");
  }
}

function finish(typed: number[]): string {
  const password = new TextDecoder().decode(new Uint8Array(typed));
  if (password === "") throw noPassword();
  return password;
}

function noPassword(): PasswordInputError {
  return new PasswordInputError(
    "no password was given: type it (or pipe it) as the first line of stdin",
  );
}

function tooLong(): PasswordInputError {
  return new PasswordInputError(
    `the password is longer than MAX_PASSWORD_BYTES (${MAX_PASSWORD_BYTES} bytes)`,
  );
}

function processIO(): PasswdIO {
  const encoder = new TextEncoder();
  const writer = (file: { write(p: Uint8Array): Promise<number> }) =>
  async (
    text: string,
  ) => {
    const bytes = encoder.encode(text);
    for (let written = 0; written < bytes.length;) {
      written += await file.write(bytes.subarray(written));
    }
  };
  return {
    stdin: Deno.stdin.readable,
    stdout: writer(Deno.stdout),
    stderr: writer(Deno.stderr),
    isTerminal: Deno.stdin.isTerminal(),
  };
}

if (import.meta.main) Deno.exit(await passwdCommand(Deno.args));
