/**
 * Runs an {@linkcode Application} in this process until SIGTERM or SIGINT:
 * pid file, start, the `listening on` announcement, graceful stop, SIGHUP to
 * reopen log files. `spindle run` does this for a module; a program can also
 * run its application itself.
 *
 * @module
 */
import { formatAddress } from "../reactor/connection.ts";
import type { Address } from "../reactor/interfaces.ts";
import { getLogger, reopenLogHandlers } from "../log/mod.ts";
import type { Application } from "./application.ts";
import { MultiService } from "./multi_service.ts";
import { acquirePidFile } from "./_runner/acquire_pidfile.ts";
import type { ListeningService } from "./listening_service.ts";
import type { Service } from "./service.ts";

const log = getLogger("spindle.runner");

function isListening(service: Service): service is Service & ListeningService {
  return typeof (service as Partial<ListeningService>).listeningAddresses ===
    "function";
}

// Every address that the services of `root` listen on, in service order.
function listeningAddresses(root: Service): Address[] {
  const out: Address[] = [];
  const visit = (service: Service) => {
    if (isListening(service)) out.push(...service.listeningAddresses());
    if (service instanceof MultiService) {
      for (const child of service) visit(child);
    }
  };
  visit(root);
  return out;
}

/** Options for {@linkcode runApplication}. */
export interface RunApplicationOptions {
  /** Write this process's pid here while running (refused if a live process holds it). */
  pidfile?: string;
  /** Overrides the application's `shutdownTimeout` (milliseconds). */
  shutdownTimeout?: number;
  /**
   * Receives the lines `listening on <address>`, one per listening address,
   * once the application has started; default: printed on stdout.
   */
  announce?: (lines: string[]) => void;
  /** Stops the application when it aborts (in addition to SIGTERM/SIGINT). */
  signal?: AbortSignal;
}

const STOP_SIGNALS: Deno.Signal[] = ["SIGTERM", "SIGINT"];
// A second stop signal within this many milliseconds is the same one delivered
// twice, not a request to exit at once (see onStopSignal).
const DUPLICATE_SIGNAL_MS = 500;

/**
 * Starts `application`, announces its addresses, and stops it gracefully on
 * SIGTERM or SIGINT (a second one, half a second or more later, exits at once). SIGHUP reopens the log
 * files. Resolves to the exit status: 0 after a clean stop, 1 when the
 * application failed to start or to stop, or when the pid file is taken.
 *
 * @example Usage
 * ```ts ignore
 * import { Application, runApplication } from "@spindle/spindle/app";
 * Deno.exit(await runApplication(new Application("demo"), { pidfile: "demo.pid" }));
 * ```
 */
export async function runApplication(
  application: Application,
  options: RunApplicationOptions = {},
): Promise<number> {
  if (options.shutdownTimeout !== undefined) {
    application.shutdownTimeout = options.shutdownTimeout;
  }
  const announce = options.announce ??
    ((lines: string[]) => lines.forEach((line) => console.log(line)));

  const pidfile = acquirePidFile(options.pidfile, log);
  if (pidfile === null) return 1;

  const { promise: stopRequested, resolve: requestStop } = Promise
    .withResolvers<string>();
  let stopping = false;
  let firstSignalAt = 0;
  const onStopSignal = (name: string) => () => {
    // One Ctrl-C can arrive twice: the terminal signals the whole process
    // group, and a wrapper in it (npx, deno task) forwards its own copy. A
    // person who presses it again to stop waiting takes longer than that.
    if (stopping && Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
    if (stopping) {
      log.warn("received {signal} again: exiting without waiting", {
        signal: name,
      });
      pidfile?.release();
      Deno.exit(1);
    }
    stopping = true;
    firstSignalAt = Date.now();
    requestStop(name);
  };
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = onStopSignal(signal);
    Deno.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });
  const onHangup = () => {
    log.info("received SIGHUP: reopening log files");
    reopenLogHandlers();
    log.info("log files reopened");
  };
  // SIGUSR2 asks a --workers supervisor for a rolling restart; a process on
  // its own would die of it (the default action), so it says so and goes on.
  const onUsr2 = () => {
    log.warn(
      "received SIGUSR2: rolling restarts need --workers (the supervisor restarts its workers one by one); ignored",
    );
  };
  const canHangup = Deno.build.os !== "windows";
  if (canHangup) {
    Deno.addSignalListener("SIGHUP", onHangup);
    Deno.addSignalListener("SIGUSR2", onUsr2);
  }
  // A server keeps serving when one request's promise fails unobserved (as
  // Twisted logs an unhandled Deferred error and goes on); the failure is
  // logged with its stack instead of ending the process.
  const onUnhandledRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    log.error("unhandled promise rejection: {error}", { error: event.reason });
  };
  globalThis.addEventListener("unhandledrejection", onUnhandledRejection);
  // An uncaught exception still ends the process (its state is unknown), but
  // through the log first: a daemon's stderr goes nowhere.
  const onUncaughtError = (event: ErrorEvent) => {
    log.critical("uncaught exception, exiting: {error}", {
      error: event.error,
    });
    pidfile?.release();
  };
  globalThis.addEventListener("error", onUncaughtError);
  const onAbort = () => {
    stopping = true;
    const reason = options.signal?.reason;
    requestStop(reason instanceof Error ? reason.message : "abort");
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    try {
      await application.startService();
    } catch (error) {
      log.critical("{name} failed to start: {error}", {
        name: application.name,
        error,
      });
      return 1;
    }
    // A service on UDP and TCP at one address (DNS) is announced once.
    announce([
      ...new Set(
        listeningAddresses(application).map((address) =>
          `listening on ${formatAddress(address)}`
        ),
      ),
    ]);
    log.info("{name} started (pid {pid})", {
      name: application.name,
      pid: Deno.pid,
    });

    const reason = await stopRequested;
    log.info(
      "received {reason}: stopping (connections get {ms} ms to finish)",
      {
        reason,
        ms: application.shutdownTimeout,
      },
    );
    return await stopWithDeadline(application);
  } finally {
    for (const [signal, listener] of listeners) {
      Deno.removeSignalListener(signal, listener);
    }
    if (canHangup) {
      Deno.removeSignalListener("SIGHUP", onHangup);
      Deno.removeSignalListener("SIGUSR2", onUsr2);
    }
    options.signal?.removeEventListener("abort", onAbort);
    globalThis.removeEventListener("unhandledrejection", onUnhandledRejection);
    globalThis.removeEventListener("error", onUncaughtError);
    pidfile?.release();
  }
}

// Services enforce the drain deadline themselves; this is the backstop for a
// service whose stop hangs, so that SIGTERM always ends the process.
const STOP_GRACE_MS = 5_000;

async function stopWithDeadline(application: Application): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(
      () => resolve("timeout"),
      application.shutdownTimeout + STOP_GRACE_MS,
    );
  });
  try {
    const outcome = await Promise.race([
      application.stopService().asPromise().then(() => "stopped" as const),
      deadline,
    ]);
    if (outcome === "timeout") {
      log.error("{name} did not stop within {ms} ms: exiting anyway", {
        name: application.name,
        ms: application.shutdownTimeout + STOP_GRACE_MS,
      });
      return 1;
    }
    log.info("{name} stopped", { name: application.name });
    return 0;
  } catch (error) {
    log.error("{name} failed to stop cleanly: {error}", {
      name: application.name,
      error,
    });
    return 1;
  } finally {
    clearTimeout(timer);
  }
}
