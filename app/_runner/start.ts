// Running a validated command line: in this process, as a supervisor of
// workers, or as a daemon. Loaded only when a command runs, so that
// `spindle --help` and usage errors load none of it.
import { resolve } from "node:path";
import { Application } from "../application.ts";
import type { Plugin } from "../plugin.ts";
import { runApplication } from "../run_application.ts";
import { type CommonSettings, commonSettings } from "./common_options.ts";
import { daemonize, reportDaemonReady } from "./daemon.ts";
import { DAEMON_READY_ENV, WORKER_ID_ENV } from "./env.ts";
import { type Invocation, rebuildArgs } from "./invocation.ts";
import { configureLogging } from "./logging_setup.ts";
import { pinPorts } from "./pin_ports.ts";
import { superviseWorkers, supervisorGone } from "./workers.ts";

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
  const { pid, ready } = await daemonize({ args });
  if (!ready) {
    console.error(`spindle: the daemon did not start; see ${logfile}`);
    return 1;
  }
  console.error(`spindle: daemon started (pid ${pid}), logging to ${logfile}`);
  return 0;
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
    announce: (lines) => {
      for (const line of lines) console.log(line);
      if (role.isDaemonChild && !role.isWorker) reportDaemonReady(lines);
    },
  });
}
