// The texts of `spindle --help` and `spindle <command> --help`.
import type { Plugin } from "../plugin.ts";
import { BUILTIN_COMMANDS } from "./commands.ts";
import { COMMON_OPTIONS } from "./common_options.ts";
import { formatOptionsHelp } from "./parse_options.ts";

function usageLine(plugin?: Plugin): string {
  if (plugin === undefined) {
    return "Usage: spindle [options] <command> [command options]";
  }
  return `Usage: spindle ${plugin.name} [options]${
    plugin.usage ? ` ${plugin.usage}` : ""
  }`;
}

/** The runner's help: the commands (and the `--plugin` one), the common options. */
export function mainHelp(extra: Plugin | undefined): string {
  const commands = extra === undefined
    ? BUILTIN_COMMANDS
    : [...BUILTIN_COMMANDS, extra];
  const width = Math.max(...commands.map((c) => c.name.length)) + 4;
  return [
    "spindle: run Spindle servers",
    "",
    usageLine(),
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.description}`),
    "",
    "Options (accepted before or after the command):",
    formatOptionsHelp(COMMON_OPTIONS),
    "",
    "Run 'spindle <command> --help' for a command's own options.",
  ].join("\n");
}

/** A command's help: its usage, its own options, the common ones. */
export function pluginHelp(plugin: Plugin): string {
  return [
    `spindle ${plugin.name}: ${plugin.description}`,
    "",
    usageLine(plugin),
    "",
    ...(plugin.options.length > 0
      ? [`Options of ${plugin.name}:`, formatOptionsHelp(plugin.options), ""]
      : []),
    "Common options:",
    formatOptionsHelp(COMMON_OPTIONS),
  ].join("\n");
}
