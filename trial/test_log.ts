/**
 * The log of one trial test: kept off the console while the test runs, and
 * shown only when the test fails (Twisted's trial writes it to `test.log`).
 *
 * @module
 */
import { type LogRecord, textFormatter } from "../log/mod.ts";
import { divertDefaultConsole } from "../log/logger.ts";

/** The records a test sent to the default console, while it is being kept. */
export interface TestLog {
  /** The records kept so far, formatted as the console would print them. */
  lines(): string[];
  /** Stops keeping records and gives the console back. */
  stop(): void;
}

/**
 * Starts keeping the records the default console handler would print (so a
 * passing test prints nothing); handlers a test sets up itself still write.
 */
export function startTestLog(): TestLog {
  const records: LogRecord[] = [];
  const restore = divertDefaultConsole((record) => records.push(record));
  let stopped = false;
  return {
    lines: () => records.map((record) => textFormatter(record)),
    stop() {
      if (stopped) return;
      stopped = true;
      restore();
    },
  };
}
