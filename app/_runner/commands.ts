/**
 * The plugins the `spindle` command knows without `--plugin`. Protocol
 * packages add theirs here (each file exports one {@linkcode Plugin}); the
 * imports are static so that `deno compile` bundles them.
 *
 * @module
 */
import type { Plugin } from "./plugin.ts";
import { echoPlugin } from "./plugins/echo.ts";
import { webPlugin } from "./plugins/web.ts";
import { dnsPlugin } from "../protocols/dns/plugin.ts";

/** The built-in plugins, in help order. */
export const builtinPlugins: readonly Plugin[] = [
  echoPlugin,
  webPlugin,
  dnsPlugin,
];
