// Shared by the DNS tests: the fixture zone and a query builder.
import {
  createMessage,
  type DNSMessage,
  encodeMessage,
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
