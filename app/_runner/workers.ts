/**
 * `--workers N`: a supervisor process that runs N copies of the server
 * sharing the listening port (`reusePort`), restarts a worker that dies (with
 * exponential backoff), forwards SIGHUP, replaces the workers one by one on
 * SIGUSR2 (a rolling restart) and stops them all on SIGTERM/SIGINT.
 *
 * @module
 */
import { getLogger, reopenLogHandlers } from "../../log/mod.ts";
import { workerId } from "../worker_id.ts";
import { acquirePidFile } from "./acquire_pidfile.ts";
import { WORKER_ID_ENV } from "./env.ts";
import { selfCommand } from "./self_command.ts";

const log = getLogger("spindle.workers");

/**
 * In a worker: an AbortSignal that aborts when the supervisor goes away (its
 * end of the worker's stdin closes). Outside a worker it never aborts.
 */
export function supervisorGone(): AbortSignal {
  const controller = new AbortController();
  if (workerId() === undefined) return controller.signal;
  (async () => {
    const buffer = new Uint8Array(64);
    try {
      while ((await Deno.stdin.read(buffer)) !== null) {
        // Nothing is sent on this pipe; it only signals by closing.
      }
    } catch {
      // A read error means the pipe is gone too.
    }
    controller.abort(new Error("the supervisor exited"));
  })();
  return controller.signal;
}

/** Options for {@linkcode superviseWorkers}. */
export interface SuperviseWorkersOptions {
  /** How many workers to keep running. */
  workers: number;
  /** The runner arguments each worker gets (without `--workers` and `--pidfile`). */
  args: string[];
  /** Write the supervisor's pid here while it runs. */
  pidfile?: string;
  /** Milliseconds the workers get to drain on stop before they are killed (plus a grace period). */
  shutdownTimeout: number;
  /** Receives each `listening on` line once (from the first worker that is ready); default: stdout. */
  announce?: (line: string) => void;
  /** Restart delays: the first, the cap (milliseconds); default 250 and 30000. */
  backoff?: { initial: number; max: number };
}

interface Worker {
  id: number;
  /** The process serving as this worker; a replacement takes over once it listens. */
  child: Deno.ChildProcess | undefined;
  startedAt: number;
  delay: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** A worker process, and whether it announced `listening on` before it exited. */
interface Started {
  child: Deno.ChildProcess;
  ready: Promise<boolean>;
}

const LISTENING = /^listening on (.+)$/;
const KILL_GRACE_MS = 5_000;
// A worker that stayed up this long is healthy again: its next crash
// restarts it after the initial delay, not the grown one.
const HEALTHY_AFTER_MS = 10_000;

/**
 * Runs the supervisor until SIGTERM or SIGINT and resolves to the exit status.
 * Every worker must announce `listening on ...` before the supervisor
 * announces it (once); a worker that exits before that at the first start
 * makes the supervisor stop the others and fail with status 1. SIGUSR2
 * replaces the workers one at a time, each only once its replacement listens.
 */
export async function superviseWorkers(
  options: SuperviseWorkersOptions,
): Promise<number> {
  const announce = options.announce ?? ((line: string) => console.log(line));
  const backoff = options.backoff ?? { initial: 250, max: 30_000 };
  const pidfile = acquirePidFile(options.pidfile, log);
  if (pidfile === null) return 1;

  const workers: Worker[] = [];
  // Every live process: the workers' own, and during a rolling restart the
  // one being replaced or its replacement.
  const children = new Set<Deno.ChildProcess>();
  let stopping = false;
  let rolling = false;
  let announced = false;
  const listening = new Set<number>();
  const firstLines: string[] = [];
  const { promise: done, resolve: finish } = Promise.withResolvers<number>();

  const stopAll = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log.info("{reason}: stopping {count} workers", {
      reason,
      count: workers.length,
    });
    for (const worker of workers) {
      if (worker.timer !== undefined) clearTimeout(worker.timer);
    }
    await Promise.all([...children].map((child) => stop(child)));
    finish(code);
  };

  // SIGTERM, then SIGKILL if the process has not drained in time.
  const stop = async (child: Deno.ChildProcess) => {
    signal(child, "SIGTERM");
    const deadline = setTimeout(() => {
      log.warn("worker pid {pid} did not stop in time: killing it", {
        pid: child.pid,
      });
      signal(child, "SIGKILL");
    }, options.shutdownTimeout + KILL_GRACE_MS);
    await child.status;
    clearTimeout(deadline);
  };

  const start = (worker: Worker): Started => {
    const { command, args } = selfCommand(options.args);
    const child = new Deno.Command(command, {
      args,
      env: { [WORKER_ID_ENV]: String(worker.id) },
      // The worker stops when this pipe closes, so workers never outlive a
      // supervisor that was killed.
      stdin: "piped",
      // Its own process group: a terminal's Ctrl-C reaches the supervisor
      // only, which then stops the workers once, gracefully.
      detached: true,
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    children.add(child);
    log.info("worker {id} started (pid {pid})", {
      id: worker.id,
      pid: child.pid,
    });
    const { promise: ready, resolve: settle } = Promise.withResolvers<
      boolean
    >();
    child.status.then(() => {
      children.delete(child);
      settle(false);
    });
    readLines(child.stdout, (line) => {
      const match = LISTENING.exec(line);
      if (match === null) {
        console.log(line);
        return;
      }
      settle(true);
      if (announced) return;
      if (worker.id === 0) firstLines.push(line);
      listening.add(worker.id);
      if (listening.size === workers.length && firstLines.length > 0) {
        announced = true;
        for (const l of firstLines) announce(l);
      }
    });
    return { child, ready };
  };

  const spawn = (worker: Worker) => {
    worker.timer = undefined;
    serveAs(worker, start(worker).child);
  };

  // Makes `child` the worker's process, restarted with backoff if it dies.
  const serveAs = (worker: Worker, child: Deno.ChildProcess) => {
    worker.child = child;
    worker.startedAt = Date.now();
    child.status.then((status) => {
      // A process that a rolling restart replaced is not restarted.
      if (worker.child !== child) return;
      worker.child = undefined;
      if (stopping) return;
      const how = status.signal ?? `status ${status.code}`;
      if (!announced) {
        log.critical("worker {id} exited ({how}) before it was ready", {
          id: worker.id,
          how,
        });
        stopAll("a worker failed to start", 1);
        return;
      }
      if (Date.now() - worker.startedAt >= HEALTHY_AFTER_MS) {
        worker.delay = backoff.initial;
      }
      log.warn(
        "worker {id} (pid {pid}) exited ({how}): restarting in {ms} ms",
        {
          id: worker.id,
          pid: child.pid,
          how,
          ms: worker.delay,
        },
      );
      worker.timer = setTimeout(() => spawn(worker), worker.delay);
      worker.delay = Math.min(worker.delay * 2, backoff.max);
    });
  };

  // Replaces the workers one at a time: the new process listens before the
  // old one is told to stop, so the port is never served by fewer workers,
  // and the old one drains (its queued and in-flight connections finish).
  const rollingRestart = async () => {
    if (rolling || stopping) return;
    rolling = true;
    log.info("received SIGUSR2: restarting {count} workers one by one", {
      count: workers.length,
    });
    try {
      for (const worker of workers) {
        const old = worker.child;
        // A worker waiting for its backoff restart starts anew anyway.
        if (stopping || old === undefined) continue;
        const fresh = start(worker);
        if (!await fresh.ready) {
          log.error(
            "the new worker {id} exited before it listened: the rolling restart stops, worker {id} (pid {pid}) goes on",
            { id: worker.id, pid: old.pid },
          );
          return;
        }
        if (stopping || worker.child !== old) {
          // Stopped meanwhile, or the old one died and was restarted.
          if (!stopping) await stop(fresh.child);
          continue;
        }
        serveAs(worker, fresh.child);
        await stop(old);
      }
      log.info("rolling restart done");
    } finally {
      rolling = false;
    }
  };

  const onStop = (name: string) => () => void stopAll(`received ${name}`, 0);
  const onTerm = onStop("SIGTERM");
  const onInt = onStop("SIGINT");
  const onHup = () => {
    reopenLogHandlers();
    for (const child of children) signal(child, "SIGHUP");
  };
  const onUsr2 = () => void rollingRestart();
  Deno.addSignalListener("SIGTERM", onTerm);
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGHUP", onHup);
  Deno.addSignalListener("SIGUSR2", onUsr2);
  try {
    for (let id = 0; id < options.workers; id++) {
      const worker: Worker = {
        id,
        child: undefined,
        startedAt: 0,
        delay: backoff.initial,
        timer: undefined,
      };
      workers.push(worker);
    }
    for (const worker of workers) spawn(worker);
    const code = await done;
    log.info("all workers stopped");
    return code;
  } finally {
    Deno.removeSignalListener("SIGTERM", onTerm);
    Deno.removeSignalListener("SIGINT", onInt);
    Deno.removeSignalListener("SIGHUP", onHup);
    Deno.removeSignalListener("SIGUSR2", onUsr2);
    pidfile?.release();
  }
}

function signal(child: Deno.ChildProcess, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch {
    // The worker exited between the check and the signal.
  }
}

async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let buffered = "";
  try {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      buffered += text;
      let newline: number;
      while ((newline = buffered.indexOf("\n")) !== -1) {
        onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    }
  } catch {
    // The worker died mid-line; its exit is handled by the status watcher.
  }
  if (buffered !== "") onLine(buffered);
}
