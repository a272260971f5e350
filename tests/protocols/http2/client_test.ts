/**
 * The Agent over HTTP/2: ALPN `h2` on https: against nghttpd, prior
 * knowledge on cleartext against Deno.serve, and against Spindle's own server
 * (multiplexing on one connection, streamed bodies both ways, trailers).
 */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import {
  Agent,
  responseTrailers,
  serveHTTP,
  withTrailers,
} from "../../../protocols/http/mod.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const nghttpd = findPeer(PEERS.nghttpd);

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(`nothing listens on port ${port} after 5 s`);
}

test(
  "HTTP/2 client: the Agent negotiates h2 by ALPN with nghttpd and fetches its files",
  async () => {
    const pki = await makeTestPki();
    const root = await Deno.makeTempDir();
    const data = new Uint8Array(300_000).map((_, i) => i * 7);
    await Deno.writeFile(`${root}/data.bin`, data);
    await Deno.writeTextFile(`${root}/index.html`, "<p>nghttpd</p>\n");
    const port = freePort();
    const child = new Deno.Command(nghttpd.path, {
      args: [
        "-d",
        root,
        "--address=127.0.0.1",
        String(port),
        `${pki.dir}/localhost.key`,
        `${pki.dir}/localhost.pem`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const agent = new Agent({ tls: { caCerts: [pki.caCert] } });
    try {
      await waitForPort(port);
      const [page, bytes] = await Promise.all([
        agent.request("GET", `https://localhost:${port}/index.html`),
        agent.request("GET", `https://localhost:${port}/data.bin`),
      ]);
      assertEquals(await page.text(), "<p>nghttpd</p>\n");
      assertEquals(new Uint8Array(await bytes.arrayBuffer()), data);
      // Both went over HTTP/2, so nothing sits in the HTTP/1.1 pool.
      assertEquals(agent.idleConnectionCount, 0);
    } finally {
      await agent.close();
      child.kill();
      await child.status;
      await Deno.remove(root, { recursive: true });
    }
  },
  { ignore: nghttpd.ignore },
);

test("HTTP/2 client: the Agent speaks prior knowledge to Deno.serve", async () => {
  const seen: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      seen.push(request.method);
      const body = request.body ? await request.text() : "";
      return new Response(`deno ${request.method} ${body}`);
    },
  );
  const agent = new Agent({ http2: "prior-knowledge" });
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    const get = await agent.request("GET", `${base}/`);
    assertEquals(await get.text(), "deno GET ");
    const post = await agent.request("POST", `${base}/`, { body: "hi" });
    assertEquals(await post.text(), "deno POST hi");
    assertEquals(agent.idleConnectionCount, 0);
  } finally {
    await agent.close();
    await server.shutdown();
  }
});

test("HTTP/2 client: requests to one origin share one connection, up to the server's stream limit", async () => {
  const peers = new Set<string>();
  let active = 0;
  let most = 0;
  const server = await serveHTTP(async (_request, info) => {
    peers.add(`${(info.remoteAddr as Deno.NetAddr).port}`);
    most = Math.max(most, ++active);
    await new Promise((resolve) => setTimeout(resolve, 20));
    active--;
    return new Response("ok");
  }, {
    listen: "tcp:0:interface=127.0.0.1",
    http2: { maxConcurrentStreams: 8 },
  });
  const agent = new Agent({ http2: "prior-knowledge" });
  try {
    const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
    const responses = await Promise.all(
      Array.from(
        { length: 40 },
        (_, i) => agent.request("GET", `${base}/${i}`),
      ),
    );
    for (const response of responses) assertEquals(await response.text(), "ok");
    assertEquals(peers.size, 1);
    assert(most <= 8 && most > 1, `${most} at once`);
  } finally {
    await agent.close();
    await server.shutdown();
  }
});

test("HTTP/2 client: bodies stream both ways under flow control, and trailers arrive", async () => {
  const size = 8 * 1024 * 1024;
  const server = await serveHTTP(async (request) => {
    let n = 0;
    for await (const chunk of request.body!) n += chunk.byteLength;
    const out = new Uint8Array(size).fill(1);
    return withTrailers(
      new Response(new Blob([out]).stream()),
      () => ({ "x-received": String(n) }),
    );
  }, {
    listen: "tcp:0:interface=127.0.0.1",
    // Small windows, so both directions wait on WINDOW_UPDATE many times.
    http2: { streamWindowSize: 65535, connectionWindowSize: 65535 },
  });
  const agent = new Agent({ http2: "prior-knowledge" });
  try {
    const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
    const upload = new Blob([new Uint8Array(size)]).stream();
    const response = await agent.request("POST", `${base}/`, { body: upload });
    assertEquals((await response.arrayBuffer()).byteLength, size);
    assertEquals(
      (await responseTrailers(response)).get("x-received"),
      String(size),
    );
  } finally {
    await agent.close();
    await server.shutdown();
  }
});

test("HTTP/2 client: cancelling a request resets its stream, and the connection serves the next", async () => {
  let aborted!: () => void;
  const handlerSawAbort = new Promise<void>((resolve) => aborted = resolve);
  const server = await serveHTTP((request) => {
    if (new URL(request.url).pathname !== "/slow") return new Response("ok");
    return new Promise((resolve) =>
      request.signal.addEventListener("abort", () => {
        aborted();
        resolve(new Response("late"));
      })
    );
  }, { listen: "tcp:0:interface=127.0.0.1" });
  const agent = new Agent({ http2: "prior-knowledge" });
  try {
    const base = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
    const slow = agent.request("GET", `${base}/slow`);
    const failed = slow.then(
      () => "answered",
      (error) => (error as Error).name,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    slow.cancel();
    assertEquals(await failed, "CancelledError");
    await handlerSawAbort;
    assertEquals(await (await agent.request("GET", `${base}/`)).text(), "ok");
  } finally {
    await agent.close();
    await server.shutdown();
  }
});
