/**
 * Interop with real peers on loopback: curl, Python's http.client and
 * Twisted's Agent against the Spindle server; the Spindle Agent against
 * twisted.web and `python3 -m http.server`.
 */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import {
  Agent,
  type HTTPServer,
  type ServeHandler,
  serveHTTP,
  type ServeOptions,
  staticFiles,
} from "../../../protocols/http/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const decoder = new TextDecoder();

const curl = findPeer(PEERS.curl);
const python = findPeer(PEERS.python);
const twisted = findPeer(PEERS.twisted);

async function run(
  command: string,
  args: string[],
  stdin?: Uint8Array,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(command, {
    args,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

async function withServer(
  handler: ServeHandler,
  body: (base: string, server: HTTPServer) => Promise<void>,
  options: ServeOptions = {},
): Promise<void> {
  const server = await serveHTTP(handler, {
    listen: "tcp:0:interface=127.0.0.1",
    ...options,
  });
  try {
    await body(
      `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
      server,
    );
  } finally {
    await server.shutdown();
  }
}

/** A peer server process that prints its port on its first line. */
async function withPeer(
  command: string,
  args: string[],
  portPattern: RegExp,
  body: (base: string) => Promise<void>,
  cwd?: string,
): Promise<void> {
  const child = new Deno.Command(command, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let port: string | undefined;
  while (port === undefined) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`the peer exited before listening: ${seen}`);
    seen += value;
    port = portPattern.exec(seen)?.[1];
  }
  try {
    await body(`http://127.0.0.1:${port}`);
  } finally {
    child.kill("SIGTERM");
    await lines.cancel();
    await child.stderr.cancel();
    await child.status;
  }
}

const app: ServeHandler = async (request, info) => {
  const url = new URL(request.url);
  if (url.pathname === "/echo") {
    const body = await request.arrayBuffer();
    return new Response(body, {
      headers: {
        "x-length": String(body.byteLength),
        "x-te": request.headers.get("transfer-encoding") ?? "none",
      },
    });
  }
  if (url.pathname === "/peer") {
    const addr = info.remoteAddr as Deno.NetAddr;
    return new Response(`${addr.port}\n`);
  }
  if (url.pathname === "/chunked") {
    return new Response(
      new Blob(["one,", "two,", "three"]).stream().pipeThrough(
        new TransformStream(),
      ),
    );
  }
  return new Response("hello from spindle\n");
};

const curlOptions = { ignore: curl.ignore };
const twistedOptions = { ignore: twisted.ignore };
const pythonOptions = { ignore: python.ignore };

test("curl: HTTP/1.0 request", async () => {
  await withServer(app, async (base) => {
    const r = await run(curl.path, ["-s", "-i", "--http1.0", `${base}/`]);
    assert(r.stdout.startsWith("HTTP/1.1 200 OK\r\n"), r.stdout);
    assert(r.stdout.includes("connection: close\r\n"), r.stdout);
    assert(r.stdout.endsWith("hello from spindle\n"), r.stdout);
  });
}, curlOptions);

test("curl: two requests reuse one keep-alive connection", async () => {
  await withServer(app, async (base) => {
    const r = await run(curl.path, [
      "-s",
      "-v",
      `${base}/peer`,
      `${base}/peer`,
    ]);
    const ports = r.stdout.match(/\d+/g) ?? [];
    assertEquals(ports.length, 2, r.stdout);
    assertEquals(ports[0], ports[1]);
    assert(/Re-?using existing connection/i.test(r.stderr), r.stderr);
  });
}, curlOptions);

test("curl: a chunked upload", async () => {
  await withServer(app, async (base) => {
    const payload = new Uint8Array(300_000).map((_, i) => i % 251);
    const r = await run(curl.path, [
      "-s",
      "-D",
      "-",
      "-o",
      "/dev/null",
      "-H",
      "Transfer-Encoding: chunked",
      "--data-binary",
      "@-",
      `${base}/echo`,
    ], payload);
    assert(r.stdout.includes("x-te: chunked\r\n"), r.stdout);
    assert(r.stdout.includes("x-length: 300000\r\n"), r.stdout);
  });
}, curlOptions);

test("curl: Expect: 100-continue", async () => {
  await withServer(app, async (base) => {
    const r = await run(curl.path, [
      "-s",
      "-v",
      "-H",
      "Expect: 100-continue",
      "--data-binary",
      "@-",
      `${base}/echo`,
    ], new Uint8Array(2_000_000));
    assert(r.stderr.includes("HTTP/1.1 100 Continue"), r.stderr);
    assert(r.stderr.includes("x-length: 2000000"), r.stderr);
  });
}, curlOptions);

test("curl: a byte range of a static file", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/data.txt`, "0123456789");
  await withServer(staticFiles(dir), async (base) => {
    const r = await run(curl.path, [
      "-s",
      "-i",
      "-r",
      "2-5",
      `${base}/data.txt`,
    ]);
    assert(r.stdout.startsWith("HTTP/1.1 206 Partial Content\r\n"), r.stdout);
    assert(r.stdout.includes("content-range: bytes 2-5/10\r\n"), r.stdout);
    assert(r.stdout.endsWith("\r\n\r\n2345"), r.stdout);
  });
  await Deno.remove(dir, { recursive: true });
}, curlOptions);

test("curl: HEAD", async () => {
  await withServer(app, async (base) => {
    const r = await run(curl.path, ["-s", "-I", `${base}/`]);
    assert(r.stdout.startsWith("HTTP/1.1 200 OK\r\n"), r.stdout);
    assert(r.stdout.includes("content-length: 19\r\n"), r.stdout);
    assert(r.stdout.endsWith("\r\n\r\n"), r.stdout);
  });
}, curlOptions);

test("curl: a chunked response", async () => {
  await withServer(app, async (base) => {
    const r = await run(curl.path, ["-s", "-i", `${base}/chunked`]);
    assert(r.stdout.includes("transfer-encoding: chunked\r\n"), r.stdout);
    assert(r.stdout.endsWith("one,two,three"), r.stdout);
  });
}, curlOptions);

const HTTP_CLIENT = `
import http.client, json, sys
port = int(sys.argv[1])
conn = http.client.HTTPConnection("127.0.0.1", port)
out = []
conn.request("GET", "/peer")
r = conn.getresponse(); out.append([r.status, r.read().decode()])
conn.request("GET", "/peer")
r = conn.getresponse(); out.append([r.status, r.read().decode()])
conn.request("POST", "/echo", body=b"x" * 1000)
r = conn.getresponse(); out.append([r.status, len(r.read()), r.getheader("x-te")])
conn.request("POST", "/echo", body=iter([b"ab", b"cd"]), encode_chunked=True, headers={"Transfer-Encoding": "chunked"})
r = conn.getresponse(); out.append([r.status, r.read().decode(), r.getheader("x-te")])
conn.request("GET", "/chunked")
r = conn.getresponse(); out.append([r.status, r.read().decode()])
print(json.dumps(out))
`;

test("Python http.client: keep-alive, bodies, chunked both ways", async () => {
  await withServer(app, async (base) => {
    const port = new URL(base).port;
    const r = await run(python.path, ["-c", HTTP_CLIENT, port]);
    assertEquals(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assertEquals(out[0][1], out[1][1]); // the same connection (peer port) twice
    assertEquals(out.slice(2), [[200, 1000, "none"], [200, "abcd", "chunked"], [
      200,
      "one,two,three",
    ]]);
  });
}, pythonOptions);

const TWISTED_AGENT = `
import sys, json
from twisted.internet import reactor, defer
from twisted.web.client import Agent, HTTPConnectionPool, readBody
from twisted.web.client import FileBodyProducer
from io import BytesIO
port = int(sys.argv[1])
pool = HTTPConnectionPool(reactor, persistent=True)
agent = Agent(reactor, pool=pool)
@defer.inlineCallbacks
def main():
    out = []
    base = ("http://127.0.0.1:%d" % port).encode()
    for _ in range(2):
        r = yield agent.request(b"GET", base + b"/peer")
        out.append([r.code, (yield readBody(r)).decode()])
    r = yield agent.request(b"POST", base + b"/echo", bodyProducer=FileBodyProducer(BytesIO(b"twisted" * 100)))
    out.append([r.code, len((yield readBody(r)))])
    r = yield agent.request(b"GET", base + b"/chunked")
    out.append([r.code, (yield readBody(r)).decode()])
    print(json.dumps(out))
    yield pool.closeCachedConnections()
def run():
    d = main()
    d.addErrback(lambda f: (print(f.getTraceback(), file=sys.stderr), 1))
    d.addBoth(lambda _: reactor.stop())
reactor.callWhenRunning(run)
reactor.run()
`;

test("Twisted Agent: persistent pool, bodies, chunked response", async () => {
  await withServer(app, async (base) => {
    const r = await run(twisted.path, [
      "-c",
      TWISTED_AGENT,
      new URL(base).port,
    ]);
    assertEquals(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assertEquals(out[0][1], out[1][1]);
    assertEquals(out.slice(2), [[200, 700], [200, "one,two,three"]]);
  });
}, twistedOptions);

const TWISTED_WEB = `
import sys
from twisted.internet import reactor
from twisted.web import server, resource
class Root(resource.Resource):
    isLeaf = True
    def render_GET(self, request):
        if request.path == b"/chunked":
            request.write(b"alpha,")
            request.write(b"beta,")
            reactor.callLater(0.01, lambda: (request.write(b"gamma"), request.finish()))
            return server.NOT_DONE_YET
        if request.path == b"/redirect":
            request.redirect(b"/hello")
            return b""
        return b"hello from twisted"
    def render_POST(self, request):
        return b"got " + request.content.read()
site = server.Site(Root())
port = reactor.listenTCP(0, site, interface="127.0.0.1")
print("listening on 127.0.0.1:%d" % port.getHost().port, flush=True)
reactor.run()
`;

test("Spindle Agent against twisted.web", async () => {
  await withPeer(
    twisted.path,
    ["-c", TWISTED_WEB],
    /listening on [\d.]+:(\d+)/,
    async (base) => {
      const agent = new Agent();
      const hello = await agent.request("GET", `${base}/hello`);
      assertEquals([hello.status, await hello.text()], [
        200,
        "hello from twisted",
      ]);
      const chunked = await agent.request("GET", `${base}/chunked`);
      assertEquals(await chunked.text(), "alpha,beta,gamma");
      const posted = await agent.request("POST", `${base}/p`, {
        body: "spindle",
      });
      assertEquals(await posted.text(), "got spindle");
      const redirected = await agent.request("GET", `${base}/redirect`);
      assertEquals([redirected.url, await redirected.text()], [
        `${base}/hello`,
        "hello from twisted",
      ]);
      assertEquals(agent.idleConnectionCount, 1);
      await agent.close();
    },
  );
}, twistedOptions);

test("Spindle Agent against python3 -m http.server (HTTP/1.0)", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/file.txt`, "served by python");
  await withPeer(
    python.path,
    ["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"],
    /port (\d+)/,
    async (base) => {
      const agent = new Agent();
      for (let i = 0; i < 2; i++) {
        const response = await agent.request("GET", `${base}/file.txt`);
        assertEquals([response.status, await response.text()], [
          200,
          "served by python",
        ]);
      }
      const missing = await agent.request("GET", `${base}/missing`);
      assertEquals(missing.status, 404);
      await missing.body?.cancel();
      assertEquals(agent.idleConnectionCount, 0); // HTTP/1.0 without keep-alive
      await agent.close();
    },
    dir,
  );
  await Deno.remove(dir, { recursive: true });
}, pythonOptions);

const GIB = 1024 * 1024 * 1024;

test(
  "curl: 1 GiB up (chunked) and down (chunked) in bounded memory",
  async () => {
    const block = new Uint8Array(64 * 1024);
    let received = 0;
    let peakRss = 0;
    const sample = () => peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
    const before = Deno.memoryUsage().rss;
    await withServer(async (request) => {
      if (request.method === "PUT") {
        for await (const chunk of request.body!) {
          received += chunk.byteLength;
          if ((received & 0x3ffffff) === 0) sample();
        }
        return new Response(String(received));
      }
      let sent = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= GIB) return controller.close();
            sent += block.byteLength;
            if ((sent & 0x3ffffff) === 0) sample();
            controller.enqueue(block);
          },
        }, { highWaterMark: 0 }),
      );
    }, async (base) => {
      const up = await run("sh", [
        "-c",
        `head -c ${GIB} /dev/zero | curl -s -T - ${base}/up`,
      ]);
      assertEquals(up.stdout, String(GIB), up.stderr);
      const down = await run(curl.path, [
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{size_download}",
        `${base}/down`,
      ]);
      assertEquals(down.stdout, String(GIB), down.stderr);
    }, { maxBodySize: Infinity }); // a streaming handler opts out of the limit
    assert(
      peakRss - before < 256 * 1024 * 1024,
      `memory grew by ${(peakRss - before) >> 20} MiB`,
    );
  },
  { ...curlOptions, timeout: 240_000 },
);
