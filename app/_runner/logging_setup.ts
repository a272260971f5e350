/**
 * Turns the runner's logging options (`--logfile`, `--log-level`,
 * `--log-format`) into a logger configuration.
 *
 * @module
 */
import {
  ConsoleHandler,
  FileHandler,
  jsonFormatter,
  type LogFormatter,
  type LogHandler,
  type LogLevelName,
  type LogRecord,
  RotatingFileHandler,
  setup,
  textFormatter,
} from "../../log/mod.ts";
import { workerId } from "../worker_id.ts";

/** The logging choices of the command line. */
export interface LoggingOptions {
  /** A file to append to; `"-"` means stdout; default: stderr. */
  logfile?: string;
  /** The least severe level logged; default `"info"`. */
  level?: LogLevelName;
  /** `"text"` (default) or `"json"` (one JSON object per line). */
  format?: "text" | "json";
  /** Roll the log file over at this size in bytes; default: never. */
  maxBytes?: number;
  /** How many rolled-over files to keep; default 5. */
  maxBackupCount?: number;
}

/**
 * Configures the logger from the runner's options and returns the handler it
 * installed (the runner reopens it on SIGHUP through `reopenLogHandlers`).
 * In a `--workers` process every line says which worker wrote it: text lines
 * start their message with `worker N:`, JSON lines carry `fields.worker`.
 */
export function configureLogging(options: LoggingOptions): LogHandler {
  const formatter = tagWorker(
    options.format === "json" ? jsonFormatter : textFormatter,
    options.format ?? "text",
  );
  let handler: LogHandler;
  if (options.logfile === undefined) {
    handler = new ConsoleHandler({ formatter });
  } else if (options.logfile === "-") {
    handler = new ConsoleHandler({ formatter, stream: "stdout" });
  } else if (options.maxBytes !== undefined && options.maxBytes > 0) {
    handler = new RotatingFileHandler(options.logfile, {
      formatter,
      maxBytes: options.maxBytes,
      maxBackupCount: options.maxBackupCount,
    });
  } else {
    handler = new FileHandler(options.logfile, { formatter });
  }
  setup({
    handlers: { main: handler },
    loggers: { default: { level: options.level ?? "info" } },
  });
  return handler;
}

function tagWorker(
  formatter: LogFormatter,
  format: "text" | "json",
): LogFormatter {
  const id = workerId();
  if (id === undefined) return formatter;
  return format === "json"
    ? (record: LogRecord) =>
      formatter({ ...record, fields: { ...record.fields, worker: id } })
    : (record: LogRecord) =>
      formatter({ ...record, message: `worker ${id}: ${record.message}` });
}
