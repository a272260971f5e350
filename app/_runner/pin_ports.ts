// Under --workers, a port-0 endpoint must become one real port that every
// worker binds, instead of each worker binding a port of its own.
import { reactor } from "../../reactor/deno_reactor.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import type { OptionValues } from "../options.ts";
import type { Plugin } from "../plugin.ts";

/** `values` with each port-0 endpoint option given a port that is free now. */
export async function pinPorts(
  plugin: Plugin,
  values: OptionValues,
): Promise<OptionValues> {
  const pinned = { ...values };
  for (const name of plugin.endpointOptions ?? []) {
    const description = values[name];
    if (typeof description !== "string") continue;
    const endpoint = serverFromString(reactor, description, {
      reusePort: true,
    });
    pinned[name] = (await endpoint.pinPort()).toString();
  }
  return pinned;
}
