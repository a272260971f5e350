/**
 * Formatters turn a {@linkcode LogRecord} into one line of output (without the
 * line break): {@linkcode textFormatter} for people, {@linkcode jsonFormatter}
 * for machines (JSON lines).
 *
 * @module
 */
import type { LogRecord } from "./record.ts";

/** Turns a record into one line of text, without the trailing newline. */
export type LogFormatter = (record: LogRecord) => string;

function errorStack(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  return error.stack ?? `${error.name}: ${error.message}`;
}

/**
 * The human-readable format, modelled on Twisted's log lines:
 * `2026-01-02T03:04:05.678Z [spindle.http#info] accepted 127.0.0.1`. When
 * `fields.error` is an `Error` and the format does not mention `{error}`, its
 * stack follows on the next lines, so a crash is never logged without it.
 *
 * @example Usage
 * ```ts
 * import { textFormatter } from "@spindle/spindle/log";
 * const line = textFormatter({
 *   time: new Date(0), level: "info", namespace: "demo",
 *   format: "hi {who}", message: "hi you", fields: { who: "you" },
 * });
 * console.assert(line === "1970-01-01T00:00:00.000Z [demo#info] hi you");
 * ```
 */
export function textFormatter(record: LogRecord): string {
  const line =
    `${record.time.toISOString()} [${record.namespace}#${record.level}] ${record.message}`;
  const error = record.fields.error;
  if (error === undefined || record.format.includes("{error")) return line;
  const stack = errorStack(error);
  return stack === undefined ? line : `${line}\n${stack}`;
}

function jsonReplacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (_key, value) => {
    if (typeof value === "bigint") return value.toString();
    if (value instanceof Error) {
      const out: Record<string, unknown> = {
        name: value.name,
        message: value.message,
      };
      if (value.stack !== undefined) out.stack = value.stack;
      if (value.cause !== undefined) out.cause = value.cause;
      return out;
    }
    if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
    if (typeof value === "object" && value !== null) {
      if (seen.has(value)) return "[Circular]";
      seen.add(value);
    }
    if (typeof value === "function") return `[Function ${value.name}]`;
    if (typeof value === "symbol") return value.toString();
    return value;
  };
}

/**
 * The JSON-lines format: one JSON object per record with `time` (ISO 8601),
 * `level`, `namespace`, `message`, `format` and `fields`. Errors become
 * `{ name, message, stack }`, bigints strings, cycles `"[Circular]"`, so every
 * record serialises.
 *
 * @example Usage
 * ```ts
 * import { jsonFormatter } from "@spindle/spindle/log";
 * const line = jsonFormatter({
 *   time: new Date(0), level: "warn", namespace: "demo",
 *   format: "slow {ms}", message: "slow 900", fields: { ms: 900 },
 * });
 * console.assert(JSON.parse(line).fields.ms === 900);
 * ```
 */
export function jsonFormatter(record: LogRecord): string {
  return JSON.stringify(
    {
      time: record.time.toISOString(),
      level: record.level,
      namespace: record.namespace,
      message: record.message,
      format: record.format,
      fields: record.fields,
    },
    jsonReplacer(),
  );
}
