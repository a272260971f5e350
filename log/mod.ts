/**
 * Spindle's structured logger, shaped like the former `@std/log`:
 * {@linkcode getLogger} per namespace, levels `debug` to `critical`, `{field}`
 * placeholders filled from structured fields, console / file / size-rotated
 * file handlers, text and JSON-lines formats, level filtering per namespace
 * with {@linkcode setup}, observers that see every record
 * ({@linkcode addLogObserver}) and {@linkcode captureLogs} for tests.
 *
 * With no configuration, `info` and above go to stderr.
 *
 * This module imports nothing else from Spindle, so every other part can log.
 *
 * @example Usage
 * ```ts
 * import { captureLogs, getLogger } from "@spindle/spindle/log";
 * const log = getLogger("myapp");
 * // As a test would; without the capture, the line goes to stderr.
 * using logs = captureLogs();
 * log.info("listening on {host}:{port}", { host: "127.0.0.1", port: 8080 });
 * console.assert(logs.messages()[0] === "listening on 127.0.0.1:8080");
 * try {
 *   JSON.parse("{");
 * } catch (error) {
 *   log.debug("bad input", { error });
 * }
 * ```
 *
 * @module
 */
export * from "./levels.ts";
export * from "./record.ts";
export * from "./formatters.ts";
export * from "./handler.ts";
export * from "./console_handler.ts";
export * from "./file_handler.ts";
export * from "./rotating_file_handler.ts";
export {
  addLogObserver,
  flushLogHandlers,
  getLogger,
  Logger,
  type LoggerConfig,
  type LogObserver,
  type LogObserverOptions,
  type LogSetup,
  reopenLogHandlers,
  setup,
} from "./logger.ts";
export * from "./capture.ts";
