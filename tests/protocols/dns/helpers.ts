// Shared by the DNS tests: the fixture zone, a server of it and a query builder.
import {
  createMessage,
  type DNSMessage,
  type DNSReactor,
  type DNSServer,
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

/** Serves the fixture zone on a loopback port (UDP and TCP) while `fn` runs. */
export async function withFixtureServer(
  reactor: DNSReactor,
  fn: (server: DNSServer) => Promise<void>,
): Promise<void> {
  const server = await serveDNS({
    reactor,
    zones: [fixtureZone()],
    listen: { port: 0 },
  });
  try {
    await fn(server);
  } finally {
    await server.close();
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
