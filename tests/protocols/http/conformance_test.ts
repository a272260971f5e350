/**
 * A table of malformed, ambiguous and oversized requests sent as raw bytes:
 * each must be answered with its status and a closed connection, never with
 * the handler's response.
 */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import type { ServeOptions } from "../../../protocols/http/mod.ts";
import { roundTrip, statuses } from "./_helpers.ts";

interface Case {
  name: string;
  request: string;
  status: number;
  options?: ServeOptions;
}

const H = "Host: example.org\r\n";
const cases: Case[] = [
  // Smuggling: ambiguous framing (RFC 9112 §6.1, §6.3).
  {
    name: "Content-Length together with Transfer-Encoding",
    request:
      `POST / HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "Transfer-Encoding together with Content-Length (reverse order)",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "differing duplicate Content-Length fields",
    request:
      `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`,
    status: 400,
  },
  {
    name: "a Content-Length list with differing values",
    request: `POST / HTTP/1.1\r\n${H}Content-Length: 3, 4\r\n\r\nabcd`,
    status: 400,
  },
  {
    name: "a signed Content-Length",
    request: `POST / HTTP/1.1\r\n${H}Content-Length: +3\r\n\r\nabc`,
    status: 400,
  },
  {
    name: "a hexadecimal Content-Length",
    request: `POST / HTTP/1.1\r\n${H}Content-Length: 0x3\r\n\r\nabc`,
    status: 400,
  },
  {
    name: "a Content-Length beyond 2^53",
    request:
      `POST / HTTP/1.1\r\n${H}Content-Length: 99999999999999999999\r\n\r\n`,
    status: 400,
  },
  {
    name: "Transfer-Encoding whose final coding is not chunked",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "chunked applied twice",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "an unsupported transfer coding before chunked",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
    status: 501,
  },
  {
    name: "an invalid Transfer-Encoding value",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: "chunked"\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "a Transfer-Encoding padded with a vertical tab",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "Transfer-Encoding in an HTTP/1.0 request",
    request: `POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "a negative chunk size",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "a chunk size with a 0x prefix",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "a chunk size with leading whitespace",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "an overflowing chunk size",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nx\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "an empty chunk size",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n\r\nx\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "chunk data longer than its size",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "a chunk-size line ending in a bare LF",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "a malformed chunk extension",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;=x\r\nhello\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "an over-long chunk-size line",
    request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5;a=${
      "b".repeat(200)
    }\r\nhello\r\n0\r\n\r\n`,
    status: 400,
    options: { maxChunkLineBytes: 64 },
  },
  // Smuggling: malformed field lines (RFC 9112 §5).
  {
    name: "obsolete line folding",
    request: `GET / HTTP/1.1\r\n${H}X-Folded: a\r\n b\r\n\r\n`,
    status: 400,
  },
  {
    name: "obsolete line folding with a tab",
    request: `GET / HTTP/1.1\r\n${H}X-Folded: a\r\n\tb\r\n\r\n`,
    status: 400,
  },
  {
    name: "a bare CR inside a field value",
    request: `GET / HTTP/1.1\r\n${H}X-A: a\rb\r\n\r\n`,
    status: 400,
  },
  {
    name: "a bare CR at the end of a field line",
    request: `GET / HTTP/1.1\r\n${H}X-A: a\r\r\n\r\n`,
    status: 400,
  },
  {
    name: "a bare LF ending a field line",
    request: `GET / HTTP/1.1\r\n${H}X-A: a\n\r\n`,
    status: 400,
  },
  {
    name: "a bare LF ending the request line",
    request: `GET / HTTP/1.1\n${H}\r\n`,
    status: 400,
  },
  {
    name: "whitespace between a field name and the colon",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`,
    status: 400,
  },
  {
    name: "a tab between a field name and the colon",
    request: `GET / HTTP/1.1\r\n${H}X-A\t: 1\r\n\r\n`,
    status: 400,
  },
  {
    name: "a non-token character in a field name",
    request: `GET / HTTP/1.1\r\n${H}X(A): 1\r\n\r\n`,
    status: 400,
  },
  {
    name: "a field line without a colon",
    request: `GET / HTTP/1.1\r\n${H}X-A\r\n\r\n`,
    status: 400,
  },
  {
    name: "an empty field name",
    request: `GET / HTTP/1.1\r\n${H}: value\r\n\r\n`,
    status: 400,
  },
  {
    name: "a NUL in a field value",
    request: `GET / HTTP/1.1\r\n${H}X-A: a\x00b\r\n\r\n`,
    status: 400,
  },
  // Request line.
  {
    name: "a request line with two spaces",
    request: `GET  / HTTP/1.1\r\n${H}\r\n`,
    status: 400,
  },
  {
    name: "a lowercase protocol name",
    request: `GET / http/1.1\r\n${H}\r\n`,
    status: 400,
  },
  {
    name: "a non-token method",
    request: `G(T / HTTP/1.1\r\n${H}\r\n`,
    status: 400,
  },
  {
    name: "a control character in the target",
    request: `GET /a\x01b HTTP/1.1\r\n${H}\r\n`,
    status: 400,
  },
  {
    name: "HTTP/2.0 on an HTTP/1 connection",
    request: `GET / HTTP/2.0\r\n${H}\r\n`,
    status: 505,
  },
  {
    name: "an HTTP/1.1 request without Host",
    request: `GET / HTTP/1.1\r\n\r\n`,
    status: 400,
  },
  {
    name: "two Host fields",
    request: `GET / HTTP/1.1\r\n${H}${H}\r\n`,
    status: 400,
  },
  {
    name: "a Host with a path in it",
    request: `GET / HTTP/1.1\r\nHost: evil.org/x\r\n\r\n`,
    status: 400,
  },
  // Limits.
  {
    name: "a header section over maxHeaderBytes",
    request: `GET / HTTP/1.1\r\n${H}X-Big: ${"a".repeat(2000)}\r\n\r\n`,
    status: 431,
    options: { maxHeaderBytes: 1024 },
  },
  {
    name: "a request line over maxHeaderBytes",
    request: `GET /${"a".repeat(2000)} HTTP/1.1\r\n${H}\r\n`,
    status: 431,
    options: { maxHeaderBytes: 1024 },
  },
  {
    name: "more fields than maxHeaderCount",
    request: `GET / HTTP/1.1\r\n${H}${"X-A: 1\r\n".repeat(11)}\r\n`,
    status: 431,
    options: { maxHeaderCount: 10 },
  },
  {
    name: "a Content-Length over maxBodySize",
    request: `POST / HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\nhello world`,
    status: 413,
    options: { maxBodySize: 10 },
  },
  {
    name: "a chunked body over maxBodySize",
    request:
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n`,
    status: 413,
    options: { maxBodySize: 10 },
  },
  {
    name: "trailers over maxHeaderCount",
    request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n${
      "X-T: 1\r\n".repeat(11)
    }\r\n`,
    status: 431,
    options: { maxHeaderCount: 10 },
  },
  {
    name: "an unsupported expectation",
    request: `GET / HTTP/1.1\r\n${H}Expect: 200-ok\r\n\r\n`,
    status: 417,
  },
];

for (const c of cases) {
  test(`http conformance: ${c.name} → ${c.status}`, async () => {
    const answer = await roundTrip(
      async (request) => {
        if (request.body) await request.arrayBuffer();
        return new Response("handled");
      },
      c.request,
      c.options,
    );
    assertEquals(statuses(answer), [c.status], answer);
    assert(/x-content-type-options: nosniff/i.test(answer), answer);
    if (c.status !== 417) {
      assert(answer.toLowerCase().includes("connection: close"), answer);
    }
    // A handler may have started on a valid head, but its response is dropped.
    assertEquals(answer.includes("handled"), false);
  });
}

test("http conformance: a 400 for a request line with a bare CR and markup reflects neither, with nosniff", async () => {
  const answer = await roundTrip(
    () => new Response("handled"),
    `GET /<script>alert(1)</script>\rX HTTP/1.1\r\n${H}\r\n`,
  );
  assertEquals(statuses(answer), [400]);
  const [head, body] = answer.split("\r\n\r\n");
  assert(/^x-content-type-options: nosniff$/im.test(head!), head);
  assertEquals(body, "Bad Request\n");
});

test("http conformance: a head of exactly maxHeaderBytes is accepted", async () => {
  const head = `GET / HTTP/1.1\r\n${H}X-Pad: `;
  const pad = "a".repeat(1024 - head.length - 4);
  const answer = await roundTrip(
    () => new Response("ok"),
    `${head}${pad}\r\n\r\n`,
    {
      maxHeaderBytes: 1024,
    },
  );
  assertEquals(statuses(answer), [200]);
});

test("http conformance: identical duplicate Content-Length fields are accepted", async () => {
  const answer = await roundTrip(
    async (request) => new Response(await request.text()),
    `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc`,
  );
  assertEquals(statuses(answer), [200]);
  assert(answer.includes("\r\n\r\nabc"), answer);
});

test("http conformance: empty lines before a request line are ignored", async () => {
  const answer = await roundTrip(
    () => new Response("ok"),
    `\r\n\r\nGET / HTTP/1.1\r\n${H}\r\n`,
  );
  assertEquals(statuses(answer), [200]);
});
