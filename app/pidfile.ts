/**
 * Pid files: refuse to start over a live process, replace a stale file,
 * remove it on exit.
 *
 * @module
 */

/** Thrown when the pid file names a process that is still alive. */
export class PidFileInUseError extends Error {
  /** The live process's id. */
  readonly pid: number;

  /** Creates the error for `path`, held by `pid`. */
  constructor(path: string, pid: number) {
    super(
      `${path} names process ${pid}, which is still running: stop it or choose another --pidfile`,
    );
    this.name = "PidFileInUseError";
    this.pid = pid;
  }
}

/**
 * Whether a process with id `pid` exists (signalling it with nothing but
 * `SIGCONT`, which a running process ignores).
 *
 * @example Usage
 * ```ts
 * import { isProcessAlive } from "@spindle/spindle/app";
 * console.assert(isProcessAlive(Deno.pid));
 * ```
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    try {
      // No /proc (macOS): a harmless signal tells whether the process exists.
      Deno.kill(pid, "SIGCONT");
      return true;
    } catch {
      return false;
    }
  }
}

function readPid(path: string): number | undefined {
  try {
    const text = Deno.readTextFileSync(path).trim();
    const pid = Number(text);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * A pid file held by this process. {@linkcode PidFile.acquire} writes it;
 * {@linkcode PidFile.release} removes it if it still names this process.
 *
 * @example Usage
 * ```ts
 * import { PidFile } from "@spindle/spindle/app";
 * const path = `${await Deno.makeTempDir()}/app.pid`;
 * const pidfile = PidFile.acquire(path);
 * console.assert(Deno.readTextFileSync(path).trim() === String(Deno.pid));
 * pidfile.release();
 * ```
 */
export class PidFile {
  /** The file's path. */
  readonly path: string;
  /** The pid written in it. */
  readonly pid: number;

  private constructor(path: string, pid: number) {
    this.path = path;
    this.pid = pid;
  }

  /**
   * Writes `pid` (default: this process) to `path`. A file naming a dead
   * process (or holding garbage) is replaced.
   *
   * @throws {PidFileInUseError} When the file names a live process other than `pid`.
   */
  static acquire(path: string, pid: number = Deno.pid): PidFile {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // createNew makes two runners racing for one pid file safe: one wins.
        Deno.writeTextFileSync(path, `${pid}\n`, { createNew: true });
        return new PidFile(path, pid);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      }
      const existing = readPid(path);
      if (
        existing !== undefined && existing !== pid && isProcessAlive(existing)
      ) {
        throw new PidFileInUseError(path, existing);
      }
      try {
        Deno.removeSync(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    throw new Error(
      `Could not create ${path}: another process keeps recreating it`,
    );
  }

  /** Removes the file if it still names this pid; safe to call twice. */
  release(): void {
    if (readPid(this.path) !== this.pid) return;
    try {
      Deno.removeSync(this.path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}
