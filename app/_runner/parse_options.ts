// The runner's command-line parser: small and strict (unknown options are
// errors), and the help text generated from the same option descriptions.
import { type OptionSpec, type OptionValues, UsageError } from "../options.ts";

/** The parsed values: by option name, plus the positional arguments. */
export interface ParsedOptions {
  /** Each option's value (its default when not given; absent if it has none). */
  values: OptionValues;
  /** Arguments that are not options, in order. */
  positionals: string[];
}

function convert(spec: OptionSpec, raw: string): string | number {
  if (spec.type !== "number") return raw;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) {
    throw new UsageError(`--${spec.name} needs a number, got "${raw}"`);
  }
  return value;
}

/**
 * Parses `args` against `specs`: `--name value`, `--name=value`, `-n value`,
 * boolean `--flag`, and `--` to end the options. With `stopAtPositional`,
 * parsing stops at the first positional argument and the rest are returned
 * unparsed (the runner uses it to find the command).
 *
 * @throws {UsageError} On an unknown option, a missing value or a bad number.
 */
export function parseOptions(
  args: readonly string[],
  specs: readonly OptionSpec[],
  options: { stopAtPositional?: boolean } = {},
): ParsedOptions {
  const values: OptionValues = {};
  for (const spec of specs) {
    if (spec.repeatable) values[spec.name] = [];
    else if (spec.default !== undefined) values[spec.name] = spec.default;
  }
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (options.stopAtPositional) {
        positionals.push(...args.slice(i));
        break;
      }
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const body = long ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf("=");
    const key = eq === -1 ? body : body.slice(0, eq);
    const spec = specs.find((s) => long ? s.name === key : s.short === key);
    if (spec === undefined) throw new UsageError(`unknown option ${arg}`);
    if (spec.type === "boolean") {
      if (eq !== -1) {
        throw new UsageError(`--${spec.name} takes no value`);
      }
      values[spec.name] = true;
      continue;
    }
    let raw: string;
    if (eq !== -1) {
      raw = body.slice(eq + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined) {
        throw new UsageError(`--${spec.name} needs a value`);
      }
      raw = next;
      i++;
    }
    const value = convert(spec, raw);
    const list = values[spec.name];
    if (spec.repeatable && Array.isArray(list)) list.push(String(value));
    else values[spec.name] = value;
  }
  return { values, positionals };
}

/**
 * Formats `specs` as the options part of a `--help` text, one per line.
 */
export function formatOptionsHelp(specs: readonly OptionSpec[]): string {
  const rows = specs.map((spec) => {
    const value = spec.type === "boolean"
      ? ""
      : ` ${spec.valueName ?? spec.type?.toUpperCase() ?? "STRING"}`;
    const short = spec.short ? `-${spec.short}, ` : "    ";
    const left = `  ${short}--${spec.name}${value}`;
    const suffix = spec.repeatable
      ? " (repeatable)"
      : spec.default !== undefined && spec.type !== "boolean"
      ? ` (default: ${spec.default})`
      : "";
    return [left, spec.description + suffix] as const;
  });
  const width = Math.max(0, ...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => left.padEnd(width) + right).join("\n");
}
