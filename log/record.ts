/**
 * The log record and the `{field}` message formatting.
 *
 * @module
 */
import type { LogLevelName } from "./levels.ts";

/** One logged event, as observers and handlers see it. */
export interface LogRecord {
  /** When the event was logged. */
  time: Date;
  /** How severe it is. */
  level: LogLevelName;
  /** The logger's namespace, such as `"spindle.http"`. */
  namespace: string;
  /** The format string as given, with its `{field}` placeholders. */
  format: string;
  /** The format with the placeholders replaced by the field values. */
  message: string;
  /** The structured fields; a logged error is in `fields.error`. */
  fields: Record<string, unknown>;
}

/**
 * Renders one field value for a human-readable message: strings as they are,
 * errors as `Name: message`, anything else as `Deno.inspect` shows it.
 *
 * @example Usage
 * ```ts
 * import { formatValue } from "@spindle/spindle/log";
 * console.assert(formatValue(new RangeError("too big")) === "RangeError: too big");
 * ```
 */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return Deno.inspect(value, { colors: false, depth: 4, compact: true });
}

function lookup(fields: Record<string, unknown>, path: string): {
  found: boolean;
  value?: unknown;
} {
  if (Object.hasOwn(fields, path)) return { found: true, value: fields[path] };
  // Dotted paths reach into objects: "{peer.hostname}".
  let value: unknown = fields;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || !(part in value)) {
      return { found: false };
    }
    value = (value as Record<string, unknown>)[part];
  }
  return { found: true, value };
}

/**
 * Replaces each `{name}` in `format` with `fields.name` (dotted paths such as
 * `{peer.port}` reach into objects). `{{` and `}}` stand for literal braces; a
 * placeholder with no matching field is left as it is, so a typo shows up in
 * the output instead of vanishing.
 *
 * @example Usage
 * ```ts
 * import { formatMessage } from "@spindle/spindle/log";
 * const text = formatMessage("accepted {peer.port} {{ok}}", { peer: { port: 80 } });
 * console.assert(text === "accepted 80 {ok}");
 * ```
 */
export function formatMessage(
  format: string,
  fields: Record<string, unknown>,
): string {
  if (!format.includes("{") && !format.includes("}")) return format;
  return format.replace(
    /\{\{|\}\}|\{([^{}]*)\}/g,
    (match: string, name: string | undefined) => {
      if (match === "{{") return "{";
      if (match === "}}") return "}";
      const { found, value } = lookup(fields, name ?? "");
      return found ? formatValue(value) : match;
    },
  );
}
