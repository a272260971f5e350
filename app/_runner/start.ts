// Running a validated command line: in this process, as a supervisor of
// workers, or as a daemon. Loaded only when a command runs, so that
// `spindle --help` and usage errors load none of it.
import { resolve } from "node:path";
import { getLogger } from "../../log/mod.ts";
// Every command's --listen may wrap its endpoint in haproxy: (the PROXY
// protocol), so the runner registers that kind for all of them; here, where a
// command is about to run, so that --help and usage errors load no protocol.
import "../../protocols/haproxy/endpoint.ts";
import { Application } from "../application.ts";
import type { Plugin } from "../plugin.ts";
import { runApplication } from "../run_application.ts";
import { checkEndpoints } from "./check_endpoints.ts";
import { type CommonSettings, commonSettings } from "./common_options.ts";
import { daemonize, reportDaemonReady } from "./daemon.ts";
import { DAEMON_READY_ENV, WORKER_ID_ENV } from "./env.ts";
import { type Invocation, rebuildArgs } from "./invocation.ts";
import { configureLogging } from "./logging_setup.ts";
import { pinPorts } from "./pin_ports.ts";
import { printable } from "./printable.ts";
import { superviseWorkers, supervisorGone } from "./workers.ts";

const log = getLogger("spindle.runner");

/** Where this process stands: started by a user, or as a worker or the daemon. */
interface Role {
  isWorker: boolean;
  isDaemonChild: boolean;
}

/** Validates the command line, then serves in the way it asks for. */
export async function start(invocation: Invocation): Promise<number> {
  const settings = commonSettings(invocation.common);
  // Validated in every process, and before detaching, so that mistakes reach
  // the terminal; what it loads is handed to makeService below.
  const options = await invocation.plugin.validate({
    options: invocation.own,
    args: invocation.positionals,
  });
  await checkEndpoints(invocation.plugin, invocation.own);
  const role = {
    isWorker: Deno.env.get(WORKER_ID_ENV) !== undefined,
    isDaemonChild: Deno.env.get(DAEMON_READY_ENV) !== undefined,
  };
  if (settings.daemon && !role.isDaemonChild && !role.isWorker) {
    return await startDaemon(invocation, settings);
  }
  configureLogging(settings.logging);
  if (settings.workers > 1 && !role.isWorker) {
    return await startWorkers(invocation, settings, role);
  }
  return await serve(invocation.plugin, options, settings, role);
}

async function startDaemon(
  invocation: Invocation,
  settings: CommonSettings,
): Promise<number> {
  const logfile = resolve(settings.logging.logfile ?? "spindle.log");
  const args = rebuildArgs(
    { ...invocation, common: { ...invocation.common, logfile } },
    ["daemon"],
  );
  const logged = logSize(logfile);
  const { pid, ready } = await daemonize({ args });
  if (!ready) {
    const why = failureLines(logfile, logged);
    console.error(
      `spindle: the daemon did not start${
        why.length > 0 ? `:\n${why.join("\n")}\n` : "; "
      }see ${logfile}`,
    );
    return 1;
  }
  console.error(`spindle: daemon started (pid ${pid}), logging to ${logfile}`);
  return 0;
}

function logsToFile(settings: CommonSettings): boolean {
  const { logfile } = settings.logging;
  return logfile !== undefined && logfile !== "-";
}

function logSize(logfile: string): number {
  try {
    return Deno.statSync(logfile).size;
  } catch {
    return 0;
  }
}

// At most this many of the failed daemon's log lines reach the terminal.
const FAILURE_LINES = 5;

/**
 * The error and critical lines that the daemon wrote to `logfile` after its
 * first `from` bytes: why it failed, for the terminal it has left.
 */
function failureLines(logfile: string, from: number): string[] {
  let text: string;
  try {
    text = new TextDecoder().decode(Deno.readFileSync(logfile).subarray(from));
  } catch {
    return [];
  }
  return text.split("\n")
    .filter((line) =>
      /#(error|critical)\]|"level":"(ERROR|CRITICAL)"/i.test(line)
    )
    .slice(-FAILURE_LINES)
    .map((line) => `  ${printable(line)}`);
}

async function startWorkers(
  invocation: Invocation,
  settings: CommonSettings,
  role: Role,
): Promise<number> {
  const own = await pinPorts(invocation.plugin, invocation.own);
  return await superviseWorkers({
    workers: settings.workers,
    args: rebuildArgs({ ...invocation, own }, ["workers", "pidfile", "daemon"]),
    pidfile: settings.pidfile,
    // Workers drain for their application's own timeout when none is given;
    // the supervisor only kills one that hangs well past it.
    shutdownTimeout: settings.shutdownTimeout ?? 60_000,
    announce: role.isDaemonChild
      ? (line) => reportDaemonReady([line])
      : undefined,
  });
}

async function serve<T>(
  plugin: Plugin<T>,
  options: T,
  settings: CommonSettings,
  role: Role,
): Promise<number> {
  const service = await plugin.makeService(options, {
    reusePort: role.isWorker,
  });
  let application: Application;
  if (service instanceof Application) {
    application = service;
  } else {
    application = new Application(plugin.name);
    service.setServiceParent(application);
  }
  return await runApplication(application, {
    // The supervisor holds the pid file of a worker.
    pidfile: role.isWorker ? undefined : settings.pidfile,
    shutdownTimeout: settings.shutdownTimeout,
    signal: role.isWorker ? supervisorGone() : undefined,
    // The runner alone says where the services listen (they log it at
    // debug): once on stdout, and once in a log file if there is one.
    announce: (lines) => {
      // The log first: once stdout says it listens, the log file exists.
      if (logsToFile(settings)) { for (const line of lines) log.info(line); }
      for (const line of lines) console.log(line);
      if (role.isDaemonChild && !role.isWorker) reportDaemonReady(lines);
    },
  });
}
