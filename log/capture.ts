/**
 * Capturing log records in tests (Twisted's `capturedLogs`).
 *
 * @module
 */
import { type LogLevelName, LogLevels } from "./levels.ts";
import type { LogRecord } from "./record.ts";
import { addLogObserver, adjustQuiet } from "./logger.ts";

/** Options for {@linkcode captureLogs}. */
export interface CaptureLogsOptions {
  /** The least severe level captured; default `"debug"`. */
  level?: LogLevelName;
  /** Capture only this namespace and those below it (`"spindle.http"` takes `"spindle.http.server"`). */
  namespace?: string;
  /**
   * Keep handlers (the console) silent while capturing; default `true`, so
   * expected warnings do not clutter test output. Observers such as trial's
   * still see every record.
   */
  quiet?: boolean;
}

/** The records captured by {@linkcode captureLogs}, until it is stopped. */
export interface LogCapture extends Disposable {
  /** Every record captured so far, oldest first. */
  readonly records: LogRecord[];
  /** The formatted messages captured so far. */
  messages(): string[];
  /** Stops capturing (and un-silences handlers). Calling it again does nothing. */
  stop(): void;
}

/**
 * Starts capturing log records; stop with `stop()` or a `using` declaration.
 *
 * @example Usage
 * ```ts
 * import { captureLogs, getLogger } from "@spindle/spindle/log";
 * {
 *   using logs = captureLogs({ namespace: "demo" });
 *   getLogger("demo.sub").warn("disk at {pct}%", { pct: 91 });
 *   console.assert(logs.messages()[0] === "disk at 91%");
 * }
 * ```
 */
export function captureLogs(options: CaptureLogsOptions = {}): LogCapture {
  const records: LogRecord[] = [];
  const minimum = LogLevels[options.level ?? "debug"];
  const prefix = options.namespace;
  const quiet = options.quiet ?? true;
  const remove = addLogObserver((record) => {
    if (LogLevels[record.level] < minimum) return;
    if (
      prefix !== undefined && record.namespace !== prefix &&
      !record.namespace.startsWith(prefix + ".")
    ) return;
    records.push(record);
  }, { level: options.level ?? "debug" });
  if (quiet) adjustQuiet(1);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    remove();
    if (quiet) adjustQuiet(-1);
  };
  return {
    records,
    messages: () => records.map((record) => record.message),
    stop,
    [Symbol.dispose]: stop,
  };
}
