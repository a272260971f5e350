import {
  assert,
  assertEquals,
  assertThrows,
  test,
} from "../../../trial/mod.ts";
import {
  createMessage,
  decodeMessage,
  DNSFormatError,
  encodeMessage,
  Rcode,
  RecordType,
} from "../../../protocols/dns/mod.ts";
import { ProtocolError } from "../../../reactor/errors.ts";
import { rr, sampleResponse } from "./_samples.ts";

test("a message with every supported record type round-trips", () => {
  const message = sampleResponse();
  assertEquals(decodeMessage(encodeMessage(message)), message);
});

test("every header flag and the opcode round-trip", () => {
  const message = createMessage({
    id: 65535,
    response: true,
    opcode: 2,
    authoritative: true,
    truncated: true,
    recursionDesired: true,
    recursionAvailable: true,
    authenticData: true,
    checkingDisabled: true,
    rcode: Rcode.REFUSED,
  });
  assertEquals(decodeMessage(encodeMessage(message)), message);
});

test("the header is laid out as RFC 1035 §4.1.1 says", () => {
  const bytes = encodeMessage(createMessage({
    id: 0x1234,
    response: true,
    authoritative: true,
    recursionDesired: true,
    rcode: Rcode.NXDOMAIN,
    questions: [{ name: "a", type: 1, class: 1 }],
  }));
  assertEquals(
    [...bytes.subarray(0, 12)],
    [0x12, 0x34, 0x85, 0x03, 0, 1, 0, 0, 0, 0, 0, 0],
  );
});

test("names are compressed: a repeated suffix becomes a pointer", () => {
  const message = sampleResponse();
  const compressed = encodeMessage(message);
  const plain = encodeMessage(message, { compress: false });
  assert(compressed.length < plain.length - 100);
  assertEquals(decodeMessage(plain), message);
  // The first answer's owner name (after the 17 + 4 question bytes) points at the question's.
  assertEquals([...compressed.subarray(33, 35)], [0xc0, 12]);
});

test("the SRV target is not compressed (RFC 2782)", () => {
  const message = createMessage({
    answers: [
      rr("sip.example.org", RecordType.A, { address: "192.0.2.1" }),
      rr("_sip._tcp.example.org", RecordType.SRV, {
        priority: 0,
        weight: 0,
        port: 5060,
        target: "sip.example.org",
      }),
    ],
  });
  const bytes = encodeMessage(message);
  const tail = new TextDecoder().decode(bytes.subarray(bytes.length - 17));
  assertEquals(tail, "\x03sip\x07example\x03org\x00");
});

test("names compare case-insensitively but keep the case given", () => {
  const message = createMessage({
    questions: [{ name: "WwW.ExAmPlE.oRg", type: 1, class: 1 }],
  });
  assertEquals(
    decodeMessage(encodeMessage(message)).questions[0]?.name,
    "WwW.ExAmPlE.oRg",
  );
  const two = createMessage({
    questions: [
      { name: "www.EXAMPLE.org", type: 1, class: 1 },
      { name: "mail.example.ORG", type: 1, class: 1 },
    ],
  });
  const bytes = encodeMessage(two);
  // The second question's "example.org" is a pointer into the first one.
  assertEquals(bytes.length, 12 + 17 + 4 + 7 + 4);
});

test("a trailing dot is accepted and dropped", () => {
  const message = createMessage({
    questions: [{ name: "example.org.", type: 1, class: 1 }],
  });
  assertEquals(
    decodeMessage(encodeMessage(message)).questions[0]?.name,
    "example.org",
  );
});

test("the root name encodes as a single zero byte", () => {
  const bytes = encodeMessage(createMessage({
    questions: [{ name: "", type: RecordType.NS, class: 1 }],
  }));
  assertEquals(bytes.length, 12 + 1 + 4);
});

test("label bytes that are dots or not printable are escaped as \\DDD", () => {
  const message = createMessage({
    questions: [{ name: "a\\.b\\000c.example", type: 1, class: 1 }],
  });
  const bytes = encodeMessage(message);
  assertEquals(bytes[12], 5);
  assertEquals(
    decodeMessage(bytes).questions[0]?.name,
    "a\\046b\\000c.example",
  );
});

test("a label of 64 bytes cannot be encoded", () => {
  const message = createMessage({
    questions: [{ name: "a".repeat(64) + ".org", type: 1, class: 1 }],
  });
  assertThrows(() => encodeMessage(message), DNSFormatError, "63");
});

test("a name over 255 bytes cannot be encoded", () => {
  const name = Array(5).fill("a".repeat(63)).join(".");
  const message = createMessage({
    questions: [{ name, type: 1, class: 1 }],
  });
  assertThrows(() => encodeMessage(message), DNSFormatError, "255");
});

test("a TXT record keeps several strings apart", () => {
  const message = createMessage({
    answers: [rr("t.example", RecordType.TXT, { strings: ["a", "", "b c"] })],
  });
  const decoded = decodeMessage(encodeMessage(message));
  assertEquals(decoded.answers[0]?.data, { strings: ["a", "", "b c"] });
});

test("a TXT string over 255 bytes cannot be encoded", () => {
  const message = createMessage({
    answers: [rr("t.example", RecordType.TXT, { strings: ["x".repeat(256)] })],
  });
  assertThrows(() => encodeMessage(message), DNSFormatError, "255");
});

test("a record of an unknown type round-trips as opaque RDATA (RFC 3597)", () => {
  const record = rr("x.example", 65280, {
    rdata: new Uint8Array([0, 1, 2, 0xc0, 12]),
  });
  const message = createMessage({ answers: [record] });
  assertEquals(decodeMessage(encodeMessage(message)).answers[0], record);
});

test("a known type given opaque RDATA is sent as is", () => {
  const message = createMessage({
    answers: [rr("x.example", RecordType.A, {
      rdata: new Uint8Array([192, 0, 2, 7]),
    })],
  });
  assertEquals(
    decodeMessage(encodeMessage(message)).answers[0]?.data,
    { address: "192.0.2.7" },
  );
});

test("EDNS: the payload size, DO bit, version and options round-trip", () => {
  const message = createMessage({
    edns: {
      udpPayloadSize: 4096,
      version: 0,
      dnssecOk: true,
      options: [{ code: 10, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }],
    },
  });
  const bytes = encodeMessage(message);
  // OPT: root name, type 41, class = payload size, TTL with the DO bit.
  assertEquals(
    [...bytes.subarray(12, 23)],
    [0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 12],
  );
  const decoded = decodeMessage(bytes);
  assertEquals(decoded.edns, message.edns);
  assertEquals(decoded.additional, []);
});

test("EDNS: an extended RCODE is split between header and OPT", () => {
  const message = createMessage({
    response: true,
    rcode: Rcode.BADVERS,
    edns: { udpPayloadSize: 512, version: 0, dnssecOk: false, options: [] },
  });
  const bytes = encodeMessage(message);
  assertEquals(bytes[3]! & 0xf, 0);
  assertEquals(decodeMessage(bytes).rcode, Rcode.BADVERS);
  assertThrows(
    () => encodeMessage(createMessage({ rcode: Rcode.BADVERS })),
    DNSFormatError,
    "EDNS",
  );
});

test("two OPT records are a format error", () => {
  const opt = [0, 0, 41, 2, 0, 0, 0, 0, 0, 0, 0];
  const bytes = new Uint8Array([
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    2,
    ...opt,
    ...opt,
  ]);
  assertThrows(() => decodeMessage(bytes), DNSFormatError, "more than one OPT");
});

test("the length-prefixed form carries the message length first", () => {
  const message = sampleResponse();
  const plain = encodeMessage(message);
  const framed = encodeMessage(message, { lengthPrefix: true });
  assertEquals((framed[0]! << 8) | framed[1]!, plain.length);
  assertEquals(framed.subarray(2), plain);
});

test("DNSFormatError is a ProtocolError", () => {
  assert(new DNSFormatError("x") instanceof ProtocolError);
});

test("a message shorter than a header is a format error", () => {
  assertThrows(
    () => decodeMessage(new Uint8Array(11)),
    DNSFormatError,
    "header",
  );
});

/**
 * A response whose second answer's owner is reached through `hops`
 * compression pointers: the first answer's RDATA is a chain of pointers, each
 * to the one before, the first to the question's name.
 */
function pointerChain(hops: number): Uint8Array {
  const header = [0, 1, 0x80, 0, 0, 1, 0, 2, 0, 0, 0, 0];
  const question = [1, 0x61, 0, 0, 1, 0, 1]; // a. A IN, at offset 12
  const chainStart = 12 + question.length + 2 + 10;
  const chain: number[] = [];
  for (let i = 0; i < hops - 1; i++) {
    const target = i === 0 ? 12 : chainStart + 2 * (i - 1);
    chain.push(0xc0 | (target >> 8), target & 0xff);
  }
  const first = [0xc0, 12, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, chain.length];
  const last = chainStart + chain.length - 2;
  const second = [
    0xc0 | (last >> 8),
    last & 0xff,
    0xff,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
  ];
  return new Uint8Array([
    ...header,
    ...question,
    ...first,
    ...chain,
    ...second,
  ]);
}

test("a name reached through 127 compression pointers decodes", () => {
  assertEquals(decodeMessage(pointerChain(127)).answers[1]?.name, "a");
});

test("a name that follows more than 127 compression pointers is a format error", () => {
  assertThrows(
    () => decodeMessage(pointerChain(128)),
    DNSFormatError,
    "more than 127 compression pointers",
  );
});

test("a compression pointer to itself is a format error", () => {
  const bytes = new Uint8Array([
    0,
    1,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0xc0,
    12,
    0,
    1,
    0,
    1,
  ]);
  assertThrows(() => decodeMessage(bytes), DNSFormatError, "loops");
});

test("a loop of two compression pointers is a format error", () => {
  // Question name at 12: label "a" then a pointer to 17; at 17 a pointer back to 12.
  const bytes = new Uint8Array([
    0,
    1,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    0x61,
    0xc0,
    17,
    0,
    0xc0,
    12,
    0,
    1,
    0,
    1,
  ]);
  assertThrows(() => decodeMessage(bytes), DNSFormatError);
});

test("a forward compression pointer is a format error", () => {
  const bytes = new Uint8Array([
    0,
    1,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0xc0,
    18,
    0,
    1,
    0,
    1,
    0,
  ]);
  assertThrows(() => decodeMessage(bytes), DNSFormatError, "forward");
});

test("a decoded name over 255 bytes is a format error", () => {
  const labels: number[] = [];
  for (let i = 0; i < 5; i++) labels.push(63, ...Array(63).fill(0x61));
  const bytes = new Uint8Array([
    0,
    1,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    ...labels,
    0,
    0,
    1,
    0,
    1,
  ]);
  assertThrows(() => decodeMessage(bytes), DNSFormatError, "255");
});

test("a label with the reserved 0x40 type bits is a format error", () => {
  const bytes = new Uint8Array([
    0,
    1,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0x41,
    0x61,
    0,
    0,
    1,
    0,
    1,
  ]);
  assertThrows(() => decodeMessage(bytes), DNSFormatError, "label type");
});

test("an A record whose RDATA is not 4 bytes is a format error", () => {
  const message = createMessage({
    answers: [rr("x", RecordType.A, { rdata: new Uint8Array(5) })],
  });
  // Encoding opaque data is allowed; decoding it as an A record is not.
  const bytes = encodeMessage(message);
  assertEquals(decodeMessage(bytes).answers[0]?.data, {
    rdata: new Uint8Array(5),
  });
});

test("RDATA shorter than its contents is a format error", () => {
  const bytes = encodeMessage(createMessage({
    answers: [
      rr("x", RecordType.MX, { preference: 1, exchange: "mail.example" }),
    ],
  }));
  bytes[12 + 2 + 8 + 1] = 4; // RDLENGTH low byte: cut the exchange name short
  assertThrows(() => decodeMessage(bytes), DNSFormatError);
});

test("bytes after the last record are a format error", () => {
  const bytes = encodeMessage(createMessage({ id: 1 }));
  const longer = new Uint8Array([...bytes, 0]);
  assertThrows(() => decodeMessage(longer), DNSFormatError, "follow");
});

test("more records than maxRecords is a format error", () => {
  const bytes = encodeMessage(sampleResponse());
  assertThrows(
    () => decodeMessage(bytes, { maxRecords: 5 }),
    DNSFormatError,
    "limit is 5",
  );
});

test("a truncated (TC) response cut inside a record yields the complete records", () => {
  const message = sampleResponse();
  message.truncated = true;
  const bytes = encodeMessage(message);
  const decoded = decodeMessage(bytes.subarray(0, 80));
  assert(decoded.truncated);
  assertEquals(decoded.questions, message.questions);
  assert(decoded.answers.length < message.answers.length);
  assertThrows(
    () => decodeMessage(bytes.subarray(0, 80), { allowTruncated: false }),
    DNSFormatError,
  );
});

test("encoding rejects numbers out of range and data of the wrong shape", () => {
  assertThrows(
    () => encodeMessage(createMessage({ id: 70000 })),
    DNSFormatError,
    "ID",
  );
  assertThrows(
    () =>
      encodeMessage(createMessage({
        answers: [rr("x", RecordType.A, { address: "300.1.1.1" })],
      })),
    DNSFormatError,
    "IPv4",
  );
  assertThrows(
    () =>
      encodeMessage(createMessage({
        answers: [rr("x", RecordType.MX, { address: "192.0.2.1" })],
      })),
    DNSFormatError,
    "shape",
  );
});

test("IPv6 addresses are written in RFC 5952 form", () => {
  const cases: [string, string][] = [
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["::", "::"],
    ["1::", "1::"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
    ["::ffff:c000:0201", "::ffff:192.0.2.1"],
    ["::1:ffff:c000:201", "::1:ffff:c000:201"],
  ];
  for (const [input, expected] of cases) {
    const message = createMessage({
      answers: [rr("x", RecordType.AAAA, { address: input })],
    });
    assertEquals(
      decodeMessage(encodeMessage(message)).answers[0]?.data,
      { address: expected },
    );
  }
});
