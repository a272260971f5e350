/**
 * `--daemon`: start the runner again as a detached process (its own session,
 * no terminal, output to the log file) and return once it is ready.
 *
 * @module
 */
import { DAEMON_READY_ENV } from "./env.ts";
import { selfCommand } from "./self_command.ts";

/** Options for {@linkcode daemonize}. */
export interface DaemonizeOptions {
  /** The runner arguments for the daemon (without `--daemon`). */
  args: string[];
  /** How long to wait for the daemon to be ready, in milliseconds; default 30000. */
  timeout?: number;
  /** Receives the daemon's `listening on` lines; default: stdout. */
  announce?: (line: string) => void;
}

/** What {@linkcode daemonize} learned about the daemon. */
export interface DaemonResult {
  /** The daemon's pid (0 if it could not start). */
  pid: number;
  /** Whether it reported ready (false: it exited first, or timed out). */
  ready: boolean;
}

/**
 * Spawns the daemon detached and waits until it reports ready (it writes its
 * `listening on` lines, then `ready`, to the file named by
 * {@linkcode DAEMON_READY_ENV}) or exits. The daemon keeps running after this
 * process exits.
 */
export async function daemonize(
  options: DaemonizeOptions,
): Promise<DaemonResult> {
  const announce = options.announce ?? ((line: string) => console.log(line));
  const readyFile = await Deno.makeTempFile({ prefix: "spindle-daemon-" });
  const { command, args } = selfCommand(options.args);
  const child = new Deno.Command(command, {
    args,
    env: { [DAEMON_READY_ENV]: readyFile },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + (options.timeout ?? 30_000);
  try {
    while (Date.now() < deadline) {
      const lines = (await Deno.readTextFile(readyFile)).split("\n");
      if (lines.includes("ready")) {
        for (const line of lines) {
          if (line.startsWith("listening on ")) announce(line);
        }
        child.unref();
        return { pid: child.pid, ready: true };
      }
      if (exited) return { pid: child.pid, ready: false };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.unref();
    return { pid: child.pid, ready: false };
  } finally {
    await Deno.remove(readyFile).catch(() => {});
  }
}

/**
 * In the daemon: reports `lines` and readiness to the process that started
 * it. Does nothing outside a daemon.
 */
export function reportDaemonReady(lines: string[]): void {
  const path = Deno.env.get(DAEMON_READY_ENV);
  if (path === undefined) return;
  Deno.writeTextFileSync(path, [...lines, "ready", ""].join("\n"), {
    append: true,
  });
}
