import { assertEquals, assertThrows, test } from "../../../trial/mod.ts";
import {
  parseZone,
  RecordType,
  ZoneFileError,
} from "../../../protocols/dns/mod.ts";

const fixture = new URL("./fixtures/example.org.zone", import.meta.url);

test("the fixture zone parses: origin from the SOA owner, every record", async () => {
  const zone = parseZone(await Deno.readTextFile(fixture), {
    fileName: "example.org.zone",
  });
  assertEquals(zone.origin, "example.org");
  assertEquals(zone.records.length, 27);
});

test("$ORIGIN and @ make names absolute; a trailing dot keeps a name as is", () => {
  const zone = parseZone(
    "$ORIGIN example.org.\n$TTL 60\n@ A 192.0.2.1\nwww A 192.0.2.2\nx.example.net. A 192.0.2.3\n",
  );
  assertEquals(zone.records.map((r) => r.name), [
    "example.org",
    "www.example.org",
    "x.example.net",
  ]);
});

test("an entry starting with a blank takes the previous owner", () => {
  const zone = parseZone("$TTL 60\nwww A 192.0.2.1\n  AAAA 2001:db8::1\n", {
    origin: "example.org",
  });
  assertEquals(zone.records[1]?.name, "www.example.org");
  assertEquals(zone.records[1]?.type, RecordType.AAAA);
});

test("TTL and class may come in either order, or be left out", () => {
  const zone = parseZone(
    "$TTL 60\na IN 300 A 192.0.2.1\nb 400 IN A 192.0.2.2\nc A 192.0.2.3\n",
    { origin: "example.org" },
  );
  assertEquals(zone.records.map((r) => r.ttl), [300, 400, 60]);
  assertEquals(zone.records.map((r) => r.class), [1, 1, 1]);
});

test("TTLs may use BIND's units", () => {
  const zone = parseZone("a 1h30m A 192.0.2.1\nb 1w A 192.0.2.1\n", {
    origin: "example.org",
  });
  assertEquals(zone.records.map((r) => r.ttl), [5400, 604800]);
});

test("without $TTL a record takes the last explicit TTL", () => {
  const zone = parseZone("a 120 A 192.0.2.1\nb A 192.0.2.2\n", {
    origin: "example.org",
  });
  assertEquals(zone.records[1]?.ttl, 120);
});

test("parentheses join lines and comments are ignored", () => {
  const zone = parseZone(
    "@ 60 IN SOA ns1 hm ( ; start\n 1 ; serial\n 2 3 4\n 5 ) ; end\n",
    { origin: "example.org" },
  );
  assertEquals(zone.records[0]?.data, {
    mname: "ns1.example.org",
    rname: "hm.example.org",
    serial: 1,
    refresh: 2,
    retry: 3,
    expire: 4,
    minimum: 5,
  });
});

test("quoted TXT strings keep spaces, semicolons and escapes", () => {
  const zone = parseZone(
    '$TTL 60\nt TXT "a b; c" "say \\"hi\\"" plain "\\065\\066"\n',
    { origin: "example.org" },
  );
  assertEquals(zone.records[0]?.data, {
    strings: ["a b; c", 'say "hi"', "plain", "AB"],
  });
});

test("MX, SRV, CAA, PTR and CNAME data are parsed with relative names resolved", () => {
  const zone = parseZone(
    [
      "$TTL 60",
      "@ MX 10 mail",
      "_x._tcp SRV 1 2 3 host",
      '@ CAA 128 issue "ca.example.net"',
      "p PTR target.example.net.",
      "c CNAME www",
    ].join("\n"),
    { origin: "example.org" },
  );
  assertEquals(zone.records.map((r) => r.data), [
    { preference: 10, exchange: "mail.example.org" },
    { priority: 1, weight: 2, port: 3, target: "host.example.org" },
    { flags: 128, tag: "issue", value: "ca.example.net" },
    { name: "target.example.net" },
    { name: "www.example.org" },
  ]);
});

test("the RFC 3597 generic form gives opaque RDATA for any type", () => {
  const zone = parseZone(
    "$TTL 60\nx TYPE65280 \\# 3 010203\ny A \\# 4 C0000201\n",
    {
      origin: "example.org",
    },
  );
  assertEquals(zone.records[0]?.type, 65280);
  assertEquals(zone.records[0]?.data, { rdata: new Uint8Array([1, 2, 3]) });
  assertEquals(zone.records[1]?.data, {
    rdata: new Uint8Array([192, 0, 2, 1]),
  });
});

test("an error names the file and the line of the bad entry", () => {
  const error = assertThrows(
    () =>
      parseZone("$TTL 60\nwww A 192.0.2.1\nbad A 300.0.0.1\n", {
        origin: "example.org",
        fileName: "db.example",
      }),
    ZoneFileError,
    "db.example:3:",
  );
  assertEquals(error.line, 3);
  assertEquals(error.fileName, "db.example");
});

test("an unknown record type is an error", () => {
  assertThrows(
    () => parseZone("$TTL 60\nwww BOGUS x\n", { origin: "example.org" }),
    ZoneFileError,
    '"BOGUS" is not a record type',
  );
});

test("an unclosed parenthesis is an error at the line that opened it", () => {
  assertThrows(
    () =>
      parseZone("$TTL 60\n@ SOA ns hm (1 2\n3 4\n", { origin: "example.org" }),
    ZoneFileError,
    "<zone>:2:",
  );
});

test("an unclosed quote is an error", () => {
  assertThrows(
    () => parseZone('$TTL 60\nt TXT "open\n', { origin: "example.org" }),
    ZoneFileError,
    "not closed",
  );
});

test("a relative name without an origin is an error", () => {
  assertThrows(
    () => parseZone("$TTL 60\nwww A 192.0.2.1\n"),
    ZoneFileError,
    "$ORIGIN",
  );
});

test("a record without any TTL is an error", () => {
  assertThrows(
    () => parseZone("www A 192.0.2.1\n", { origin: "example.org" }),
    ZoneFileError,
    "$TTL",
  );
});

test("a label over 63 bytes is an error", () => {
  assertThrows(
    () =>
      parseZone(`$TTL 60\n${"a".repeat(64)} A 192.0.2.1\n`, {
        origin: "example.org",
      }),
    ZoneFileError,
    "63",
  );
});

test("a TXT string over 255 bytes is an error", () => {
  assertThrows(
    () =>
      parseZone(`$TTL 60\nt TXT "${"x".repeat(256)}"\n`, {
        origin: "example.org",
      }),
    ZoneFileError,
    "255",
  );
});

test("$INCLUDE is refused with a message", () => {
  assertThrows(
    () => parseZone("$INCLUDE other.zone\n", { origin: "example.org" }),
    ZoneFileError,
    "not supported",
  );
});

test("maxRecords bounds the zone", () => {
  assertThrows(
    () =>
      parseZone("$TTL 60\na A 192.0.2.1\nb A 192.0.2.1\n", {
        origin: "example.org",
        maxRecords: 1,
      }),
    ZoneFileError,
    "maxRecords",
  );
});
