/** HPACK against RFC 7541 Appendix C, and its limits. */
import { assertEquals, assertThrows, test } from "../../../trial/mod.ts";
import {
  HeaderListTooLargeError,
  HPACKDecoder,
  HPACKDecodingError,
  HPACKEncoder,
} from "../../../protocols/http2/mod.ts";

function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  return Uint8Array.from(
    digits.match(/../g)!.map((pair) => parseInt(pair, 16)),
  );
}

const REQUESTS = [
  [
    ":method",
    "GET",
    ":scheme",
    "http",
    ":path",
    "/",
    ":authority",
    "www.example.com",
  ],
  [
    ":method",
    "GET",
    ":scheme",
    "http",
    ":path",
    "/",
    ":authority",
    "www.example.com",
    "cache-control",
    "no-cache",
  ],
  [
    ":method",
    "GET",
    ":scheme",
    "https",
    ":path",
    "/index.html",
    ":authority",
    "www.example.com",
    "custom-key",
    "custom-value",
  ],
];

test("HPACK decodes the requests of RFC 7541 C.3 (no Huffman) on one table", () => {
  const decoder = new HPACKDecoder();
  const blocks = [
    "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
    "8286 84be 5808 6e6f 2d63 6163 6865",
    "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
  ];
  blocks.forEach((block, i) => {
    assertEquals(decoder.decode(hex(block)), REQUESTS[i]);
  });
  assertEquals(decoder.tableSize, 164);
  assertEquals(decoder.tableEntries, [
    ["custom-key", "custom-value"],
    ["cache-control", "no-cache"],
    [":authority", "www.example.com"],
  ]);
});

const HUFFMAN_REQUESTS = [
  "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
  "8286 84be 5886 a8eb 1064 9cbf",
  "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
];

test("HPACK decodes the Huffman-coded requests of RFC 7541 C.4", () => {
  const decoder = new HPACKDecoder();
  HUFFMAN_REQUESTS.forEach((block, i) => {
    assertEquals(decoder.decode(hex(block)), REQUESTS[i]);
  });
  assertEquals(decoder.tableSize, 164);
});

test("HPACK encodes the requests of RFC 7541 C.4 into the published blocks", () => {
  const encoder = new HPACKEncoder();
  REQUESTS.forEach((fields, i) => {
    assertEquals(encoder.encode(fields), hex(HUFFMAN_REQUESTS[i]!));
  });
});

test("HPACK evicts from a 256-byte table as in RFC 7541 C.6", () => {
  const decoder = new HPACKDecoder({ maxTableSize: 256 });
  // The encoder's table size update to 256 comes first in real traffic;
  // here the decoder starts at 256.
  const first = decoder.decode(hex(
    "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
  ));
  assertEquals(first, [
    ":status",
    "302",
    "cache-control",
    "private",
    "date",
    "Mon, 21 Oct 2013 20:13:21 GMT",
    "location",
    "https://www.example.com",
  ]);
  assertEquals(decoder.tableSize, 222);
  const second = decoder.decode(hex("4883 640e ffc1 c0bf"));
  assertEquals(second, [
    ":status",
    "307",
    "cache-control",
    "private",
    "date",
    "Mon, 21 Oct 2013 20:13:21 GMT",
    "location",
    "https://www.example.com",
  ]);
  // ":status: 302" was evicted to make room for ":status: 307".
  assertEquals(decoder.tableSize, 222);
  assertEquals(decoder.tableEntries[0], [":status", "307"]);
  assertEquals(decoder.tableEntries.length, 4);
});

test("HPACK round-trips fields through encoder and decoder, indexing repeats", () => {
  const encoder = new HPACKEncoder();
  const decoder = new HPACKDecoder();
  const fields = [
    ":status",
    "200",
    "content-type",
    "text/plain;charset=UTF-8",
    "content-length",
    "12",
    "x-bytes",
    "\u00ff\u0080 latin1",
    "set-cookie",
    "a=b",
  ];
  for (let i = 0; i < 3; i++) {
    assertEquals(decoder.decode(encoder.encode(fields)), fields);
  }
  const again = encoder.encode([
    ":status",
    "200",
    "content-type",
    "text/plain;charset=UTF-8",
  ]);
  assertEquals(again.byteLength, 2);
});

test("HPACK refuses an index past the dynamic table with COMPRESSION_ERROR", () => {
  const error = assertThrows(
    () => new HPACKDecoder().decode(hex("be")),
    HPACKDecodingError,
  );
  assertEquals(error.code, 0x9);
});

test("HPACK refuses a table size update over the advertised size", () => {
  assertThrows(
    () => new HPACKDecoder({ maxTableSize: 4096 }).decode(hex("3fe21f")),
    HPACKDecodingError,
  );
});

test("HPACK refuses Huffman padding that is not all ones", () => {
  // "a" is 00011 (5 bits): padded with zeros instead of ones.
  assertThrows(
    () => new HPACKDecoder().decode(hex("0001 61 81 18")),
    HPACKDecodingError,
  );
});

test("HPACK stops an HPACK bomb at the header list limit", () => {
  // A literal with indexing: name "bomb", a 4000-byte value (length 0x7f
  // then 3873 as 0xa1 0x1e).
  const head = hex("40 04 626f6d62 7f a11e");
  const references = new Uint8Array(100).fill(0xbe); // index 62: the entry
  const block = new Uint8Array(head.byteLength + 4000 + references.byteLength);
  block.set(head);
  block.fill(0x78, head.byteLength, head.byteLength + 4000);
  block.set(references, head.byteLength + 4000);
  const decoder = new HPACKDecoder({ maxHeaderListSize: 16384 });
  const error = assertThrows(
    () => decoder.decode(block),
    HeaderListTooLargeError,
  );
  assertEquals(error.code, 0xb);
});

test("HPACK refuses a literal longer than the header list limit before reading it", () => {
  const decoder = new HPACKDecoder({ maxHeaderListSize: 100 });
  // A literal name of 127+ bytes (length 0x7f 0x01 = 128) that is not there.
  assertThrows(
    () => decoder.decode(hex("00 7f01")),
    HeaderListTooLargeError,
  );
});
