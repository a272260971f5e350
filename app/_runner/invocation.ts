// A command line split into the common options, the command's own and its
// positional arguments, and rebuilt for the copies of the runner that it
// starts (workers, the daemon).
import type { OptionSpec, OptionValues } from "../options.ts";
import type { Plugin } from "../plugin.ts";
import { COMMON_OPTIONS } from "./common_options.ts";
import { parseOptions } from "./parse_options.ts";

/** A plugin's command line, parsed. */
export interface Invocation {
  /** The plugin that runs. */
  plugin: Plugin;
  /** The `--plugin` module it came from, if it is not built in. */
  module: string | undefined;
  /** The common options' values. */
  common: OptionValues;
  /** The plugin's own options' values, defaults filled in. */
  own: OptionValues;
  /** Positional arguments after the command. */
  positionals: string[];
}

const COMMON_NAMES = new Set(COMMON_OPTIONS.map((o) => o.name));
// After the command, a common option given again overrides the one before;
// without defaults here, one not given again keeps its first value.
const COMMON_AFTER = COMMON_OPTIONS.map((o) => ({ ...o, default: undefined }));

/**
 * Parses `rest`, what follows the command, on top of the common options
 * `head` given before it.
 *
 * @throws {UsageError} On an unknown option, a missing value or a bad number.
 */
export function parseInvocation(
  plugin: Plugin,
  head: OptionValues,
  rest: string[],
): Invocation {
  const tail = parseOptions(rest, [
    ...COMMON_AFTER,
    ...plugin.options.filter((o) => !COMMON_NAMES.has(o.name)),
  ]);
  const common: OptionValues = { ...head };
  const own: OptionValues = {};
  for (const spec of plugin.options) own[spec.name] = spec.default;
  for (const [name, value] of Object.entries(tail.values)) {
    if (value === undefined) continue;
    if (COMMON_NAMES.has(name)) common[name] = value;
    else own[name] = value;
  }
  const module = typeof head.plugin === "string" ? head.plugin : undefined;
  return { plugin, module, common, own, positionals: tail.positionals };
}

/**
 * The command line that runs `invocation` again, without the common options
 * named in `drop`.
 */
export function rebuildArgs(
  invocation: Invocation,
  drop: readonly string[],
): string[] {
  const { plugin, module, common, own, positionals } = invocation;
  // A plugin module must be loaded before its command is looked up.
  const args = module === undefined
    ? [plugin.name]
    : [`--plugin=${module}`, plugin.name];
  const kept = COMMON_OPTIONS.filter((spec) =>
    spec.name !== "plugin" && !drop.includes(spec.name)
  );
  const groups: [readonly OptionSpec[], OptionValues][] = [
    [kept, common],
    [plugin.options, own],
  ];
  for (const [specs, values] of groups) {
    for (const spec of specs) {
      const value = values[spec.name];
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        for (const item of value) args.push(`--${spec.name}=${item}`);
      } else if (spec.type !== "boolean") args.push(`--${spec.name}=${value}`);
      else if (value === true) args.push(`--${spec.name}`);
    }
  }
  // After `--`, so that a module's own arguments are not taken for options.
  return [...args, "--", ...positionals];
}
