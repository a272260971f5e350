import { type Deferred, succeed } from "../../deferred/deferred.ts";
import type { ListeningPort } from "../interfaces.ts";

/**
 * `self` when `port` is fixed; else binds port 0 with `bind`, reads the port
 * the system chose, unbinds, and makes the endpoint for it.
 */
export function pinFreePort<E>(
  port: number,
  self: E,
  steps: {
    bind: () => Deferred<ListeningPort>;
    make: (port: number) => E;
  },
): Deferred<E> {
  if (port !== 0) return succeed(self);
  return steps.bind().addCallback(async (listening) => {
    const { port } = listening.getHost() as Deno.NetAddr;
    await listening.stopListening();
    return steps.make(port);
  });
}
