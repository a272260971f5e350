/** The Agent against a Spindle server on loopback TCP. */
import {
  assert,
  assertEquals,
  assertRejects,
  test,
} from "../../../trial/mod.ts";
import { CancelledError } from "../../../deferred/errors.ts";
import { Clock } from "../../../reactor/clock.ts";
import {
  Agent,
  HeadersTooLargeError,
  type HTTPServer,
  RedirectLimitError,
  requestTrailers,
  ResponseTimeoutError,
  responseTrailers,
  type ServeHandler,
  serveHTTP,
  withTrailers,
} from "../../../protocols/http/mod.ts";

async function withServer(
  handler: ServeHandler,
  body: (base: string, server: HTTPServer) => Promise<void>,
): Promise<void> {
  const server = await serveHTTP(handler, {
    listen: "tcp:0:interface=127.0.0.1",
  });
  const { port } = server.addr as Deno.NetAddr;
  try {
    await body(`http://127.0.0.1:${port}`, server);
  } finally {
    await server.shutdown();
  }
}

const routes: ServeHandler = async (request, info) => {
  const url = new URL(request.url);
  switch (url.pathname) {
    case "/hello":
      return new Response("hello", {
        headers: { "x-remote": JSON.stringify(info.remoteAddr) },
      });
    case "/echo":
      return new Response(request.body ? await request.text() : "", {
        headers: {
          "x-method": request.method,
          "x-te": request.headers.get("transfer-encoding") ?? "",
          "x-cl": request.headers.get("content-length") ?? "",
        },
      });
    case "/stream":
      return withTrailers(
        new Response(
          new ReadableStream<Uint8Array>({
            start(c) {
              for (let i = 0; i < 3; i++) {
                c.enqueue(new TextEncoder().encode(`part${i};`));
              }
              c.close();
            },
          }),
        ),
        () => ({ "x-done": "yes" }),
      );
    case "/redirect":
      return new Response(null, {
        status: 302,
        headers: { location: "/hello" },
      });
    case "/see-other":
      return new Response(null, {
        status: 303,
        headers: { location: "/echo" },
      });
    case "/loop":
      return new Response(null, {
        status: 307,
        headers: { location: "/loop" },
      });
    case "/slow":
      await new Promise((resolve) => setTimeout(resolve, 300));
      return new Response("slow");
    case "/trailers": {
      const text = await request.text();
      const trailers = await requestTrailers(request);
      return new Response(`${text}|${trailers.get("x-t") ?? ""}`);
    }
    default:
      return new Response("not found", { status: 404 });
  }
};

test("Agent: GET returns a fetch Response with status, headers and body", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent();
    const response = await agent.request("GET", `${base}/hello`);
    assertEquals(response.status, 200);
    assertEquals(
      response.headers.get("content-type"),
      "text/plain;charset=UTF-8",
    );
    assertEquals(await response.text(), "hello");
    assertEquals(response.url, `${base}/hello`);
    await agent.close();
  });
});

test("Agent: keep-alive connections are reused for the same host", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent();
    const remotes = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const response = await agent.request("GET", `${base}/hello`);
      remotes.add(response.headers.get("x-remote")!);
      await response.text();
    }
    assertEquals(remotes.size, 1);
    assertEquals(agent.idleConnectionCount, 1);
    await agent.close();
  });
});

test("Agent: concurrent requests use separate connections", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent();
    const responses = await Promise.all(
      [1, 2, 3].map(() => agent.request("GET", `${base}/slow`)),
    );
    assertEquals(await Promise.all(responses.map((r) => r.text())), [
      "slow",
      "slow",
      "slow",
    ]);
    assertEquals(agent.idleConnectionCount, 3);
    await agent.close();
  });
});

test("Agent: a text body is sent with Content-Length", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent();
    const response = await agent.request("POST", `${base}/echo`, {
      body: "payload",
    });
    assertEquals(await response.text(), "payload");
    assertEquals(response.headers.get("x-cl"), "7");
    await agent.close();
  });
});

test("Agent: a stream body is sent chunked", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent();
    const body = new Blob(["a", "b", "c"]).stream().pipeThrough(
      new TransformStream(),
    );
    const response = await agent.request("PUT", `${base}/echo`, { body });
    assertEquals(await response.text(), "abc");
    assertEquals(response.headers.get("x-te"), "chunked");
    await agent.close();
  });
});

test("Agent: a chunked response streams, brings its trailers, and the connection is reused", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent();
    const response = await agent.request("GET", `${base}/stream`);
    assertEquals(await response.text(), "part0;part1;part2;");
    assertEquals((await responseTrailers(response)).get("x-done"), "yes");
    assertEquals(agent.idleConnectionCount, 1);
    await agent.close();
  });
});

test("Agent: HEAD gets headers and no body", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent();
    const response = await agent.request("HEAD", `${base}/hello`);
    assertEquals(response.headers.get("content-length"), "5");
    assertEquals(await response.text(), "");
    const again = await agent.request("GET", `${base}/hello`);
    assertEquals(await again.text(), "hello");
    await agent.close();
  });
});

test("Agent: redirects are followed, 303 turns into GET", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent();
    const response = await agent.request("GET", `${base}/redirect`);
    assertEquals([response.status, await response.text(), response.url], [
      200,
      "hello",
      `${base}/hello`,
    ]);
    const seeOther = await agent.request("POST", `${base}/see-other`, {
      body: "x",
    });
    assertEquals(seeOther.headers.get("x-method"), "GET");
    await seeOther.text();
    const manual = await agent.request("GET", `${base}/redirect`, {
      redirect: "manual",
    });
    assertEquals(manual.status, 302);
    await agent.close();
  });
});

test("Agent: too many redirects fail with RedirectLimitError", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent({ maxRedirects: 3 });
    await assertRejects(
      () => agent.request("GET", `${base}/loop`).asPromise(),
      RedirectLimitError,
    );
    await agent.close();
  });
});

test("Agent: a slow response head fails with ResponseTimeoutError", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent({ responseTimeout: 50 });
    await assertRejects(
      () => agent.request("GET", `${base}/slow`).asPromise(),
      ResponseTimeoutError,
    );
    await agent.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
});

test("Agent: cancelling the Deferred aborts the request", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent();
    const d = agent.request("GET", `${base}/slow`);
    setTimeout(() => d.cancel(), 20);
    await assertRejects(() => d.asPromise(), CancelledError);
    await agent.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
});

test("Agent: a pooled connection the server closed is replaced transparently", async () => {
  await withServer(routes, async (base, server) => {
    const agent = new Agent();
    await (await agent.request("GET", `${base}/hello`)).text();
    // The server drops its idle connections; the agent's pooled one is now dead.
    await server.factory.drain();
    server.factory.doStart();
    const response = await agent.request("GET", `${base}/hello`);
    assertEquals(await response.text(), "hello");
    await agent.close();
  });
});

test("Agent: a large download streams with bounded buffering", async () => {
  const size = 16 * 1024 * 1024;
  await withServer(() => {
    let sent = 0;
    const block = new Uint8Array(64 * 1024);
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent >= size) return c.close();
          sent += block.byteLength;
          c.enqueue(block);
        },
      }, { highWaterMark: 0 }),
    );
  }, async (base) => {
    const agent = new Agent();
    const response = await agent.request("GET", `${base}/big`);
    let received = 0;
    for await (const chunk of response.body!) received += chunk.byteLength;
    assertEquals(received, size);
    await agent.close();
  });
});

test("Agent: an unsupported scheme is refused", async () => {
  const agent = new Agent();
  await assertRejects(
    () => agent.request("GET", "ftp://127.0.0.1/").asPromise(),
    TypeError,
  );
  await agent.close();
});

test("Agent: a closed agent refuses new requests", async () => {
  const agent = new Agent();
  await agent.close();
  const error = await agent.request("GET", "http://127.0.0.1:1/").asPromise()
    .catch((e) => e);
  assert(error instanceof TypeError);
});

/** A one-connection HTTP peer scripted by the test, on loopback TCP. */
async function withScriptedServer(
  script: (peer: ScriptedPeer) => Promise<void>,
  body: (base: string) => Promise<void>,
): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const served = (async () => {
    const conn = await listener.accept();
    try {
      await script(new ScriptedPeer(conn));
    } finally {
      conn.close();
    }
  })();
  try {
    await body(`http://127.0.0.1:${port}`);
  } finally {
    await served;
    listener.close();
  }
}

class ScriptedPeer {
  #conn: Deno.Conn;
  #buffered = "";
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }
  /** Reads until `text` has arrived; returns everything before it and drops it. */
  async readUntil(text: string): Promise<string> {
    const buffer = new Uint8Array(4096);
    while (!this.#buffered.includes(text)) {
      const n = await this.#conn.read(buffer);
      if (n === null) throw new Error(`the agent closed before ${text}`);
      this.#buffered += new TextDecoder().decode(buffer.subarray(0, n));
    }
    const at = this.#buffered.indexOf(text) + text.length;
    const before = this.#buffered.slice(0, at);
    this.#buffered = this.#buffered.slice(at);
    return before;
  }
  /** What arrived beyond the last `readUntil`. */
  get buffered(): string {
    return this.#buffered;
  }
  async send(text: string): Promise<void> {
    await this.#conn.write(new TextEncoder().encode(text));
  }
}

const EXPECT = { "expect": "100-continue" };

// The agent's side of the waits for 100 Continue: "hello" POSTed with
// Expect: 100-continue is answered "ok"; the scripted peer says when it goes.
async function assertHelloPostedWithExpect(
  clock: Clock,
  base: string,
): Promise<void> {
  const agent = new Agent({ clock });
  const response = await agent.request("POST", `${base}/`, {
    headers: EXPECT,
    body: "hello",
  });
  assertEquals(await response.text(), "ok");
  await agent.close();
}

test("Agent: with Expect: 100-continue the body waits for 100 Continue", async () => {
  const clock = new Clock(); // never advanced: only the 100 can release the body
  await withScriptedServer(async (peer) => {
    const head = await peer.readUntil("\r\n\r\n");
    assert(/^expect: 100-continue\r$/m.test(head), head);
    assertEquals(peer.buffered, "", "no body before 100 Continue");
    await peer.send("HTTP/1.1 100 Continue\r\n\r\n");
    await peer.readUntil("hello");
    await peer.send("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
  }, (base) => assertHelloPostedWithExpect(clock, base));
});

test("Agent: with no 100 Continue the body goes after expectContinueTimeout", async () => {
  const clock = new Clock();
  await withScriptedServer(async (peer) => {
    await peer.readUntil("\r\n\r\n");
    assertEquals(peer.buffered, "");
    clock.advance(1000); // the default wait, as curl's
    await peer.readUntil("hello");
    await peer.send("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
  }, (base) => assertHelloPostedWithExpect(clock, base));
});

test("Agent: a final status instead of 100 Continue is the answer, the body is not sent and the connection not pooled", async () => {
  const clock = new Clock();
  await withScriptedServer(async (peer) => {
    await peer.readUntil("\r\n\r\n");
    await peer.send(
      "HTTP/1.1 401 Unauthorized\r\ncontent-length: 4\r\n\r\nnope",
    );
  }, async (base) => {
    const agent = new Agent({ clock });
    const response = await agent.request("PUT", `${base}/`, {
      headers: EXPECT,
      body: "secret upload",
    });
    assertEquals(response.status, 401);
    assertEquals(await response.text(), "nope");
    assertEquals(agent.idleConnectionCount, 0);
    await agent.close();
  });
});

test("Agent: Expect: 100-continue with a Spindle server, which sends 100 when the handler reads", async () => {
  await withServer(routes, async (base) => {
    const agent = new Agent({ clock: new Clock() });
    for (let i = 0; i < 2; i++) {
      const response = await agent.request("POST", `${base}/echo`, {
        headers: EXPECT,
        body: `body ${i}`,
      });
      assertEquals(await response.text(), `body ${i}`);
    }
    assertEquals(agent.idleConnectionCount, 1);
    await agent.close();
  });
});

test("Agent: by default it reads response heads up to 64 KiB, over the server's 16 KiB", async () => {
  const cookie = "x".repeat(20 * 1024);
  await withScriptedServer(async (peer) => {
    await peer.readUntil("\r\n\r\n");
    await peer.send(
      `HTTP/1.1 200 OK\r\nset-cookie: a=${cookie}\r\ncontent-length: 2\r\n\r\nok`,
    );
  }, async (base) => {
    const agent = new Agent();
    const response = await agent.request("GET", `${base}/`);
    assertEquals(response.headers.get("set-cookie")?.length, cookie.length + 2);
    assertEquals(await response.text(), "ok");
    await agent.close();
  });
});

test("Agent: a response head over maxHeaderBytes fails with HeadersTooLargeError", async () => {
  await withScriptedServer(async (peer) => {
    await peer.readUntil("\r\n\r\n");
    await peer.send(
      `HTTP/1.1 200 OK\r\nx-big: ${
        "y".repeat(4096)
      }\r\ncontent-length: 0\r\n\r\n`,
    ).catch(() => {});
  }, async (base) => {
    const agent = new Agent({ maxHeaderBytes: 1024 });
    await assertRejects(
      () => agent.request("GET", `${base}/`).asPromise(),
      HeadersTooLargeError,
    );
    await agent.close();
  });
});

test("Agent: a 205 that comes with content anyway frees its connection, and the next request is answered", async () => {
  // A raw peer: RFC 9110 §15.3.6 forbids content in a 205, so no Spindle
  // server sends one. It answers the first request with such a 205, every
  // other with 200, on any connection, and counts the connections that end.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  let answered = 0;
  const connections: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      connections.push((async () => {
        const peer = new ScriptedPeer(conn);
        try {
          while (true) {
            await peer.readUntil("\r\n\r\n");
            await peer.send(
              answered++ === 0
                ? "HTTP/1.1 205 Reset Content\r\ncontent-length: 3\r\n\r\nabc"
                : "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
            );
          }
        } catch {
          // The agent closed this connection: what the test waits for.
        } finally {
          conn.close();
        }
      })());
    }
  })();
  const agent = new Agent();
  const reset = await agent.request("POST", `http://127.0.0.1:${port}/form`, {
    body: "x",
  });
  assertEquals(reset.status, 205);
  assertEquals(reset.body, null);
  const next = await agent.request("GET", `http://127.0.0.1:${port}/`);
  assertEquals(await next.text(), "ok");
  await agent.close();
  // Every connection the agent opened ends: none is held for a body nobody reads.
  await Promise.all(connections);
  listener.close();
  await accepting;
});
