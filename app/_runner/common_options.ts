// The options every command of the runner takes (pid file, logging, workers,
// daemon, shutdown), and their checks.
import {
  type LogLevelName,
  parseLogLevel,
  UnknownLogLevelError,
} from "../../log/mod.ts";
import { type OptionSpec, type OptionValues, UsageError } from "../options.ts";
import type { LoggingOptions } from "./logging_setup.ts";

/** The common options, accepted before or after the command. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  {
    name: "help",
    short: "h",
    type: "boolean",
    description: "show this help and exit",
  },
  {
    name: "version",
    type: "boolean",
    description: "print the version of spindle (and of Deno) and exit",
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

/** The common options, checked. */
export interface CommonSettings {
  /** How to set up logging in the process that serves. */
  logging: LoggingOptions;
  /** How many worker processes (1: serve in this process). */
  workers: number;
  /** Detach into the background. */
  daemon: boolean;
  /** The pid file to hold, if any. */
  pidfile: string | undefined;
  /** The drain deadline in milliseconds, if given. */
  shutdownTimeout: number | undefined;
}

/**
 * Checks the common option values.
 *
 * @throws {UsageError} For a bad value or a combination that cannot work.
 */
export function commonSettings(values: OptionValues): CommonSettings {
  const workers = wholeNumber(values, "workers", 1);
  const logging = loggingOptions(values);
  if (logging.maxBytes !== undefined && workers > 1) {
    // Several processes appending to one file cannot agree on when to roll it.
    throw new UsageError(
      "--log-max-bytes cannot be combined with --workers: rotate with logrotate and SIGHUP instead",
    );
  }
  const daemon = values.daemon === true;
  if (daemon && logging.logfile === "-") {
    throw new UsageError(
      "--daemon has no stdout to log to: give --logfile a file",
    );
  }
  return {
    logging,
    workers,
    daemon,
    pidfile: typeof values.pidfile === "string" ? values.pidfile : undefined,
    shutdownTimeout: shutdownTimeout(values["shutdown-timeout"]),
  };
}

function loggingOptions(values: OptionValues): LoggingOptions {
  const format = values["log-format"];
  if (format !== "text" && format !== "json") {
    throw new UsageError(`--log-format must be text or json, got "${format}"`);
  }
  const maxBytes = values["log-max-bytes"] === undefined
    ? undefined
    : wholeNumber(values, "log-max-bytes", 1);
  return {
    logfile: typeof values.logfile === "string" ? values.logfile : undefined,
    level: logLevel(String(values["log-level"])),
    format,
    maxBytes,
    maxBackupCount: wholeNumber(values, "log-backups", 0),
  };
}

function logLevel(name: string): LogLevelName {
  try {
    return parseLogLevel(name);
  } catch (error) {
    if (error instanceof UnknownLogLevelError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

function wholeNumber(values: OptionValues, name: string, least: number) {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < least) {
    throw new UsageError(
      `--${name} needs a whole number of at least ${least}, got ${
        values[name]
      }`,
    );
  }
  return value;
}

function shutdownTimeout(given: OptionValues[string]): number | undefined {
  if (given === undefined) return undefined;
  const seconds = Number(given);
  if (!(seconds >= 0)) {
    throw new UsageError(
      `--shutdown-timeout needs a number of seconds, got ${given}`,
    );
  }
  return Math.round(seconds * 1000);
}
