/**
 * A session handler that runs real commands as the server's own user, as
 * `spindle ssh --exec` does: `exec` runs `sh -c COMMAND`, `shell` runs the
 * user's shell; stdin, stdout and stderr are piped with backpressure, and
 * `signal` requests reach the process.
 *
 * @module
 */
import type { ExitSignal, Session, SessionHandler } from "./session.ts";

/**
 * The options of {@linkcode commandSession}.
 *
 * @example Usage
 * ```ts
 * import type { CommandSessionOptions } from "@spindle/spindle/protocols/ssh";
 * const options: CommandSessionOptions = { shell: "/bin/sh" };
 * console.assert(options.shell === "/bin/sh");
 * ```
 */
export interface CommandSessionOptions {
  /** The shell: `exec` runs `SHELL -c COMMAND`; `/bin/sh` by default. */
  shell?: string;
  /** The folder commands start in; the server's home (`HOME`) by default. */
  cwd?: string;
}

const SIGNALS: Record<string, Deno.Signal | undefined> = {
  TERM: "SIGTERM",
  INT: "SIGINT",
  HUP: "SIGHUP",
  KILL: "SIGKILL",
  QUIT: "SIGQUIT",
  USR1: "SIGUSR1",
  USR2: "SIGUSR2",
};

/**
 * A {@linkcode SessionHandler} that runs the client's command in a child
 * process and answers with its exit status, or with `exit-signal` naming the
 * signal that killed it (as OpenSSH's sshd does).
 *
 * @example Usage
 * ```ts
 * import { commandSession } from "@spindle/spindle/protocols/ssh";
 * const handler = commandSession({ shell: "/bin/sh" });
 * console.assert(typeof handler === "function");
 * ```
 */
export function commandSession(
  options: CommandSessionOptions = {},
): SessionHandler {
  const shell = options.shell ?? "/bin/sh";
  return async (session: Session) => {
    const args = session.command === null ? ["-i"] : ["-c", session.command];
    const env: Record<string, string> = { ...session.env };
    if (session.pty !== null) env.TERM = session.pty.term;
    const child = new Deno.Command(shell, {
      args,
      cwd: options.cwd ?? Deno.env.get("HOME") ?? "/",
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    session.onSignal = (name) => {
      const signal = SIGNALS[name];
      if (signal !== undefined) {
        try {
          child.kill(signal);
        } catch {
          // It has exited already.
        }
      }
    };
    session.signal.addEventListener("abort", () => session.onSignal("HUP"));
    const input = session.stdin.pipeTo(child.stdin).catch(() => {});
    await Promise.all([
      child.stdout.pipeTo(session.stdout, { preventClose: true }),
      child.stderr.pipeTo(session.stderr, { preventClose: true }),
    ]).catch(() => {});
    // stdin is left to end with the channel: the command may exit before
    // the client's EOF.
    input.catch(() => {});
    const status = await child.status;
    if (status.signal === null) return status.code;
    const killed: ExitSignal = {
      signal: status.signal.replace(/^SIG/, ""),
      coreDumped: false,
      message: "",
    };
    return killed;
  };
}
