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
    const value = values[name];
    if (typeof value === "string") pinned[name] = await pin(value);
    else if (Array.isArray(value)) {
      pinned[name] = await Promise.all(value.map(pin));
    }
  }
  return pinned;
}

async function pin(description: string): Promise<string> {
  const endpoint = serverFromString(reactor, description, { reusePort: true });
  return (await endpoint.pinPort()).toString();
}
