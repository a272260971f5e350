/**
 * The plugin contract of the `spindle` runner (Twisted's `IServiceMaker`):
 * each command such as `spindle web` or `spindle dns` is a plugin that checks
 * its command line once ({@linkcode Plugin.validate}) and then builds the
 * {@linkcode Service} to run from what that check produced
 * ({@linkcode Plugin.makeService}).
 *
 * @module
 */
import type { OptionSpec, OptionValues } from "./options.ts";
import type { Service } from "./service.ts";

/**
 * The command line a plugin's {@linkcode Plugin.validate} checks.
 *
 * @example Usage
 * ```ts
 * import type { PluginArguments } from "@spindle/spindle/app";
 * const input: PluginArguments = { options: { listen: "tcp:7000" }, args: [] };
 * console.assert(input.args.length === 0);
 * ```
 */
export interface PluginArguments {
  /** The plugin's own options, parsed, with their defaults filled in. */
  options: OptionValues;
  /** Positional arguments after the command. */
  args: string[];
}

/**
 * What {@linkcode Plugin.makeService} learns about the process it runs in.
 *
 * @example Usage
 * ```ts
 * import type { ServiceContext } from "@spindle/spindle/app";
 * const context: ServiceContext = { reusePort: false };
 * console.assert(!context.reusePort);
 * ```
 */
export interface ServiceContext {
  /**
   * Whether this process is one of several `--workers` sharing the port:
   * listeners must then bind with `reusePort`.
   */
  reusePort: boolean;
}

/**
 * A command of the `spindle` runner, with options of type `T` once
 * validated. The runner parses the command line against
 * {@linkcode Plugin.options}, calls {@linkcode Plugin.validate} (in every
 * process, and before a daemon detaches, so that mistakes reach the terminal),
 * then calls {@linkcode Plugin.makeService} once with its result. Whatever
 * `validate` loads (zone files, certificates) it returns in `T`, so nothing is
 * loaded twice.
 *
 * A module given to `spindle --plugin MODULE` exports its plugin as
 * `plugin`; a built-in one lives in its protocol's folder as
 * `protocols/<name>/plugin.ts`.
 *
 * @typeParam T The plugin's validated options.
 *
 * @example A plugin that greets each connection
 * ```ts
 * import {
 *   type Plugin,
 *   StreamServerEndpointService,
 *   UsageError,
 * } from "@spindle/spindle/app";
 *
 * interface GreetOptions {
 *   listen: string;
 *   greeting: string;
 * }
 *
 * export const plugin: Plugin<GreetOptions> = {
 *   name: "greet",
 *   description: "says hello to each connection",
 *   options: [
 *     { name: "listen", description: "where to listen", default: "tcp:7001" },
 *     { name: "greeting", description: "what to say", default: "hello" },
 *   ],
 *   endpointOptions: ["listen"],
 *   validate({ options }) {
 *     const greeting = String(options.greeting);
 *     if (greeting === "") throw new UsageError("--greeting cannot be empty");
 *     return { listen: String(options.listen), greeting };
 *   },
 *   makeService({ listen, greeting }, { reusePort }) {
 *     const bytes = new TextEncoder().encode(`${greeting}\n`);
 *     return new StreamServerEndpointService(listen, async (conn) => {
 *       await conn.write(bytes);
 *       await conn.close();
 *     }, { reusePort });
 *   },
 * };
 * ```
 */
export interface Plugin<T = unknown> {
  /** The command name, such as `"web"`. */
  name: string;
  /** One line for the command list in `spindle --help`. */
  description: string;
  /** The command's own options (the runner adds the common ones). */
  options: readonly OptionSpec[];
  /**
   * Names of options whose values are endpoint strings: under `--workers`,
   * the runner gives a port-0 endpoint one real port that every worker shares.
   */
  endpointOptions?: readonly string[];
  /** Positional arguments, for the usage line (`"MODULE"`). */
  usage?: string;
  /**
   * Checks the command line and turns it into the plugin's options, loading
   * what they name. Throw a `UsageError` (or an endpoint syntax error) for a
   * mistake: the runner prints one line and exits with status 2.
   */
  validate(input: PluginArguments): T | Promise<T>;
  /** Builds the service to run from what {@linkcode Plugin.validate} returned. */
  makeService(options: T, context: ServiceContext): Service | Promise<Service>;
}
