/**
 * The `spindle` command (Twisted's `twistd`): runs a module that exports an
 * `application`, or a built-in plugin such as `web` or `echo`, with pid file,
 * logging, workers, daemon mode and graceful shutdown.
 *
 * ```sh
 * deno task spindle run examples/app.ts --port 8080
 * deno task spindle web --listen tcp:8080 --path ./public --workers 4
 * deno task spindle echo --listen tcp:7000:interface=127.0.0.1 --log-format json
 * deno task spindle --help
 * ```
 *
 * Exit status: 0 after a clean stop, 1 when the server failed (to start, to
 * stop, pid file taken), 2 for a bad command line.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import {
  type LogLevelName,
  parseLogLevel,
  UnknownLogLevelError,
} from "../log/mod.ts";
import { getLogger } from "../log/mod.ts";
import {
  EndpointDescriptionError,
  serverFromString,
} from "../reactor/endpoints.ts";
import { reactor } from "../reactor/deno_reactor.ts";
import { Application } from "./application.ts";
import { builtinPlugins } from "./builtin_plugins.ts";
import { DAEMON_READY_ENV, daemonize, reportDaemonReady } from "./daemon.ts";
import { withReusePort } from "./endpoint_service.ts";
import { configureLogging } from "./logging_setup.ts";
import {
  formatOptionsHelp,
  type OptionSpec,
  parseOptions,
  UsageError,
} from "./options.ts";
import {
  getPlugin,
  listPlugins,
  type Plugin,
  registerPlugin,
} from "./plugin.ts";
import { runApplication } from "./runner.ts";
import type { Service } from "./service.ts";
import { superviseWorkers, supervisorGone, WORKER_ID_ENV } from "./workers.ts";

const log = getLogger("spindle.runner");

type Values = Record<string, string | number | boolean | undefined>;

const COMMON_OPTIONS: OptionSpec[] = [
  {
    name: "help",
    short: "h",
    type: "boolean",
    description: "show this help and exit",
  },
  {
    name: "pidfile",
    valueName: "PATH",
    description:
      "write the pid here; refuse to start if a live process holds it",
  },
  {
    name: "logfile",
    valueName: "PATH",
    description: "append log lines to this file (- for stdout; default stderr)",
  },
  {
    name: "log-level",
    valueName: "LEVEL",
    description:
      "least severe level logged: debug, info, warn, error, critical",
    default: "info",
  },
  {
    name: "log-format",
    valueName: "FORMAT",
    description: "text, or json for one JSON object per line",
    default: "text",
  },
  {
    name: "log-max-bytes",
    type: "number",
    valueName: "BYTES",
    description:
      "roll --logfile over at this size (to FILE.1, FILE.2...); default: never",
  },
  {
    name: "log-backups",
    type: "number",
    valueName: "N",
    description: "how many rolled-over log files to keep",
    default: 5,
  },
  {
    name: "workers",
    type: "number",
    valueName: "N",
    description:
      "run N processes sharing the port (reusePort), restarted if they die",
    default: 1,
  },
  {
    name: "daemon",
    type: "boolean",
    description:
      "detach into the background (logs go to --logfile, default spindle.log)",
  },
  {
    name: "shutdown-timeout",
    type: "number",
    valueName: "SECONDS",
    description:
      "how long open connections get to finish on SIGTERM/SIGINT (default: the application's own, 10)",
  },
  {
    name: "plugin",
    valueName: "MODULE",
    description:
      "load a module that exports a spindle `plugin` (give it before the command)",
  },
];

const RUN_PLUGIN: Plugin = {
  name: "run",
  description: "run a module that exports `application` (an Application)",
  usage: "MODULE [-- MODULE ARGS]",
  options: [],
  async makeService({ args }) {
    // Arguments after `--` belong to the module, which reads them from Deno.args.
    const [path] = args;
    if (path === undefined) throw new UsageError("run needs a MODULE to run");
    const url = /^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)
      ? path
      : pathToFileURL(resolve(path)).href;
    let module: Record<string, unknown>;
    try {
      module = await import(url);
    } catch (error) {
      throw new UsageError(
        `cannot load ${path}: ${
          error instanceof Error ? error.message.split("\n")[0] : error
        }`,
      );
    }
    const application = module.application;
    if (!isService(application)) {
      throw new UsageError(
        `${path} does not export \`application\` (an Application or Service)`,
      );
    }
    return application;
  },
};

function isService(value: unknown): value is Service {
  return typeof (value as Service | undefined)?.startService === "function" &&
    typeof (value as Service).stopService === "function";
}

function usageLine(plugin?: Plugin): string {
  if (plugin === undefined) {
    return "Usage: spindle [options] <command> [command options]";
  }
  return `Usage: spindle ${plugin.name} [options]${
    plugin.usage ? ` ${plugin.usage}` : ""
  }`;
}

function mainHelp(): string {
  const commands = [RUN_PLUGIN, ...listPlugins()];
  const width = Math.max(...commands.map((c) => c.name.length)) + 4;
  return [
    "spindle: run Spindle servers",
    "",
    usageLine(),
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.description}`),
    "",
    "Options (accepted before or after the command):",
    formatOptionsHelp(COMMON_OPTIONS),
    "",
    "Run 'spindle <command> --help' for a command's own options.",
  ].join("\n");
}

function pluginHelp(plugin: Plugin): string {
  return [
    `spindle ${plugin.name}: ${plugin.description}`,
    "",
    usageLine(plugin),
    "",
    ...(plugin.options.length > 0
      ? [`Options of ${plugin.name}:`, formatOptionsHelp(plugin.options), ""]
      : []),
    "Common options:",
    formatOptionsHelp(COMMON_OPTIONS),
  ].join("\n");
}

/** Rebuilds a command line for a worker or the daemon from parsed values. */
function rebuildArgs(
  plugin: Plugin,
  positionals: string[],
  common: Values,
  own: Values,
  drop: string[],
): string[] {
  // A plugin module must be loaded before its command is looked up.
  const args = typeof common.plugin === "string"
    ? [`--plugin=${common.plugin}`, plugin.name]
    : [plugin.name];
  const add = (specs: OptionSpec[], values: Values) => {
    for (const spec of specs) {
      const value = values[spec.name];
      if (value === undefined || spec.name === "plugin") continue;
      if (drop.includes(spec.name)) continue;
      if (spec.type === "boolean") {
        if (value === true) args.push(`--${spec.name}`);
      } else {
        args.push(`--${spec.name}=${value}`);
      }
    }
  };
  add(COMMON_OPTIONS, common);
  add(plugin.options, own);
  // After `--`, so that a module's own arguments are not taken for options.
  return [...args, "--", ...positionals];
}

/**
 * Replaces port 0 in TCP endpoint options with a free port, so that all
 * workers share one port instead of each binding its own.
 */
async function pinPorts(plugin: Plugin, values: Values): Promise<Values> {
  const pinned = { ...values };
  for (const name of plugin.endpointOptions ?? []) {
    const description = values[name];
    if (typeof description !== "string") continue;
    const endpoint = serverFromString(withReusePort(reactor), description);
    const canonical = endpoint.toString();
    if (endpoint.kind !== "tcp" || !/^tcp:0(:|$)/.test(canonical)) continue;
    const port = await endpoint.listen(() => {});
    const { port: number } = port.getHost() as Deno.NetAddr;
    await port.stopListening();
    pinned[name] = canonical.replace(/^tcp:0/, `tcp:${number}`);
  }
  return pinned;
}

async function loadPlugin(specifier: string): Promise<void> {
  const url = /^[a-z][a-z0-9+.-]*:/i.test(specifier)
    ? specifier
    : pathToFileURL(resolve(specifier)).href;
  let module: Record<string, unknown>;
  try {
    module = await import(url);
  } catch (error) {
    throw new UsageError(
      `cannot load plugin ${specifier}: ${
        error instanceof Error ? error.message.split("\n")[0] : error
      }`,
    );
  }
  const plugin = module.plugin as Plugin | undefined;
  if (
    typeof plugin?.makeService !== "function" || typeof plugin.name !== "string"
  ) {
    throw new UsageError(`${specifier} does not export a spindle \`plugin\``);
  }
  if (getPlugin(plugin.name) === undefined) registerPlugin(plugin);
}

function validateCommon(common: Values): {
  level: LogLevelName;
  format: "text" | "json";
  workers: number;
  shutdownTimeout: number | undefined;
  maxBytes: number | undefined;
  backups: number;
} {
  let level: LogLevelName;
  try {
    level = parseLogLevel(String(common["log-level"]));
  } catch (error) {
    if (error instanceof UnknownLogLevelError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
  const format = common["log-format"];
  if (format !== "text" && format !== "json") {
    throw new UsageError(`--log-format must be text or json, got "${format}"`);
  }
  const workers = Number(common.workers);
  if (!Number.isInteger(workers) || workers < 1) {
    throw new UsageError(
      `--workers needs a whole number of at least 1, got ${common.workers}`,
    );
  }
  const given = common["shutdown-timeout"];
  const seconds = given === undefined ? undefined : Number(given);
  if (seconds !== undefined && !(seconds >= 0)) {
    throw new UsageError(
      `--shutdown-timeout needs a number of seconds, got ${
        common["shutdown-timeout"]
      }`,
    );
  }
  const maxBytes = common["log-max-bytes"] as number | undefined;
  if (maxBytes !== undefined && !(Number.isInteger(maxBytes) && maxBytes > 0)) {
    throw new UsageError(
      `--log-max-bytes needs a whole number of bytes, got ${maxBytes}`,
    );
  }
  if (maxBytes !== undefined && Number(common.workers) > 1) {
    // Several processes appending to one file cannot agree on when to roll it.
    throw new UsageError(
      "--log-max-bytes cannot be combined with --workers: rotate with logrotate and SIGHUP instead",
    );
  }
  const backups = Number(common["log-backups"]);
  if (!Number.isInteger(backups) || backups < 0) {
    throw new UsageError(
      `--log-backups needs a whole number, got ${common["log-backups"]}`,
    );
  }
  if (common.daemon && common.logfile === "-") {
    throw new UsageError(
      "--daemon has no stdout to log to: give --logfile a file",
    );
  }
  return {
    level,
    format,
    workers,
    shutdownTimeout: seconds === undefined
      ? undefined
      : Math.round(seconds * 1000),
    maxBytes,
    backups,
  };
}

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
  for (const plugin of builtinPlugins) {
    if (getPlugin(plugin.name) === undefined) registerPlugin(plugin);
  }
  let plugin: Plugin | undefined;
  try {
    // First pass: the common options before the command, and the command.
    const head = parseOptions(args, COMMON_OPTIONS, { stopAtPositional: true });
    if (typeof head.values.plugin === "string") {
      await loadPlugin(head.values.plugin);
    }
    const [command, ...rest] = head.positionals;
    if (command === undefined) {
      if (head.values.help) {
        console.log(mainHelp());
        return 0;
      }
      throw new UsageError("no command given");
    }
    plugin = command === "run" ? RUN_PLUGIN : getPlugin(command);
    if (plugin === undefined) {
      throw new UsageError(`unknown command ${command}`);
    }
    // Second pass: everything after the command, common options included.
    const commonNames = new Set(COMMON_OPTIONS.map((o) => o.name));
    const tail = parseOptions(rest, [
      ...COMMON_OPTIONS.map((o) => ({ ...o, default: undefined })),
      ...plugin.options.filter((o) => !commonNames.has(o.name)),
    ]);
    const common: Values = { ...head.values };
    const own: Values = {};
    for (const spec of plugin.options) own[spec.name] = spec.default;
    for (const [name, value] of Object.entries(tail.values)) {
      if (value === undefined) continue;
      if (commonNames.has(name)) common[name] = value;
      else own[name] = value;
    }
    if (common.help) {
      console.log(pluginHelp(plugin));
      return 0;
    }
    const settings = validateCommon(common);
    const isWorker = Deno.env.get(WORKER_ID_ENV) !== undefined;
    const isDaemonChild = Deno.env.get(DAEMON_READY_ENV) !== undefined;

    if (common.daemon && !isDaemonChild && !isWorker) {
      // Validate before detaching, so that mistakes reach the terminal.
      await plugin.makeService({
        options: own,
        args: tail.positionals,
        reusePort: settings.workers > 1,
      });
      const logfile = resolve(
        typeof common.logfile === "string" ? common.logfile : "spindle.log",
      );
      const daemonArgs = rebuildArgs(
        plugin,
        tail.positionals,
        { ...common, logfile },
        own,
        ["daemon"],
      );
      const { pid, ready } = await daemonize({ args: daemonArgs });
      if (!ready) {
        console.error(`spindle: the daemon did not start; see ${logfile}`);
        return 1;
      }
      console.error(
        `spindle: daemon started (pid ${pid}), logging to ${logfile}`,
      );
      return 0;
    }

    configureLogging({
      logfile: typeof common.logfile === "string" ? common.logfile : undefined,
      level: settings.level,
      format: settings.format,
      maxBytes: settings.maxBytes,
      maxBackupCount: settings.backups,
    });

    if (settings.workers > 1 && !isWorker) {
      await plugin.makeService({
        options: own,
        args: tail.positionals,
        reusePort: true,
      });
      const pinned = await pinPorts(plugin, own);
      return await superviseWorkers({
        workers: settings.workers,
        args: rebuildArgs(plugin, tail.positionals, common, pinned, [
          "workers",
          "pidfile",
          "daemon",
        ]),
        pidfile: typeof common.pidfile === "string"
          ? common.pidfile
          : undefined,
        // Workers drain for their application's own timeout when none is
        // given; the supervisor only kills one that hangs well past it.
        shutdownTimeout: settings.shutdownTimeout ?? 60_000,
        announce: isDaemonChild
          ? (line) => reportDaemonReady([line])
          : undefined,
      });
    }

    const service = await plugin.makeService({
      options: own,
      args: tail.positionals,
      reusePort: isWorker,
    });
    let application: Application;
    if (service instanceof Application) {
      application = service;
    } else {
      application = new Application(plugin.name);
      service.setServiceParent(application);
    }
    return await runApplication(application, {
      pidfile: isWorker || typeof common.pidfile !== "string"
        ? undefined
        : common.pidfile,
      shutdownTimeout: settings.shutdownTimeout,
      signal: isWorker ? supervisorGone() : undefined,
      announce: (lines) => {
        for (const line of lines) console.log(line);
        if (isDaemonChild && !isWorker) reportDaemonReady(lines);
      },
    });
  } catch (error) {
    if (
      error instanceof UsageError || error instanceof EndpointDescriptionError
    ) {
      const help = plugin ? `spindle ${plugin.name} --help` : "spindle --help";
      console.error(`spindle: ${error.message} (see '${help}')`);
      return 2;
    }
    log.critical("spindle failed: {error}", { error });
    return 1;
  }
}

if (import.meta.main) {
  const code = await main(Deno.args);
  Deno.exit(code);
}
