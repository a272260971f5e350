// Shared by the DNS tests: the fixture zone, a server of it and a query builder.
import type { DenoReactor } from "../../../reactor/mod.ts";
import {
  createMessage,
  type DNSMessage,
  type DNSRunningServer,
  encodeMessage,
  serveDNS,
  Zone,
} from "../../../protocols/dns/mod.ts";

export const fixturePath: string =
  new URL("./fixtures/example.org.zone", import.meta.url).pathname;

/** The fixture zone, example.org. */
export function fixtureZone(): Zone {
  return Zone.parse(Deno.readTextFileSync(fixturePath), {
    fileName: "example.org.zone",
  });
}

/** A free loopback port, UDP and TCP. */
export const LOOPBACK = "udp:0:interface=127.0.0.1";

/** Serves the fixture zone on a loopback port (UDP and TCP) while `fn` runs. */
export async function withFixtureServer(
  reactor: DenoReactor,
  fn: (server: DNSRunningServer) => Promise<void>,
): Promise<void> {
  const server = await serveDNS(fixtureZone(), { reactor, listen: LOOPBACK });
  try {
    await fn(server);
  } finally {
    await server.shutdown();
  }
}

/** The bytes of a one-question query. */
export function queryBytes(
  name: string,
  type: number,
  init: Partial<DNSMessage> = {},
): Uint8Array {
  return encodeMessage(createMessage({
    id: 0x4242,
    questions: [{ name, type, class: 1 }],
    ...init,
  }));
}
