/** Behaviour of the HTTP server engine over an in-memory connection. */
import {
  assert,
  assertEquals,
  flushLoggedErrors,
  test,
} from "../../../trial/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import {
  BodyTimeoutError,
  requestTrailers,
  serveConnection,
  withTrailers,
} from "../../../protocols/http/mod.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import { echo, rawSession, roundTrip, statuses } from "./_helpers.ts";

const H = "Host: example.org\r\n";
const GET = `GET / HTTP/1.1\r\n${H}\r\n`;
const encoder = new TextEncoder();

/** Lets queued microtasks and in-memory I/O settle. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

test("keep-alive: two requests are answered on one connection", async () => {
  const session = rawSession(echo);
  await session.send(`GET /one HTTP/1.1\r\n${H}\r\n`);
  const first = await session.readUntil("GET /one ");
  await session.send(`GET /two HTTP/1.1\r\n${H}\r\n`);
  const second = await session.readUntil("GET /two ");
  assertEquals(statuses(first + second), [200, 200]);
  assert(!first.toLowerCase().includes("connection: close"));
  await session.close();
});

test("pipelining: responses come in request order even when the first is slowest", async () => {
  const answer = await roundTrip(
    async (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/slow") {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return new Response(path);
    },
    `GET /slow HTTP/1.1\r\n${H}\r\nGET /fast HTTP/1.1\r\n${H}\r\nGET /last HTTP/1.1\r\n${H}\r\n`,
  );
  const bodies = [...answer.matchAll(/\r\n\r\n(\/(?:slow|fast|last))/g)].map((
    m,
  ) => m[1]);
  assertEquals(bodies, ["/slow", "/fast", "/last"]);
});

test("text responses in a row each get their own status, type, body and connection fields", async () => {
  // Identical responses reuse their bytes: a different one must never be
  // answered with the bytes of the one before it.
  const answers: (() => Response)[] = [
    () => new Response("same"),
    () => new Response("same"),
    () => new Response("same", { status: 201 }),
    () => new Response("same", { status: 201, statusText: "Made" }),
    () => new Response("same", { headers: { "content-type": "text/x" } }),
    () => new Response("other"),
    () => new Response("other"),
  ];
  let i = 0;
  const answer = await roundTrip(
    () => answers[i++]!(),
    `${GET}${GET}${GET}${GET}${GET}GET / HTTP/1.1\r\n${H}\r\nHEAD / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  );
  const responses = answer.split(/(?=HTTP\/1\.1 )/).map((r) =>
    r.replace(/date: [^\r]*\r\n/, "")
  );
  const text = "content-type: text/plain;charset=UTF-8\r\n";
  assertEquals(responses, [
    `HTTP/1.1 200 OK\r\n${text}content-length: 4\r\n\r\nsame`,
    `HTTP/1.1 200 OK\r\n${text}content-length: 4\r\n\r\nsame`,
    `HTTP/1.1 201 Created\r\n${text}content-length: 4\r\n\r\nsame`,
    `HTTP/1.1 201 Made\r\n${text}content-length: 4\r\n\r\nsame`,
    "HTTP/1.1 200 OK\r\ncontent-type: text/x\r\ncontent-length: 4\r\n\r\nsame",
    `HTTP/1.1 200 OK\r\n${text}content-length: 5\r\n\r\nother`,
    `HTTP/1.1 200 OK\r\n${text}content-length: 5\r\nconnection: close\r\n\r\n`,
  ]);
});

for (
  const [options, expected] of [
    [{}, [true]],
    [{ noDelay: true }, [true]],
    [{ noDelay: false }, []],
  ] as const
) {
  test(
    `Nagle's algorithm: noDelay ${
      "noDelay" in options ? options.noDelay : "by default"
    } ${expected.length > 0 ? "disables" : "leaves"} it on the connection`,
    async () => {
      const [client, server] = connectedPair();
      const calls: (boolean | undefined)[] = [];
      server.setNoDelay = (noDelay) => void calls.push(noDelay);
      const served = serveConnection(server, echo, options);
      await client.close();
      await served;
      assertEquals(calls, [...expected]);
    },
  );
}

test("repeated and changed heads on one connection each get their own URL", async () => {
  const urls: string[] = [];
  await roundTrip(
    (request) => {
      urls.push(request.url);
      return new Response("ok");
    },
    "GET /a HTTP/1.1\r\nHost: a.test\r\n\r\n".repeat(2) +
      "GET /a HTTP/1.1\r\nHost: b.test\r\n\r\n" +
      "GET /b HTTP/1.1\r\nHost: b.test\r\n\r\n",
  );
  assertEquals(urls, [
    "http://a.test/a",
    "http://a.test/a",
    "http://b.test/a",
    "http://b.test/b",
  ]);
});

test("HTTP/1.0: the response closes the connection", async () => {
  const answer = await roundTrip(echo, "GET /old HTTP/1.0\r\n\r\n");
  assert(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
  assert(answer.includes("connection: close\r\n"), answer);
  assert(answer.endsWith("GET /old "), answer);
});

test("HTTP/1.0 with keep-alive: the connection stays open", async () => {
  const session = rawSession(echo);
  await session.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  const answer = await session.readUntil("GET /a ");
  assert(answer.includes("connection: keep-alive\r\n"), answer);
  await session.send("GET /b HTTP/1.0\r\n\r\n");
  assert((await session.readAll()).endsWith("GET /b "));
  await session.close();
});

test("a request without Host under HTTP/1.0 gets a URL on the local address", async () => {
  let url = "";
  await roundTrip((request) => {
    url = request.url;
    return new Response("");
  }, "GET /x?y=1 HTTP/1.0\r\n\r\n");
  assertEquals(new URL(url).pathname + new URL(url).search, "/x?y=1");
});

test("the request carries method, URL and headers", async () => {
  let seen: Request | undefined;
  await roundTrip(
    (request) => {
      seen = request;
      return new Response("");
    },
    `PUT /p?q HTTP/1.1\r\n${H}X-Custom: a b\r\nAccept: */*\r\nContent-Length: 0\r\n\r\n`,
  );
  assertEquals(seen?.method, "PUT");
  assertEquals(seen?.url, "http://example.org/p?q");
  assertEquals(seen?.headers.get("x-custom"), "a b");
});

test("a Content-Length body reaches the handler", async () => {
  const answer = await roundTrip(
    echo,
    `POST /b HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`,
  );
  assert(answer.endsWith("POST /b hello"), answer);
});

test("a chunked body and its trailers reach the handler", async () => {
  let trailer: string | null = null;
  const answer = await roundTrip(
    async (request) => {
      const text = await request.text();
      trailer = (await requestTrailers(request)).get("x-checksum");
      return new Response(text);
    },
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n` +
      "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n",
  );
  assert(answer.endsWith("\r\n\r\nhello world"), answer);
  assertEquals(trailer, "42");
});

test("a stream response is sent chunked, with trailers", async () => {
  const answer = await roundTrip(() => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("abc"));
        controller.enqueue(encoder.encode("defgh"));
        controller.close();
      },
    });
    return withTrailers(new Response(body), () => ({ "x-sum": "8" }));
  }, GET);
  assert(answer.includes("transfer-encoding: chunked\r\n"), answer);
  assert(
    answer.endsWith("\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\nx-sum: 8\r\n\r\n"),
    answer,
  );
});

test("a stream response to HTTP/1.0 is delimited by closing", async () => {
  const answer = await roundTrip(
    () =>
      new Response(new Blob(["x"]).stream().pipeThrough(new TransformStream())),
    "GET / HTTP/1.0\r\n\r\n",
  );
  assert(!answer.includes("transfer-encoding"), answer);
  assert(
    answer.endsWith("connection: close\r\n\r\nx") ||
      answer.endsWith("\r\n\r\nx"),
    answer,
  );
});

test("a stream response with a Content-Length is sent as is", async () => {
  const answer = await roundTrip(
    () =>
      new Response(
        new Blob(["hello"]).stream().pipeThrough(new TransformStream()),
        {
          headers: { "content-length": "5" },
        },
      ),
    GET,
  );
  assert(answer.includes("content-length: 5\r\n"), answer);
  assert(answer.endsWith("\r\n\r\nhello"), answer);
});

test("HEAD: headers with the length of the body, but no body", async () => {
  const answer = await roundTrip(
    () => new Response("hello"),
    `HEAD / HTTP/1.1\r\n${H}\r\n`,
  );
  assert(answer.includes("content-length: 5\r\n"), answer);
  assert(answer.endsWith("\r\n\r\n"), answer);
});

test("every response has a Date header", async () => {
  const answer = await roundTrip(() => new Response("x"), GET);
  const date = /\r\ndate: ([^\r]+)\r\n/.exec(answer)?.[1];
  assert(date !== undefined && !Number.isNaN(Date.parse(date)), answer);
});

test("204 and 304 responses have no body and no length", async () => {
  const answer = await roundTrip(
    () => new Response(null, { status: 204 }),
    GET,
  );
  assert(!answer.includes("content-length"), answer);
  assert(answer.startsWith("HTTP/1.1 204 No Content\r\n"), answer);
});

test("response headers with Latin-1 values are sent as octets", async () => {
  const session = rawSession(() =>
    new Response("", { headers: { "x-name": "caf\u00e9" } })
  );
  await session.send(GET);
  const chunk = await session.client.read();
  assert(chunk !== null);
  const text = String.fromCharCode(...chunk);
  assert(text.includes("x-name: caf\xe9\r\n"), text);
  await session.close();
});

test("Expect: 100-continue is answered when the handler reads the body", async () => {
  const session = rawSession(echo);
  await session.send(
    `POST /up HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n`,
  );
  const interim = await session.readUntil("\r\n\r\n");
  assertEquals(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  await session.send("hello");
  const answer = await session.readUntil("POST /up hello");
  assertEquals(statuses(answer), [200]);
  await session.close();
});

test("Expect: 100-continue unanswered when the handler refuses without reading", async () => {
  const session = rawSession(() => new Response("no", { status: 403 }));
  await session.send(
    `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n`,
  );
  const answer = await session.readAll();
  assertEquals(statuses(answer), [403]);
  assert(answer.includes("connection: close\r\n"), answer);
  await session.close();
});

test("an unread body is skipped and the next request is served", async () => {
  const answer = await roundTrip(
    (request) => new Response(new URL(request.url).pathname),
    `POST /a HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n${H}\r\n`,
  );
  assertEquals(statuses(answer), [200, 200]);
  assert(answer.endsWith("/b"), answer);
});

test("a handler that throws gets a 500, is logged, and the connection lives on", async () => {
  using _quiet = captureLogs();
  const session = rawSession((request) => {
    if (new URL(request.url).pathname === "/boom") throw new RangeError("boom");
    return new Response("fine");
  });
  await session.send(`GET /boom HTTP/1.1\r\n${H}\r\n`);
  const first = await session.readUntil("Internal Server Error\n");
  assertEquals(statuses(first), [500]);
  await session.send(`GET /ok HTTP/1.1\r\n${H}\r\n`);
  assert((await session.readUntil("fine")).endsWith("fine"));
  assertEquals(flushLoggedErrors(RangeError).length, 1);
  await session.close();
});

test("a handler's 500 is a fixed text with nosniff, whatever the error said", async () => {
  using _quiet = captureLogs();
  const answer = await roundTrip(() => {
    throw new Error("<script>alert(1)</script>");
  }, GET);
  assertEquals(statuses(answer), [500]);
  assert(/x-content-type-options: nosniff/i.test(answer), answer);
  assert(answer.endsWith("\r\n\r\nInternal Server Error\n"), answer);
  assertEquals(flushLoggedErrors(Error).length, 1);
});

test("the log record of a handler that throws cuts a 10 KiB request target to 1 KiB", async () => {
  using logs = captureLogs({ namespace: "spindle.http.server" });
  const path = `/${"p".repeat(10 * 1024)}`;
  const answer = await roundTrip(() => {
    throw new Error("boom");
  }, `GET ${path} HTTP/1.1\r\n${H}\r\n`);
  assertEquals(statuses(answer), [500]);
  flushLoggedErrors(Error);
  const target = String(logs.records[0]?.fields.target);
  assert(target.startsWith(path.slice(0, 1024)), target.slice(0, 80));
  assert(target.length < 1100, `${target.length} characters logged`);
  assert(target.endsWith("more bytes cut]"), target.slice(-80));
});

test("a handler that returns something else than a Response gets a 500", async () => {
  using _quiet = captureLogs();
  const answer = await roundTrip(() => "nope" as unknown as Response, GET);
  assertEquals(statuses(answer), [500]);
  assertEquals(flushLoggedErrors(TypeError).length, 1);
});

test("maxRequestsPerConnection closes after the last allowed response", async () => {
  const answer = await roundTrip(echo, GET + GET + GET, {
    maxRequestsPerConnection: 2,
  });
  assertEquals(statuses(answer), [200, 200]);
  assert(answer.endsWith("connection: close\r\n\r\nGET / "), answer);
});

test("Connection: close from the client closes after the response", async () => {
  const answer = await roundTrip(
    echo,
    `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n` + GET,
  );
  assertEquals(statuses(answer), [200]);
});

test("a slow request head gets 408 and a closed connection", async (t) => {
  const session = rawSession(echo, { clock: t.clock, headersTimeout: 1000 });
  await session.send(`GET / HTTP/1.1\r\n`);
  await settle();
  t.clock.advance(999);
  await settle();
  t.clock.advance(1);
  const answer = await session.readAll();
  assertEquals(statuses(answer), [408]);
  await session.close();
});

test("a connection that sends nothing gets 408 after the headers timeout", async (t) => {
  const session = rawSession(echo, { clock: t.clock, headersTimeout: 1000 });
  t.clock.advance(1000);
  assertEquals(statuses(await session.readAll()), [408]);
  await session.close();
});

const POST_10 = `POST / HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\n`;

test("a request body that stalls for bodyTimeout fails with BodyTimeoutError, 408 and a closed connection", async (t) => {
  let seen: unknown;
  const session = rawSession(async (request) => {
    try {
      return new Response(await request.text());
    } catch (error) {
      seen = error;
      throw error;
    }
  }, { clock: t.clock, bodyTimeout: 1000 });
  await session.send(POST_10 + "abc");
  await settle();
  t.clock.advance(999);
  await settle();
  t.clock.advance(1);
  assertEquals(statuses(await session.readAll()), [408]);
  assert(seen instanceof BodyTimeoutError, String(seen));
  await session.close();
});

test("each piece of a request body restarts the body timer", async (t) => {
  const session = rawSession(
    async (request) => new Response(await request.text()),
    { clock: t.clock, bodyTimeout: 1000 },
  );
  await session.send(POST_10 + "abc");
  await settle();
  t.clock.advance(800);
  await session.send("def");
  await settle();
  t.clock.advance(800);
  await session.send("ghij");
  const answer = await session.readUntil("abcdefghij");
  assertEquals(statuses(answer), [200]);
  await session.close();
});

test("a handler that takes its time to read the body does not trip the body timer", async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const session = rawSession(async (request) => {
    await gate;
    return new Response(await request.text());
  }, { clock: t.clock, bodyTimeout: 1000 });
  await session.send(POST_10 + "abcdefghij");
  await settle();
  t.clock.advance(5000);
  await settle();
  release();
  const answer = await session.readUntil("abcdefghij");
  assertEquals(statuses(answer), [200]);
  await session.close();
});

test("an idle keep-alive connection is closed silently", async (t) => {
  const session = rawSession(echo, {
    clock: t.clock,
    keepAliveTimeout: 500,
    headersTimeout: 10_000,
  });
  await session.send(GET);
  await session.readUntil("GET / ");
  t.clock.advance(499);
  await settle();
  t.clock.advance(1);
  assertEquals(await session.readAll(), "");
  await session.close();
});

test("the keep-alive timer restarts with each request", async (t) => {
  const session = rawSession(echo, { clock: t.clock, keepAliveTimeout: 500 });
  await session.send(GET);
  await session.readUntil("GET / ");
  t.clock.advance(400);
  await session.send(GET);
  await session.readUntil("GET / ");
  t.clock.advance(400);
  await settle();
  await session.send(GET);
  assertEquals(statuses(await session.readUntil("GET / ")), [200]);
  await session.close();
});

test("upgrade: the handler takes over the raw connection with the bytes sent after the head", async () => {
  const session = rawSession((_request, info) => {
    const { response, connection } = info.upgrade({
      headers: { upgrade: "echo" },
    });
    connection.then(async (conn) => {
      while (true) {
        const chunk = await conn.read();
        if (chunk === null) break;
        await conn.write(chunk);
      }
      await conn.close();
    });
    return response;
  });
  await session.send(
    `GET /ws HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: echo\r\n\r\nearly`,
  );
  const head = await session.readUntil("\r\n\r\n");
  assert(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), head);
  assert(head.includes("upgrade: echo\r\n"), head);
  assertEquals(await session.readUntil("early"), "early");
  await session.send("later");
  assertEquals(await session.readUntil("later"), "later");
  await session.client.closeWrite();
  await session.readAll();
  await session.close();
});

test("an Upgrade request answered normally goes on as HTTP", async () => {
  const answer = await roundTrip(
    echo,
    `GET /u HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: other\r\n\r\n` +
      GET,
  );
  assertEquals(statuses(answer), [200, 200]);
});

test("a large upload streams through with backpressure", async () => {
  const size = 32 * 1024 * 1024;
  let received = 0;
  const session = rawSession(async (request) => {
    for await (const chunk of request.body!) received += chunk.byteLength;
    return new Response(String(received));
  });
  await session.send(`POST / HTTP/1.1\r\n${H}Content-Length: ${size}\r\n\r\n`);
  const block = new Uint8Array(256 * 1024);
  for (let sent = 0; sent < size; sent += block.byteLength) {
    await session.send(block);
  }
  const answer = await session.readUntil(String(size));
  assertEquals(statuses(answer), [200]);
  assertEquals(received, size);
  await session.close();
});

test("a large stream response is written with backpressure", async () => {
  const blocks = 128;
  const block = new Uint8Array(256 * 1024);
  let pulled = 0;
  const session = rawSession(() =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled++ === blocks) controller.close();
          else controller.enqueue(block);
        },
      }, { highWaterMark: 0 }),
    )
  );
  await session.send(GET);
  // Without a reader, the server must stop pulling after a few blocks.
  await settle();
  await settle();
  assert(pulled < 8, `pulled ${pulled} blocks with nobody reading`);
  let bytes = 0;
  while (true) {
    const chunk = await session.client.read();
    if (chunk === null) break;
    bytes += chunk.byteLength;
    if (bytes > blocks * block.byteLength) break;
  }
  assert(bytes > blocks * block.byteLength);
  await session.close();
});

test("a response shorter than its Content-Length aborts the connection and is logged", async () => {
  using _quiet = captureLogs();
  const answer = await roundTrip(
    () =>
      new Response(
        new Blob(["abc"]).stream().pipeThrough(new TransformStream()),
        {
          headers: { "content-length": "10" },
        },
      ),
    GET,
  ).catch((error) => String(error));
  assert(!answer.includes("abcdefghij"));
  assertEquals(flushLoggedErrors(RangeError).length, 1);
});

test("a bad chunk in a body being read fails the body and answers 400", async () => {
  let bodyError: unknown;
  const answer = await roundTrip(
    async (request) => {
      try {
        await request.text();
      } catch (error) {
        bodyError = error;
        throw error;
      }
      return new Response("read");
    },
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n`,
  );
  assertEquals(statuses(answer), [400]);
  assert(bodyError !== undefined);
});

test("a client that leaves before its response is not an error", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const session = rawSession(async () => {
    await gate;
    return new Response("too late");
  });
  await session.send(GET);
  await settle();
  session.client.abort(new Error("client gone"));
  release();
  await session.served;
  assertEquals(flushLoggedErrors().length, 0);
});

test("request.signal aborts when the client goes away mid-request", async () => {
  let aborted!: () => void;
  const sawAbort = new Promise<void>((resolve) => aborted = resolve);
  const session = rawSession((request) =>
    new Promise<Response>((resolve) => {
      request.signal.addEventListener("abort", () => {
        aborted();
        resolve(new Response("nobody listens"));
      });
    })
  );
  await session.send(GET);
  await settle();
  session.client.abort(new Error("client gone"));
  await sawAbort;
  await session.served;
});

test("request.signal stays quiet for a request that is answered", async () => {
  let signal: AbortSignal | undefined;
  const answer = await roundTrip((request) => {
    signal = request.signal;
    return new Response("ok");
  }, GET);
  assertEquals(statuses(answer), [200]);
  assertEquals(signal?.aborted, false);
});

test("the connection's deadline keeps one timer across many keep-alive requests", async (t) => {
  const session = rawSession(echo, { clock: t.clock });
  for (let i = 0; i < 50; i++) {
    await session.send(GET);
    await session.readUntil("GET / ");
    t.clock.advance(10);
  }
  assertEquals(t.clock.getDelayedCalls().length, 1);
  await session.close();
});

test("bytes of a head on an idle connection switch it to the headers timeout", async (t) => {
  const session = rawSession(echo, {
    clock: t.clock,
    keepAliveTimeout: 500,
    headersTimeout: 2000,
  });
  await session.send(GET);
  await session.readUntil("GET / ");
  await session.send("GET / HTTP/1.1\r\n");
  await settle();
  t.clock.advance(1000); // past keepAliveTimeout: the head is under way
  await settle();
  await session.send(`${H}\r\n`);
  assertEquals(statuses(await session.readUntil("GET / ")), [200]);
  await session.close();
});
