/**
 * Log levels: their names, their order, and parsing them from user input.
 *
 * @module
 */

/** The name of a log level, from least to most severe. */
export type LogLevelName = "debug" | "info" | "warn" | "error" | "critical";

/**
 * The severity of each level as a number: a record passes a level filter when
 * its number is at least the filter's.
 *
 * @example Usage
 * ```ts
 * import { LogLevels } from "@spindle/spindle/log";
 * console.assert(LogLevels.error > LogLevels.warn);
 * ```
 */
export const LogLevels: Readonly<Record<LogLevelName, number>> = Object.freeze(
  {
    debug: 10,
    info: 20,
    warn: 30,
    error: 40,
    critical: 50,
  },
);

/** Thrown by {@linkcode parseLogLevel} for a name that is not a log level. */
export class UnknownLogLevelError extends Error {
  /** Creates the error for the rejected `name`. */
  constructor(name: string) {
    super(
      `Unknown log level "${name}": use one of debug, info, warn, error, critical`,
    );
    this.name = "UnknownLogLevelError";
  }
}

/**
 * Parses a level name, case-insensitively; `"warning"` is accepted for
 * `"warn"` (Python's spelling).
 *
 * @example Usage
 * ```ts
 * import { parseLogLevel } from "@spindle/spindle/log";
 * console.assert(parseLogLevel("WARNING") === "warn");
 * ```
 *
 * @throws {UnknownLogLevelError} When `name` is not a level.
 */
export function parseLogLevel(name: string): LogLevelName {
  const lower = name.toLowerCase();
  if (lower === "warning") return "warn";
  if (Object.hasOwn(LogLevels, lower)) return lower as LogLevelName;
  throw new UnknownLogLevelError(name);
}
