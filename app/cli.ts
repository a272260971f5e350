/**
 * The `spindle` command (Twisted's `twistd`): runs a module that exports an
 * `application`, or a built-in command such as `web` or `echo`, with pid file,
 * logging, workers, daemon mode and graceful shutdown.
 *
 * ```sh
 * deno task spindle run examples/app.ts --port 8080
 * deno task spindle web --listen tcp:8080 --path ./public --workers 4
 * deno task spindle echo --listen tcp:7000:interface=127.0.0.1 --log-format json
 * deno task spindle --help
 * ```
 *
 * One path for every command line: parse the common options and find the
 * command, load its module (only that one), validate its options, then serve
 * in this process, as workers or as a daemon.
 *
 * Exit status: 0 after a clean stop, 1 when the server failed (to start, to
 * stop, pid file taken), 2 for a bad command line.
 *
 * @module
 */
import { getLogger } from "../log/mod.ts";
import { EndpointDescriptionError } from "../reactor/endpoints/errors.ts";
import { UsageError } from "./options.ts";
import { loadCommand, loadPluginModule } from "./_runner/commands.ts";
import { COMMON_OPTIONS } from "./_runner/common_options.ts";
import { mainHelp, pluginHelp } from "./_runner/help.ts";
import { parseInvocation } from "./_runner/invocation.ts";
import { parseOptions } from "./_runner/parse_options.ts";
import { printable } from "./_runner/printable.ts";
import { VERSION } from "./_runner/version.ts";

const log = getLogger("spindle.runner");

/**
 * Runs the `spindle` command line `args` and resolves to the exit status.
 *
 * @example Usage
 * ```ts ignore
 * import { main } from "@spindle/spindle/app/cli";
 * Deno.exit(await main(["echo", "--listen", "tcp:7000"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let command: string | undefined;
  try {
    const head = parseOptions(args, COMMON_OPTIONS, { stopAtPositional: true });
    const extra = typeof head.values.plugin === "string"
      ? await loadPluginModule(head.values.plugin)
      : undefined;
    const [name, ...rest] = head.positionals;
    if (head.values.version) {
      console.log(`spindle ${VERSION} (deno ${Deno.version.deno})`);
      return 0;
    }
    if (name === undefined) {
      if (!head.values.help) throw new UsageError("no command given");
      console.log(mainHelp(extra));
      return 0;
    }
    const loaded = await loadCommand(name, extra);
    command = name;
    if ("tool" in loaded) {
      return await loaded.tool(head.values.help ? ["--help", ...rest] : rest);
    }
    const invocation = parseInvocation(loaded.plugin, head.values, rest);
    if (invocation.common.help) {
      console.log(pluginHelp(loaded.plugin));
      return 0;
    }
    const { start } = await import("./_runner/start.ts");
    return await start(invocation);
  } catch (error) {
    return failed(error, command);
  }
}

/** Prints a usage error on one line (status 2); logs any other failure (status 1). */
function failed(error: unknown, command: string | undefined): number {
  if (
    error instanceof UsageError || error instanceof EndpointDescriptionError
  ) {
    const help = command ? `spindle ${command} --help` : "spindle --help";
    console.error(`spindle: ${printable(error.message)} (see '${help}')`);
    return 2;
  }
  log.critical("spindle failed: {error}", { error });
  return 1;
}

if (import.meta.main) {
  const code = await main(Deno.args);
  Deno.exit(code);
}
