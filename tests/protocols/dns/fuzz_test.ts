import { assert, assertEquals, test } from "../../../trial/mod.ts";
import {
  createMessage,
  decodeMessage,
  DNSFormatError,
  DNSServerFactory,
  encodeMessage,
  RecordType,
} from "../../../protocols/dns/mod.ts";
import { sampleResponse } from "./_samples.ts";
import { fixtureZone, queryBytes } from "./_helpers.ts";
import { seededRandom } from "../../_random.ts";

const seeds = [
  encodeMessage(sampleResponse()),
  encodeMessage(sampleResponse(), { compress: false }),
  encodeMessage(createMessage({
    id: 7,
    recursionDesired: true,
    questions: [{ name: "www.example.org", type: RecordType.AAAA, class: 1 }],
    edns: { udpPayloadSize: 1232, version: 0, dnssecOk: false, options: [] },
  })),
];

/** Up to four random edits of a copy of `input`: set, flip, cut, insert, or plant a pointer. */
function mutate(next: () => number, input: Uint8Array): Uint8Array {
  const pick = (n: number) => Math.floor(next() * n);
  // Room for insertions, so no edit allocates.
  const bytes = new Uint8Array(input.length + 16);
  bytes.set(input);
  let length = input.length;
  const edits = 1 + pick(4);
  for (let e = 0; e < edits && length > 0; e++) {
    switch (pick(5)) {
      case 0: // set a byte
        bytes[pick(length)] = pick(256);
        break;
      case 1: // flip a bit
        bytes[pick(length)]! ^= 1 << pick(8);
        break;
      case 2: // truncate
        length = pick(length + 1);
        break;
      case 3: { // insert bytes
        const at = pick(length + 1);
        const n = 1 + pick(4);
        bytes.copyWithin(at + n, at, length);
        for (let i = 0; i < n; i++) bytes[at + i] = pick(256);
        length += n;
        break;
      }
      case 4: // plant a compression pointer
        if (length > 1) {
          const at = pick(length - 1);
          bytes[at] = 0xc0 | pick(4);
          bytes[at + 1] = pick(256);
        }
        break;
    }
  }
  return bytes.subarray(0, length);
}

test("100,000 seeded mutations of valid packets decode or raise DNSFormatError", () => {
  const next = seededRandom(20261129);
  let decoded = 0;
  let rejected = 0;
  for (let i = 0; i < 100_000; i++) {
    const input = mutate(next, seeds[i % seeds.length]!);
    let message;
    try {
      message = decodeMessage(input);
    } catch (error) {
      if (!(error instanceof DNSFormatError)) {
        throw new Error(
          `mutation ${i} (${[...input].join(",")}) threw ${error}`,
        );
      }
      rejected++;
      continue;
    }
    decoded++;
    // Whatever decodes must encode again (or be refused with the same error type).
    try {
      decodeMessage(encodeMessage(message));
    } catch (error) {
      if (!(error instanceof DNSFormatError)) {
        throw new Error(`re-encoding mutation ${i} threw ${error}`);
      }
    }
  }
  assertEquals(decoded + rejected, 100_000);
  assert(decoded > 1000 && rejected > 1000);
});

test("20,000 seeded mutations of queries never make the server throw", async () => {
  const factory = new DNSServerFactory([fixtureZone()]);
  const queries = [
    queryBytes("www.example.org", RecordType.A),
    queryBytes("big.example.org", RecordType.TXT, {
      edns: { udpPayloadSize: 600, version: 0, dnssecOk: true, options: [] },
    }),
    queryBytes("chain.example.org", RecordType.A),
  ];
  const next = seededRandom(7);
  let answered = 0;
  for (let i = 0; i < 20_000; i++) {
    const input = mutate(next, queries[i % queries.length]!);
    const response = await factory.answer(input, { udp: i % 2 === 0 });
    if (response !== null) {
      answered++;
      // Every answer is itself a well-formed message.
      decodeMessage(response);
    }
  }
  assert(answered > 1000);
});
