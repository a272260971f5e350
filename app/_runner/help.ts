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

/** The endpoint-string grammar, for commands that take endpoint options. */
const ENDPOINT_HELP = [
  "Endpoint strings (kind:value:name=value:..., a backslash escapes : = \\):",
  "  tcp:PORT[:interface=HOST][:backlog=N]",
  "  tls:PORT:privateKey=KEY.pem[:certKey=CERT.pem][:interface=HOST][:alpn=P1,P2][:handshakeTimeout=SECONDS]",
  "  unix:PATH[:mode=0660]",
  "  udp:PORT[:interface=HOST][:maxPacketSize=BYTES]",
  "  haproxy:ENDPOINT[:trusted=CIDR,CIDR]  the PROXY protocol (v1/v2) in front of a stream endpoint;",
  "    the client's real address comes from the header, sent only by trusted sources (default loopback)",
  "  PORT 0 picks a free port; without interface= a server listens on every",
  "  interface (0.0.0.0): give interface=127.0.0.1 to stay on loopback.",
  "  Durations are in seconds (2.5 is 2500 ms).",
  "",
];

/** A command's help: its usage, its own options, the common ones. */
export function pluginHelp(plugin: Plugin): string {
  const endpoints = (plugin.endpointOptions ?? []).length > 0;
  return [
    `spindle ${plugin.name}: ${plugin.description}`,
    "",
    usageLine(plugin),
    "",
    ...(plugin.options.length > 0
      ? [`Options of ${plugin.name}:`, formatOptionsHelp(plugin.options), ""]
      : []),
    ...(endpoints ? ENDPOINT_HELP : []),
    "Common options:",
    formatOptionsHelp(COMMON_OPTIONS),
  ].join("\n");
}
