/**
 * Loggers, their namespace-based configuration, and log observers.
 *
 * @module
 */
import { type LogLevelName, LogLevels } from "./levels.ts";
import { formatMessage, type LogRecord } from "./record.ts";
import type { LogHandler } from "./handler.ts";
import { ConsoleHandler } from "./console_handler.ts";

/** A function that sees log records; see {@linkcode addLogObserver}. */
export type LogObserver = (record: LogRecord) => void;

/** Options for {@linkcode addLogObserver}. */
export interface LogObserverOptions {
  /** The least severe level the observer sees; default `"debug"` (everything). */
  level?: LogLevelName;
}

/** The configuration of one namespace in {@linkcode setup}. */
export interface LoggerConfig {
  /** The least severe level logged in this namespace and below it. */
  level?: LogLevelName;
  /** Names of handlers (keys of `LogSetup.handlers`); default: inherited from the parent namespace. */
  handlers?: string[];
}

/** The whole logging configuration, shaped like the former `@std/log` `setup`. */
export interface LogSetup {
  /** Named handlers; default `{ console: new ConsoleHandler() }`. */
  handlers?: Record<string, LogHandler>;
  /**
   * Configuration per namespace. A namespace inherits from its dotted parents
   * (`spindle.http.server` from `spindle.http`, then `spindle`), and all from
   * `default`, which is `{ level: "info", handlers: <every handler> }` unless
   * given.
   */
  loggers?: Record<string, LoggerConfig>;
}

interface ObserverEntry {
  observer: LogObserver;
  level: number;
}

interface Resolved {
  generation: number;
  level: number;
  handlers: LogHandler[];
}

interface LoggingState {
  generation: number;
  handlers: Record<string, LogHandler>;
  loggers: Record<string, LoggerConfig>;
  observers: ObserverEntry[];
  minObserverLevel: number;
  quiet: number;
  /** The console handler `setup()` made itself (no handlers given), if any. */
  defaultConsole?: LogHandler;
  /** Where the records meant for `defaultConsole` go instead, while set. */
  defaultConsoleDivert?: (record: LogRecord) => void;
  loggerCache: Map<string, Logger>;
}

// Shared through globalThis so that two copies of this module in one process
// (a local path and a published version) still log to one place and trial
// still sees every error.
const STATE_KEY = Symbol.for("spindle.logger.state");
const NO_OBSERVER = Number.POSITIVE_INFINITY;

function state(): LoggingState {
  const global = globalThis as unknown as Record<symbol, LoggingState>;
  let current = global[STATE_KEY];
  if (current === undefined) {
    current = {
      generation: 0,
      handlers: {},
      loggers: {},
      observers: [],
      minObserverLevel: NO_OBSERVER,
      quiet: 0,
      loggerCache: new Map(),
    };
    global[STATE_KEY] = current;
    applySetup(current, {});
  }
  return current;
}

function applySetup(s: LoggingState, config: LogSetup): void {
  const handlers = config.handlers ?? { console: new ConsoleHandler() };
  s.defaultConsole = config.handlers === undefined
    ? handlers.console
    : undefined;
  for (const [name, old] of Object.entries(s.handlers)) {
    if (!Object.values(handlers).includes(old)) {
      try {
        old.close?.();
      } catch (error) {
        console.error(`spindle: closing log handler ${name} failed:`, error);
      }
    }
  }
  const loggers = { ...config.loggers };
  for (const [namespace, logger] of Object.entries(loggers)) {
    for (const name of logger.handlers ?? []) {
      if (!Object.hasOwn(handlers, name)) {
        throw new RangeError(
          `Logger "${namespace}" names the handler "${name}", which setup() was not given: add it to handlers`,
        );
      }
    }
  }
  loggers.default = {
    level: loggers.default?.level ?? "info",
    handlers: loggers.default?.handlers ?? Object.keys(handlers),
  };
  s.handlers = handlers;
  s.loggers = loggers;
  s.generation++;
}

/**
 * Replaces the logging configuration: which handlers exist and which level
 * and handlers each namespace uses. Handlers of the previous configuration
 * that are not reused are closed. `setup()` with no argument restores the
 * default: `info` and above to the console (stderr).
 *
 * @example Usage
 * ```ts
 * import { ConsoleHandler, setup } from "@spindle/spindle/log";
 * setup({
 *   handlers: { console: new ConsoleHandler() },
 *   loggers: { "spindle.http": { level: "warn" } },
 * });
 * setup();
 * ```
 *
 * @throws {RangeError} When a logger names a handler that is not configured.
 */
export function setup(config: LogSetup = {}): void {
  applySetup(state(), config);
}

/**
 * Reopens every configured handler's destination; the CLI calls it on SIGHUP
 * so that logrotate can move log files away.
 *
 * @example Usage
 * ```ts
 * import { reopenLogHandlers } from "@spindle/spindle/log";
 * reopenLogHandlers();
 * ```
 */
export function reopenLogHandlers(): void {
  for (const handler of Object.values(state().handlers)) handler.reopen?.();
}

/**
 * Flushes every configured handler (before the process exits).
 *
 * @example Usage
 * ```ts
 * import { flushLogHandlers } from "@spindle/spindle/log";
 * flushLogHandlers();
 * ```
 */
export function flushLogHandlers(): void {
  for (const handler of Object.values(state().handlers)) handler.flush?.();
}

function recomputeObserverLevel(s: LoggingState): void {
  s.minObserverLevel = Math.min(
    NO_OBSERVER,
    ...s.observers.map((entry) => entry.level),
  );
}

/**
 * Adds a function that sees every record (of `options.level` and above) from
 * every logger, whatever the namespaces' levels and handlers are. Returns the
 * function that removes it. Trial uses this to fail tests that log errors.
 *
 * @example Usage
 * ```ts
 * import { addLogObserver, getLogger, type LogRecord } from "@spindle/spindle/log";
 * const seen: LogRecord[] = [];
 * const remove = addLogObserver((record) => seen.push(record), { level: "debug" });
 * getLogger("demo").debug("tick {n}", { n: 1 });
 * remove();
 * console.assert(seen[0]?.message === "tick 1");
 * ```
 */
export function addLogObserver(
  observer: LogObserver,
  options: LogObserverOptions = {},
): () => void {
  const s = state();
  const entry: ObserverEntry = {
    observer,
    level: LogLevels[options.level ?? "debug"],
  };
  s.observers.push(entry);
  recomputeObserverLevel(s);
  return () => {
    const index = s.observers.indexOf(entry);
    if (index === -1) return;
    s.observers.splice(index, 1);
    recomputeObserverLevel(s);
  };
}

/** @internal Lets captures silence handlers while they run. */
export function adjustQuiet(delta: number): void {
  state().quiet += delta;
}

/**
 * @internal Lets trial keep a test's log off the console: while a divert is
 * set, the records the default console handler (the one `setup()` makes when
 * given no handlers) would write go to `divert` instead. Handlers a test
 * configures itself still write. Returns the function that ends the divert.
 */
export function divertDefaultConsole(
  divert: (record: LogRecord) => void,
): () => void {
  const s = state();
  const previous = s.defaultConsoleDivert;
  s.defaultConsoleDivert = divert;
  return () => {
    s.defaultConsoleDivert = previous;
  };
}

function parents(namespace: string): string[] {
  const out: string[] = [];
  let current = namespace;
  while (current !== "") {
    out.push(current);
    const dot = current.lastIndexOf(".");
    current = dot === -1 ? "" : current.slice(0, dot);
  }
  out.push("default");
  return out;
}

/**
 * Logs records under one namespace. Get one with {@linkcode getLogger}.
 *
 * @example Usage
 * ```ts
 * import { getLogger } from "@spindle/spindle/log";
 * const log = getLogger("demo");
 * log.debug("accepted {peer}", { peer: "127.0.0.1:5000" });
 * ```
 */
export class Logger {
  /** The dotted namespace, such as `"spindle.http"`. */
  readonly namespace: string;
  #resolved: Resolved = { generation: -1, level: 0, handlers: [] };

  /** Creates a logger; prefer {@linkcode getLogger}, which reuses them. */
  constructor(namespace: string) {
    this.namespace = namespace;
  }

  #resolve(s: LoggingState): Resolved {
    if (this.#resolved.generation === s.generation) return this.#resolved;
    let level: LogLevelName | undefined;
    let handlerNames: string[] | undefined;
    for (const name of parents(this.namespace)) {
      const config = s.loggers[name];
      if (config === undefined) continue;
      level ??= config.level;
      handlerNames ??= config.handlers;
    }
    this.#resolved = {
      generation: s.generation,
      level: LogLevels[level ?? "info"],
      handlers: (handlerNames ?? []).map((name) => s.handlers[name]!),
    };
    return this.#resolved;
  }

  /** Whether a record of `level` would reach a handler or an observer. */
  isEnabledFor(level: LogLevelName): boolean {
    const s = state();
    const n = LogLevels[level];
    return n >= s.minObserverLevel || n >= this.#resolve(s).level;
  }

  /** Logs at `level`: `{name}` in `format` is replaced by `fields.name`. */
  log(
    level: LogLevelName,
    format: string,
    fields: Record<string, unknown> = {},
  ): void {
    const s = state();
    const n = LogLevels[level];
    const resolved = this.#resolve(s);
    const toHandlers = n >= resolved.level && s.quiet === 0 &&
      resolved.handlers.length > 0;
    const toObservers = n >= s.minObserverLevel;
    if (!toHandlers && !toObservers) return;
    const record: LogRecord = {
      time: new Date(),
      level,
      namespace: this.namespace,
      format,
      message: formatMessage(format, fields),
      fields,
    };
    if (toObservers) {
      for (const entry of [...s.observers]) {
        if (n < entry.level) continue;
        try {
          entry.observer(record);
        } catch (error) {
          console.error("spindle: a log observer threw:", error);
        }
      }
    }
    if (toHandlers) {
      const divert = s.defaultConsoleDivert;
      for (const handler of resolved.handlers) {
        if (divert !== undefined && handler === s.defaultConsole) {
          divert(record);
          continue;
        }
        try {
          handler.handle(record);
        } catch (error) {
          console.error("spindle: a log handler threw:", error);
        }
      }
    }
  }

  /** Logs detail useful when debugging. */
  debug(format: string, fields?: Record<string, unknown>): void {
    this.log("debug", format, fields);
  }

  /** Logs a normal event. */
  info(format: string, fields?: Record<string, unknown>): void {
    this.log("info", format, fields);
  }

  /** Logs something unexpected that was handled. */
  warn(format: string, fields?: Record<string, unknown>): void {
    this.log("warn", format, fields);
  }

  /** Logs a failure; put the thrown value in `fields.error`. */
  error(format: string, fields?: Record<string, unknown>): void {
    this.log("error", format, fields);
  }

  /** Logs a failure that stops the program or a large part of it. */
  critical(format: string, fields?: Record<string, unknown>): void {
    this.log("critical", format, fields);
  }
}

/**
 * Returns the logger for `namespace` (the same object for the same name).
 * Spindle's own namespaces start with `spindle.` (`spindle.http`,
 * `spindle.deferred`, ...).
 *
 * @example Usage
 * ```ts
 * import { getLogger } from "@spindle/spindle/log";
 * const log = getLogger("myapp.db");
 * log.debug("connected to {host}", { host: "localhost" });
 * console.assert(getLogger("myapp.db") === log);
 * ```
 */
export function getLogger(namespace: string): Logger {
  const cache = state().loggerCache;
  let logger = cache.get(namespace);
  if (logger === undefined) {
    logger = new Logger(namespace);
    cache.set(namespace, logger);
  }
  return logger;
}
