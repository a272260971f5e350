/** The HTTP cores on their own (splits, framing rules, the response side), and the decoder streams over them. */
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
  test,
} from "../../../trial/mod.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import {
  BodyTooLargeError,
  HeadersTooLargeError,
  type HTTPEvent,
  IncompleteMessageError,
  MalformedMessageError,
  RequestCore,
  RequestDecoder,
  ResponseCore,
  ResponseDecoder,
} from "../../../protocols/http/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Feeds `text` in pieces of `size` bytes and describes the events. */
function feed(
  parser: RequestCore | ResponseCore,
  text: string,
  size = Infinity,
): string[] {
  const bytes = encoder.encode(text);
  const events: HTTPEvent[] = [];
  const step = Math.min(size, bytes.length || 1);
  for (let i = 0; i < bytes.length; i += step) {
    parser.decode(bytes.subarray(i, i + step), events);
  }
  parser.end(events);
  const out: string[] = [];
  for (const e of events) {
    if (e.type === "head") {
      const h = e.head;
      out.push(
        `head ${
          h.method || h.status
        } ${h.target}${h.framing}:${h.contentLength} keep=${h.keepAlive}`,
      );
    } else if (e.type === "data") {
      if (out.at(-1)?.startsWith("data ")) {
        out[out.length - 1] += decoder.decode(e.data);
      } else out.push(`data ${decoder.decode(e.data)}`);
    } else {
      out.push(`end ${e.trailers.map(([n, v]) => `${n}=${v}`).join(",")}`);
    }
  }
  return out;
}

const pipelined =
  "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc" +
  'POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2;x="y"\r\nde\r\n1\r\nf\r\n0\r\nT: 1\r\n\r\n' +
  "GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
const expected = [
  "head POST /alength:3 keep=true",
  "data abc",
  "end ",
  "head POST /bchunked:0 keep=true",
  "data def",
  "end T=1",
  "head GET /clength:0 keep=false",
  "end ",
];

for (const size of [1, 2, 3, 7, 64, Infinity]) {
  test(`requests split every ${size} bytes parse the same`, () => {
    assertEquals(feed(new RequestCore(), pipelined, size), expected);
  });
}

test("requests that repeat a head, or differ from it in one byte, each parse as sent", () => {
  const parser = new RequestCore();
  const heads = [
    "GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
    "GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
    "GET /b HTTP/1.1\r\nHost: h\r\n\r\n",
    "GET /b HTTP/1.1\r\nHost: i\r\n\r\n",
    "PUT /b HTTP/1.1\r\nHost: i\r\nContent-Length: 1\r\n\r\nx",
    "GET /b HTTP/1.1\r\nHost: i\r\n\r\n",
  ];
  const events: HTTPEvent[] = [];
  for (const head of heads) parser.decode(encoder.encode(head), events);
  const seen = events.flatMap((e) =>
    e.type === "head"
      ? [
        `${e.head.method} ${e.head.target} ${e.head.host} ${e.head.contentLength}`,
      ]
      : []
  );
  assertEquals(seen, [
    "GET /a h 0",
    "GET /a h 0",
    "GET /b h 0",
    "GET /b i 0",
    "PUT /b i 1",
    "GET /b i 0",
  ]);
});

test("a head the same length as the previous one is checked against the limits anew", () => {
  const parser = new RequestCore({ maxBodySize: 1 });
  const ok = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx";
  parser.decode(encoder.encode(ok), []);
  parser.decode(encoder.encode(ok), []);
  assertThrows(
    () =>
      parser.decode(encoder.encode(ok.replace("Length: 1", "Length: 2")), []),
    BodyTooLargeError,
  );
});

test("a header field keeps its name case and loses surrounding whitespace", () => {
  const events: HTTPEvent[] = [];
  new RequestCore().decode(
    encoder.encode("GET / HTTP/1.1\r\nHost: h\r\nX-Thing: \t a  b \t\r\n\r\n"),
    events,
  );
  const head = events[0]!.type === "head" ? events[0]!.head : undefined;
  assertEquals(head?.headers, [["Host", "h"], ["X-Thing", "a  b"]]);
});

test('a field with an empty value (or only whitespace) has the value ""', () => {
  const events: HTTPEvent[] = [];
  new RequestCore().decode(
    encoder.encode("GET / HTTP/1.1\r\nHost: h\r\nX-A:\r\nX-B: \t \r\n\r\n"),
    events,
  );
  const head = events[0]!.type === "head" ? events[0]!.head : undefined;
  assertEquals(head?.headers, [["Host", "h"], ["X-A", ""], ["X-B", ""]]);
});

for (
  const [name, char] of [["DEL", "\x7f"], ["NUL", "\x00"], [
    "a control character",
    "\x01",
  ]]
) {
  test(`${name} in a field value is a MalformedMessageError`, () => {
    assertThrows(
      () =>
        new RequestCore().decode(
          encoder.encode(`GET / HTTP/1.1\r\nHost: h\r\nX: a${char}b\r\n\r\n`),
          [],
        ),
      MalformedMessageError,
      "control character",
    );
  });
}

test("maxHeaderCount allows exactly that many fields", () => {
  const fields = "X: 1\r\n".repeat(3);
  const events: HTTPEvent[] = [];
  new RequestCore({ maxHeaderCount: 4 }).decode(
    encoder.encode(`GET / HTTP/1.1\r\nHost: h\r\n${fields}\r\n`),
    events,
  );
  assertEquals(events.map((e) => e.type), ["head", "end"]);
  assertThrows(
    () =>
      new RequestCore({ maxHeaderCount: 3 }).decode(
        encoder.encode(`GET / HTTP/1.1\r\nHost: h\r\n${fields}\r\n`),
        [],
      ),
    HeadersTooLargeError,
  );
});

test("a malformed trailer field line is a MalformedMessageError", () => {
  assertThrows(
    () =>
      new RequestCore().decode(
        encoder.encode(
          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Name: 1\r\n\r\n",
        ),
        [],
      ),
    MalformedMessageError,
    "not a token",
  );
});

test("Latin-1 octets in a field value are kept as such", () => {
  const events: HTTPEvent[] = [];
  const bytes = new Uint8Array([
    ...encoder.encode("GET / HTTP/1.1\r\nHost: h\r\nX: caf"),
    0xe9,
    13,
    10,
    13,
    10,
  ]);
  new RequestCore().decode(bytes, events);
  const head = events[0]!.type === "head" ? events[0]!.head : undefined;
  assertEquals(head?.headers[1], ["X", "caf\u00e9"]);
});

test("an upgrade request pauses the parser until resume, and release hands over the rest", () => {
  const parser = new RequestCore();
  const events: HTTPEvent[] = [];
  parser.decode(
    encoder.encode(
      "GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\nRAW BYTES",
    ),
    events,
  );
  assertEquals(events.map((e) => e.type), ["head", "end"]);
  assert(parser.paused);
  parser.decode(encoder.encode(" MORE"), events);
  assertEquals(decoder.decode(parser.release()), "RAW BYTES MORE");
});

test("end of input inside a body is an IncompleteMessageError", () => {
  const parser = new RequestCore();
  parser.decode(
    encoder.encode(
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc",
    ),
    [],
  );
  assertThrows(() => parser.end([]), IncompleteMessageError);
});

test("maxBodySize counts the chunks of a chunked body", () => {
  const parser = new RequestCore({ maxBodySize: 4 });
  assertThrows(
    () =>
      parser.decode(
        encoder.encode(
          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\n",
        ),
        [],
      ),
    BodyTooLargeError,
  );
});

test("responses: Content-Length, chunked with trailers, and close-delimited", () => {
  const parser = new ResponseCore();
  for (let i = 0; i < 3; i++) parser.expectResponseTo("GET");
  assertEquals(
    feed(
      parser,
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi" +
        "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX: y\r\n\r\n" +
        "HTTP/1.0 200 OK\r\n\r\nuntil close",
      5,
    ),
    [
      "head 200 length:2 keep=true",
      "data hi",
      "end ",
      "head 201 chunked:0 keep=true",
      "data abc",
      "end X=y",
      "head 200 close:0 keep=false",
      "data until close",
      "end ",
    ],
  );
});

test("responses: HEAD, 204 and 304 have no body whatever their headers say", () => {
  const parser = new ResponseCore();
  parser.expectResponseTo("HEAD");
  parser.expectResponseTo("GET");
  parser.expectResponseTo("GET");
  assertEquals(
    feed(
      parser,
      "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" +
        "HTTP/1.1 204 No Content\r\n\r\n" +
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
    ),
    [
      "head 200 length:0 keep=true",
      "end ",
      "head 204 length:0 keep=true",
      "end ",
      "head 304 length:0 keep=true",
      "end ",
    ],
  );
});

test("responses: interim 100 Continue comes before the final response", () => {
  const parser = new ResponseCore();
  parser.expectResponseTo("POST");
  assertEquals(
    feed(
      parser,
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nk",
    ),
    [
      "head 100 length:0 keep=true",
      "end ",
      "head 200 length:1 keep=true",
      "data k",
      "end ",
    ],
  );
});

test("responses: chunked with a Content-Length is read chunked and not reused", () => {
  const parser = new ResponseCore();
  parser.expectResponseTo("GET");
  assertEquals(
    feed(
      parser,
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
    ),
    ["head 200 chunked:0 keep=false", "data z", "end "],
  );
});

test("responses: differing Content-Length values are rejected", () => {
  const parser = new ResponseCore();
  parser.expectResponseTo("GET");
  assertThrows(
    () =>
      parser.decode(
        encoder.encode(
          "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        ),
        [],
      ),
    MalformedMessageError,
  );
});

test("responses: a malformed status line is rejected", () => {
  const parser = new ResponseCore();
  assertThrows(
    () => parser.decode(encoder.encode("HTTP/1.1 2000 OK\r\n\r\n"), []),
    MalformedMessageError,
  );
});

/** The events as short strings: `head METHOD TARGET`, `head STATUS`, `data TEXT`, `end`. */
function describe(events: HTTPEvent[]): string[] {
  return events.map((e) =>
    e.type === "head"
      ? `head ${e.head.method || e.head.status} ${e.head.target}`.trim()
      : e.type === "data"
      ? `data ${decoder.decode(e.data)}`
      : "end"
  );
}

test("RequestDecoder: a connection's readable piped through it yields the events of pipelined requests", async () => {
  const [client, server] = connectedPair();
  const text =
    `POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: h\r\n\r\n`;
  const writing = (async () => {
    for (
      const piece of [text.slice(0, 20), text.slice(20, 61), text.slice(61)]
    ) {
      await client.write(encoder.encode(piece));
    }
    await client.close();
  })();
  const events = await Array.fromAsync(
    server.readable.pipeThrough(new RequestDecoder()),
  );
  await writing;
  assertEquals(describe(events), [
    "head POST /a",
    "data abc",
    "end",
    "head GET /b",
    "end",
  ]);
});

test("RequestDecoder: a malformed request errors the stream with MalformedMessageError", async () => {
  const bad = ReadableStream.from([
    encoder.encode("GET / HTTP/1.1\nHost: h\r\n\r\n"),
  ]);
  await assertRejects(
    () => Array.fromAsync(bad.pipeThrough(new RequestDecoder())),
    MalformedMessageError,
  );
});

test("ResponseDecoder: the answer to HEAD has no body, told by expectResponseTo", async () => {
  const decoder = new ResponseDecoder();
  decoder.expectResponseTo("HEAD");
  decoder.expectResponseTo("GET");
  const bytes = encoder.encode(
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" +
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
  );
  const events = await Array.fromAsync(
    ReadableStream.from([bytes]).pipeThrough(decoder),
  );
  assertEquals(describe(events), [
    "head 200",
    "end",
    "head 200",
    "data hi",
    "end",
  ]);
});
