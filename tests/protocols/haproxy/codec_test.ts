/** The PROXY header codec: v1 and v2, TLVs, and every malformed case. */
import { assertEquals, assertThrows, test } from "../../../trial/mod.ts";
import {
  decodeProxyHeader,
  encodeProxyHeader,
  ProxyHeaderError,
  TLVType,
  V2_SIGNATURE,
} from "../../../protocols/haproxy/mod.ts";

const encoder = new TextEncoder();
const v1 = (text: string) => decodeProxyHeader(encoder.encode(text));
const SRC = { transport: "tcp" as const, hostname: "192.0.2.1", port: 56324 };
const DST = { transport: "tcp" as const, hostname: "192.0.2.2", port: 443 };

/** A v2 header with the given version/command and family bytes and address block. */
function v2(
  versionCommand: number,
  family: number,
  block: number[],
): Uint8Array {
  return new Uint8Array([
    ...V2_SIGNATURE,
    versionCommand,
    family,
    block.length >> 8,
    block.length & 0xff,
    ...block,
  ]);
}

test("v1 TCP4 and TCP6 headers give the client's and the destination's addresses", () => {
  const four = v1("PROXY TCP4 192.0.2.1 192.0.2.2 56324 443\r\nrest");
  assertEquals(four?.length, 42);
  assertEquals(four?.header.source, SRC);
  assertEquals(four?.header.destination, DST);
  const six = v1("PROXY TCP6 2001:db8::1 ::1 1 2\r\n");
  assertEquals(six?.header.family, "TCP6");
  assertEquals(six?.header.source?.hostname, "2001:db8::1");
});

test("v1 UNKNOWN is served as the connection's own (LOCAL)", () => {
  const decoded = v1("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n");
  assertEquals(decoded?.header.command, "LOCAL");
  assertEquals(decoded?.header.source, undefined);
});

test("an incomplete header asks for more bytes", () => {
  assertEquals(v1("PROXY TCP4 192.0.2.1"), null);
  assertEquals(decodeProxyHeader(V2_SIGNATURE.subarray(0, 7)), null);
  const whole = encodeProxyHeader({ source: SRC, destination: DST });
  assertEquals(decodeProxyHeader(whole.subarray(0, whole.length - 1)), null);
});

test("malformed v1 headers are ProxyHeaderErrors", () => {
  for (
    const text of [
      "GET / HTTP/1.1\r\n", // no header at all
      "PROXY TCP4 192.0.2.300 192.0.2.2 1 2\r\n", // bad address
      "PROXY TCP4 ::1 192.0.2.2 1 2\r\n", // the wrong family
      "PROXY TCP4 192.0.2.1 192.0.2.2 70000 2\r\n", // port over 65535
      "PROXY TCP4 192.0.2.1 192.0.2.2 -1 2\r\n",
      "PROXY SCTP 192.0.2.1 192.0.2.2 1 2\r\n", // unknown protocol
      "PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n", // a field missing
      `PROXY TCP6 ${"a".repeat(120)}`, // longer than 107 bytes with no CRLF
    ]
  ) {
    assertThrows(() => v1(text), ProxyHeaderError, undefined, text);
  }
});

test("v2 PROXY over TCP4 and TCP6 round-trips through the encoder", () => {
  const decoded = decodeProxyHeader(
    encodeProxyHeader({ source: SRC, destination: DST }),
  );
  assertEquals(decoded?.header.version, 2);
  assertEquals(decoded?.header.source, SRC);
  const six = decodeProxyHeader(encodeProxyHeader({
    source: { transport: "tcp", hostname: "2001:db8::7", port: 9 },
    destination: { transport: "tcp", hostname: "2001:db8::8", port: 10 },
  }));
  assertEquals(six?.header.family, "TCP6");
  assertEquals(six?.header.destination?.hostname, "2001:db8::8");
});

test("v2 LOCAL (a health check) carries no addresses", () => {
  const decoded = decodeProxyHeader(encodeProxyHeader({ command: "LOCAL" }));
  assertEquals(decoded?.header.command, "LOCAL");
  assertEquals(decoded?.header.source, undefined);
});

test("v2 TLVs: ALPN, authority and SSL are parsed and exposed", () => {
  const ssl = new Uint8Array([
    0x01, // PP2_CLIENT_SSL
    0,
    0,
    0,
    0, // verified
    TLVType.SSL_VERSION,
    0,
    7,
    ...encoder.encode("TLSv1.3"),
    TLVType.SSL_CN,
    0,
    5,
    ...encoder.encode("alice"),
  ]);
  const decoded = decodeProxyHeader(encodeProxyHeader({
    source: SRC,
    destination: DST,
    tlvs: [
      { type: TLVType.ALPN, value: encoder.encode("h2") },
      { type: TLVType.AUTHORITY, value: encoder.encode("example.org") },
      { type: TLVType.SSL, value: ssl },
      { type: 0xe0, value: new Uint8Array([1, 2]) },
    ],
  }));
  const header = decoded!.header;
  assertEquals(header.alpn, "h2");
  assertEquals(header.authority, "example.org");
  assertEquals(header.ssl, {
    client: 1,
    verified: true,
    version: "TLSv1.3",
    cn: "alice",
  });
  assertEquals(header.tlvs.length, 4);
});

test("malformed v2 headers are ProxyHeaderErrors", () => {
  const block4 = [192, 0, 2, 1, 192, 0, 2, 2, 0, 1, 0, 2];
  for (
    const [name, bytes] of [
      ["version 1 in a v2 header", v2(0x11, 0x11, block4)],
      ["command 2", v2(0x22, 0x11, block4)],
      ["family 0x41", v2(0x21, 0x41, block4)],
      ["a short TCP4 address block", v2(0x21, 0x11, block4.slice(0, 8))],
      ["a short TCP6 address block", v2(0x21, 0x21, block4)],
      ["a TLV past the end", v2(0x21, 0x11, [...block4, 0x01, 0, 9, 1])],
      ["a header over the limit", v2(0x21, 0x11, new Array(4000).fill(0))],
    ] as const
  ) {
    assertThrows(
      () => decodeProxyHeader(bytes),
      ProxyHeaderError,
      undefined,
      name,
    );
  }
});
