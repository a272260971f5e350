/**
 * A handler that writes to stderr (or stdout), coloured on a terminal.
 *
 * @module
 */
import { BaseHandler, type BaseHandlerOptions } from "./handler.ts";
import type { LogLevelName } from "./levels.ts";
import type { LogRecord } from "./record.ts";
import { textFormatter } from "./formatters.ts";

/** Options for {@linkcode ConsoleHandler}. */
export interface ConsoleHandlerOptions extends BaseHandlerOptions {
  /** Where to write; default `"stderr"` (stdout stays free for program output). */
  stream?: "stderr" | "stdout";
  /**
   * Colour the level of text lines; default: when the stream is a terminal and
   * `NO_COLOR` is not set. JSON lines are never coloured.
   */
  colors?: boolean;
}

const COLORS: Record<LogLevelName, string> = {
  debug: "\x1b[2m",
  info: "\x1b[34m",
  warn: "\x1b[33m",
  error: "\x1b[31m",
  critical: "\x1b[1;31m",
};

const encoder = new TextEncoder();

function writeAll(stream: typeof Deno.stderr, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    offset += stream.writeSync(bytes.subarray(offset));
  }
}

/**
 * Writes each record as a line on stderr (default) or stdout, synchronously,
 * so lines keep their order and none is lost when the process exits.
 *
 * @example Usage
 * ```ts
 * import { ConsoleHandler, jsonFormatter, setup } from "@spindle/spindle/log";
 * setup({ handlers: { console: new ConsoleHandler({ formatter: jsonFormatter }) } });
 * setup(); // back to the default
 * ```
 */
export class ConsoleHandler extends BaseHandler {
  #stream: typeof Deno.stderr;
  #colors: boolean;

  /** Creates the handler. */
  constructor(options: ConsoleHandlerOptions = {}) {
    super(options);
    this.#stream = options.stream === "stdout" ? Deno.stdout : Deno.stderr;
    this.#colors = options.colors ??
      (!Deno.noColor && this.#stream.isTerminal());
  }

  /** Formats `record`, colouring the level tag of text lines on a terminal. */
  override format(record: LogRecord): string {
    const line = this.formatter(record);
    if (!this.#colors || this.formatter !== textFormatter) return line;
    const tag = `[${record.namespace}#${record.level}]`;
    return line.replace(tag, `${COLORS[record.level]}${tag}\x1b[0m`);
  }

  /** Writes `line` and a newline. */
  write(line: string): void {
    try {
      writeAll(this.#stream, encoder.encode(line + "\n"));
    } catch {
      // A closed stderr (broken pipe) must not turn logging into a crash.
    }
  }
}
