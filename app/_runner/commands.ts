// The commands the `spindle` runner knows without `--plugin`. Each built-in
// is loaded only when its command is used, through a literal import() that
// `deno compile` still bundles; its one-line description lives here so that
// `spindle --help` loads none of them.
import { UsageError } from "../options.ts";
import type { Plugin } from "../plugin.ts";
import { loadModule } from "./load_module.ts";
import { runPlugin } from "./run_plugin.ts";

/** A command that builds no service: it runs and resolves to an exit status. */
export type Tool = (args: string[]) => Promise<number>;

/** A command, loaded: a plugin to serve, or a tool to run. */
export type Command = { plugin: Plugin } | { tool: Tool };

/** A built-in command, before it is loaded. */
export interface BuiltinCommand {
  /** The command name. */
  name: string;
  /** One line for `spindle --help`; a plugin's own description says the same. */
  description: string;
  /** Loads the command's module. */
  load(): Promise<Command>;
}

/** The built-in commands, in help order. */
export const BUILTIN_COMMANDS: readonly BuiltinCommand[] = [
  {
    name: runPlugin.name,
    description: runPlugin.description,
    load: () => Promise.resolve({ plugin: runPlugin }),
  },
  {
    name: "demo",
    description:
      "serve a demo of every protocol on loopback, with a landing page of commands to try",
    load: async () => ({ plugin: (await import("../demo/plugin.ts")).plugin }),
  },
  {
    name: "dns",
    description:
      "an authoritative DNS server for zone files (UDP and TCP on one port)",
    load: async () => ({
      plugin: (await import("../../protocols/dns/plugin.ts")).plugin,
    }),
  },
  {
    name: "echo",
    description: "an echo server: sends every byte back",
    load: async () => ({
      plugin: (await import("../../protocols/wire/plugin.ts")).plugin,
    }),
  },
  {
    name: "finger",
    description: "a finger server (RFC 1288) for a folder of plan files",
    load: async () => ({
      plugin: (await import("../../protocols/finger/plugin.ts")).plugin,
    }),
  },
  {
    name: "ftp",
    description:
      "an FTP server for a folder (users from the user file, or anonymous read-only)",
    load: async () => ({
      plugin: (await import("../../protocols/ftp/plugin.ts")).plugin,
    }),
  },
  {
    name: "inetd",
    description:
      "the small inetd services over TCP and UDP: echo, discard, chargen, daytime, time, qotd",
    load: async () => ({
      plugin: (await import("../../protocols/wire/plugin.ts")).inetdPlugin,
    }),
  },
  {
    name: "irc",
    description: "an IRC server (channels, CAP, SASL against a user file)",
    load: async () => ({
      plugin: (await import("../../protocols/irc/plugin.ts")).plugin,
    }),
  },
  {
    name: "mail",
    description:
      "a mail server: SMTP in, POP3 and IMAP out, one maildir per user",
    load: async () => ({
      plugin: (await import("../../protocols/smtp/plugin.ts")).plugin,
    }),
  },
  {
    name: "passwd",
    description:
      "print a user-file line NAME:$pbkdf2-sha256$... for the password on stdin",
    load: async () => ({
      tool: (await import("../../cred/passwd_command.ts")).passwdCommand,
    }),
  },
  {
    name: "portforward",
    description:
      "relay every TCP connection to a target (backpressure, half-close)",
    load: async () => ({
      plugin: (await import("../../protocols/portforward/plugin.ts")).plugin,
    }),
  },
  {
    name: "socks",
    description: "a SOCKS 4/4a/5 proxy with destination rules and logins",
    load: async () => ({
      plugin: (await import("../../protocols/socks/plugin.ts")).plugin,
    }),
  },
  {
    name: "ssh",
    description: "an SSH server: shell commands, SFTP and port forwarding",
    load: async () => ({
      plugin: (await import("../../protocols/ssh/plugin.ts")).plugin,
    }),
  },
  {
    name: "web",
    description: "serve static files over HTTP",
    load: async () => ({
      plugin: (await import("../../protocols/http/plugin.ts")).plugin,
    }),
  },
];

function isPlugin(value: unknown): value is Plugin {
  const plugin = value as Partial<Plugin> | undefined;
  return typeof plugin?.name === "string" &&
    typeof plugin.validate === "function" &&
    typeof plugin.makeService === "function";
}

/**
 * Loads the module of `spindle --plugin MODULE` and returns its `plugin`.
 *
 * @throws {UsageError} When it cannot be loaded, exports no plugin, or takes a built-in's name.
 */
export async function loadPluginModule(specifier: string): Promise<Plugin> {
  const { plugin } = await loadModule(specifier);
  if (!isPlugin(plugin)) {
    throw new UsageError(`${specifier} does not export a spindle \`plugin\``);
  }
  if (BUILTIN_COMMANDS.some((command) => command.name === plugin.name)) {
    throw new UsageError(
      `${specifier} exports a plugin named "${plugin.name}", which is a built-in command: give it another name`,
    );
  }
  return plugin;
}

/**
 * Loads the command `name`: a built-in, or the `--plugin` one.
 *
 * @throws {UsageError} When there is no such command.
 */
export async function loadCommand(
  name: string,
  extra: Plugin | undefined,
): Promise<Command> {
  if (extra?.name === name) return { plugin: extra };
  const builtin = BUILTIN_COMMANDS.find((command) => command.name === name);
  if (builtin === undefined) throw new UsageError(`unknown command ${name}`);
  return await builtin.load();
}
