/**
 * The `spindle` command (Twisted's `twistd`): runs a module that exports an
 * `application`, or a built-in command such as `web` or `echo`, with pid file,
 * logging, workers, daemon mode and graceful shutdown.
 *
 * ```sh
 * deno task spindle run examples/app.ts --port 8080
 * deno task spindle web --listen tcp:8080 --path ./public --workers 4
 * deno task spindle echo --listen tcp:7000:interface=127.0.0.1 --log-format json
 * deno task spindle --help
 * ```
 *
 * One path for every command line: parse the common options and find the
 * command, load its module (only that one), validate its options, then serve
 * in this process, as workers or as a daemon.
 *
 * Exit status: 0 after a clean stop, 1 when the server failed (to start, to
 * stop, pid file taken), 2 for a bad command line.
 *
 * @module
 */
import { resolve } from "node:path";
import { getLogger } from "../log/mod.ts";
import { EndpointDescriptionError } from "../reactor/endpoints/mod.ts";
import { Application } from "./application.ts";
import { UsageError } from "./options.ts";
import type { Plugin } from "./plugin.ts";
import { runApplication } from "./run_application.ts";
import { loadCommand, loadPluginModule } from "./_runner/commands.ts";
import {
  COMMON_OPTIONS,
  type CommonSettings,
  commonSettings,
} from "./_runner/common_options.ts";
import { daemonize, reportDaemonReady } from "./_runner/daemon.ts";
import { DAEMON_READY_ENV, WORKER_ID_ENV } from "./_runner/env.ts";
import { mainHelp, pluginHelp } from "./_runner/help.ts";
import {
  type Invocation,
  parseInvocation,
  rebuildArgs,
} from "./_runner/invocation.ts";
import { configureLogging } from "./_runner/logging_setup.ts";
import { parseOptions } from "./_runner/parse_options.ts";
import { pinPorts } from "./_runner/pin_ports.ts";
import { superviseWorkers, supervisorGone } from "./_runner/workers.ts";

const log = getLogger("spindle.runner");

/**
 * Runs the `spindle` command line `args` and resolves to the exit status.
 *
 * @example Usage
 * ```ts ignore
 * import { main } from "@spindle/spindle/app/cli";
 * Deno.exit(await main(["echo", "--listen", "tcp:7000"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let command: string | undefined;
  try {
    const head = parseOptions(args, COMMON_OPTIONS, { stopAtPositional: true });
    const extra = typeof head.values.plugin === "string"
      ? await loadPluginModule(head.values.plugin)
      : undefined;
    const [name, ...rest] = head.positionals;
    if (name === undefined) {
      if (!head.values.help) throw new UsageError("no command given");
      console.log(mainHelp(extra));
      return 0;
    }
    const loaded = await loadCommand(name, extra);
    command = name;
    if ("tool" in loaded) {
      return await loaded.tool(head.values.help ? ["--help", ...rest] : rest);
    }
    const invocation = parseInvocation(loaded.plugin, head.values, rest);
    if (invocation.common.help) {
      console.log(pluginHelp(loaded.plugin));
      return 0;
    }
    return await start(invocation);
  } catch (error) {
    return failed(error, command);
  }
}

/** Prints a usage error on one line (status 2); logs any other failure (status 1). */
function failed(error: unknown, command: string | undefined): number {
  if (
    error instanceof UsageError || error instanceof EndpointDescriptionError
  ) {
    const help = command ? `spindle ${command} --help` : "spindle --help";
    console.error(`spindle: ${error.message} (see '${help}')`);
    return 2;
  }
  log.critical("spindle failed: {error}", { error });
  return 1;
}

/** Where this process stands: started by a user, or as a worker or the daemon. */
interface Role {
  isWorker: boolean;
  isDaemonChild: boolean;
}

/** Validates the command line, then serves in the way it asks for. */
async function start(invocation: Invocation): Promise<number> {
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

if (import.meta.main) {
  const code = await main(Deno.args);
  Deno.exit(code);
}
