/**
 * The plugin registry of the `spindle` runner (Twisted's `IServiceMaker`):
 * each command such as `spindle web` or `spindle dns` is a plugin that turns
 * its parsed options into a {@linkcode Service}.
 *
 * @module
 */
import type { Service } from "./service.ts";
import type { OptionSpec } from "./options.ts";

/** What a plugin's `makeService` gets. */
export interface PluginContext {
  /** The plugin's options, parsed (defaults filled in). */
  options: Record<string, string | number | boolean | undefined>;
  /** Positional arguments after the command. */
  args: string[];
  /** Whether the process is one of several `--workers` sharing the port (listeners must set `reusePort`). */
  reusePort: boolean;
}

/** A command of the `spindle` runner. */
export interface Plugin {
  /** The command name, such as `"web"`. */
  name: string;
  /** One line for the command list in `spindle --help`. */
  description: string;
  /** The command's own options (the runner adds the common ones). */
  options: OptionSpec[];
  /** Names of options whose values are endpoint strings (for `--workers` port handling). */
  endpointOptions?: string[];
  /** Positional arguments, for the usage line (`"MODULE"`). */
  usage?: string;
  /**
   * Builds the service to run. Throw a `UsageError` (or an endpoint syntax
   * error) for bad options: the runner prints one line and exits with 2.
   */
  makeService(context: PluginContext): Service | Promise<Service>;
}

/** Thrown when a second plugin registers a name that is taken. */
export class DuplicatePluginError extends Error {
  /** Creates the error for the duplicated `name`. */
  constructor(name: string) {
    super(`A spindle plugin named "${name}" is already registered`);
    this.name = "DuplicatePluginError";
  }
}

const registry = new Map<string, Plugin>();

/**
 * Makes `plugin` available as `spindle <plugin.name>`.
 *
 * @example Usage
 * ```ts
 * import { registerPlugin, Service } from "@spindle/spindle/app";
 * registerPlugin({
 *   name: "noop-example",
 *   description: "does nothing",
 *   options: [],
 *   makeService: () => new Service(),
 * });
 * ```
 *
 * @throws {DuplicatePluginError} When the name is taken.
 */
export function registerPlugin(plugin: Plugin): void {
  if (registry.has(plugin.name)) throw new DuplicatePluginError(plugin.name);
  registry.set(plugin.name, plugin);
}

/**
 * The plugin named `name`, if registered.
 *
 * @example Usage
 * ```ts
 * import { getPlugin } from "@spindle/spindle/app";
 * console.assert(getPlugin("no-such-plugin") === undefined);
 * ```
 */
export function getPlugin(name: string): Plugin | undefined {
  return registry.get(name);
}

/**
 * Every registered plugin, sorted by name.
 *
 * @example Usage
 * ```ts
 * import { listPlugins } from "@spindle/spindle/app";
 * for (const plugin of listPlugins()) console.log(plugin.name);
 * ```
 */
export function listPlugins(): Plugin[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}
