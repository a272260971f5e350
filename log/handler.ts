/**
 * The handler interface and the base class that filters by level and formats.
 *
 * @module
 */
import { type LogLevelName, LogLevels } from "./levels.ts";
import type { LogRecord } from "./record.ts";
import { type LogFormatter, textFormatter } from "./formatters.ts";

/** A destination for log records: the console, a file, a test's memory. */
export interface LogHandler {
  /** Writes (or drops) one record. Must not throw for ordinary I/O trouble. */
  handle(record: LogRecord): void;
  /** Reopens the destination (after logrotate moved the file); optional. */
  reopen?(): void;
  /** Writes out anything buffered; optional. */
  flush?(): void;
  /** Releases the destination; optional. */
  close?(): void;
}

/** Options shared by the built-in handlers. */
export interface BaseHandlerOptions {
  /** The least severe level this handler writes; default `"debug"` (the logger filters first). */
  level?: LogLevelName;
  /** Turns a record into a line; default {@linkcode textFormatter}. */
  formatter?: LogFormatter;
}

/**
 * A handler that filters by its own level, formats the record and passes the
 * line to {@linkcode BaseHandler.write}. Subclasses implement `write`.
 *
 * @example Usage
 * ```ts
 * import { BaseHandler } from "@spindle/spindle/log";
 * class ArrayHandler extends BaseHandler {
 *   lines: string[] = [];
 *   override write(line: string): void {
 *     this.lines.push(line);
 *   }
 * }
 * const handler = new ArrayHandler({ level: "warn" });
 * handler.handle({
 *   time: new Date(), level: "info", namespace: "demo",
 *   format: "ignored", message: "ignored", fields: {},
 * });
 * console.assert(handler.lines.length === 0);
 * ```
 */
export abstract class BaseHandler implements LogHandler {
  /** The least severe level written. */
  level: LogLevelName;
  /** How records become lines. */
  formatter: LogFormatter;

  /** Creates the handler with its level and formatter. */
  constructor(options: BaseHandlerOptions = {}) {
    this.level = options.level ?? "debug";
    this.formatter = options.formatter ?? textFormatter;
  }

  /** Filters `record` by level, formats it and writes the line. */
  handle(record: LogRecord): void {
    if (LogLevels[record.level] < LogLevels[this.level]) return;
    this.write(this.format(record), record);
  }

  /** Formats `record`; subclasses may decorate the line (colours). */
  format(record: LogRecord): string {
    return this.formatter(record);
  }

  /** Writes one formatted line (without its newline). */
  abstract write(line: string, record: LogRecord): void;
}
