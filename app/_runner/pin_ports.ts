// Under --workers, a port-0 endpoint must become one real port that every
// worker binds, instead of each worker binding a port of its own.
import { reactor } from "../../reactor/deno_reactor.ts";
import { serverFromString } from "../../reactor/endpoints/mod.ts";
import { withReusePort } from "../endpoint_service.ts";
import type { OptionValues } from "../options.ts";
import type { Plugin } from "../plugin.ts";

/** `values` with each TCP port-0 endpoint option given a free port. */
export async function pinPorts(
  plugin: Plugin,
  values: OptionValues,
): Promise<OptionValues> {
  const pinned = { ...values };
  for (const name of plugin.endpointOptions ?? []) {
    const description = values[name];
    if (typeof description !== "string") continue;
    const endpoint = serverFromString(withReusePort(reactor), description);
    const canonical = endpoint.toString();
    if (
      endpoint.transport !== "stream" || endpoint.kind !== "tcp" ||
      !/^tcp:0(:|$)/.test(canonical)
    ) continue;
    const port = await endpoint.listen(() => {});
    const { port: number } = port.getHost() as Deno.NetAddr;
    await port.stopListening();
    pinned[name] = canonical.replace(/^tcp:0/, `tcp:${number}`);
  }
  return pinned;
}
