/**
 * HTTP/2 through serveHTTP against real clients: curl (prior knowledge on
 * cleartext, ALPN on TLS), nghttp with 100 concurrent streams, and node's
 * `node:http2` client (request and response trailers).
 */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import {
  type HTTPServer,
  requestTrailers,
  type ServeHandler,
  serveHTTP,
  withTrailers,
} from "../../../protocols/http/mod.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const curl = findPeer(PEERS.curl);
const nghttp = findPeer(PEERS.nghttp);
const node = findPeer(PEERS.node);
const decoder = new TextDecoder();

async function run(command: string, args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

/** A byte count and a checksum that sees every byte's value and place. */
function checksum(bytes: Uint8Array, state = { length: 0, sum: 0 }) {
  let sum = state.sum;
  for (let i = 0; i < bytes.byteLength; i++) {
    sum = (sum * 31 + bytes[i]!) >>> 0;
  }
  return { length: state.length + bytes.byteLength, sum };
}

const handler: ServeHandler = async (request) => {
  const url = new URL(request.url);
  switch (url.pathname) {
    case "/upload": {
      let state = { length: 0, sum: 0 };
      for await (const chunk of request.body!) state = checksum(chunk, state);
      const trailers = await requestTrailers(request);
      return Response.json({ ...state, trailer: trailers.get("x-sum") });
    }
    case "/204":
      return new Response(null, { status: 204 });
    case "/304":
      return new Response(null, { status: 304, headers: { etag: '"a"' } });
    case "/trailers":
      return withTrailers(
        new Response(new Blob(["with trailers\n"]).stream()),
        () => ({ "x-checksum": "abc123" }),
      );
    default:
      return new Response(`hello ${request.method} ${url.pathname}\n`, {
        headers: {
          "content-length": String(
            `hello ${request.method} ${url.pathname}\n`.length,
          ),
        },
      });
  }
};

async function withServer(
  body: (base: string, server: HTTPServer) => Promise<void>,
  listen = "tcp:0:interface=127.0.0.1",
): Promise<void> {
  const server = await serveHTTP(handler, { listen });
  try {
    await body(`127.0.0.1:${(server.addr as Deno.NetAddr).port}`, server);
  } finally {
    await server.shutdown();
  }
}

test("HTTP/2: curl --http2-prior-knowledge GETs over cleartext", async () => {
  await withServer(async (host) => {
    const { stdout, stderr } = await run(curl.path, [
      "-sv",
      "--http2-prior-knowledge",
      `http://${host}/a`,
    ]);
    assertEquals(stdout, "hello GET /a\n");
    assert(stderr.includes("< HTTP/2 200"), stderr);
  });
}, { ignore: curl.ignore });

test("HTTP/2: the same cleartext port still serves HTTP/1.1", async () => {
  await withServer(async (host) => {
    const { stdout, stderr } = await run(curl.path, [
      "-sv",
      "--http1.1",
      `http://${host}/b`,
    ]);
    assertEquals(stdout, "hello GET /b\n");
    assert(stderr.includes("< HTTP/1.1 200"), stderr);
  });
}, { ignore: curl.ignore });

test(
  "HTTP/2: curl --http2 negotiates h2 by ALPN on a tls: endpoint",
  async () => {
    const pki = await makeTestPki();
    await withServer(
      async (host) => {
        const port = host.split(":")[1];
        const { stdout, stderr } = await run(curl.path, [
          "-sv",
          "--http2",
          "--cacert",
          `${pki.dir}/ca.pem`,
          `https://localhost:${port}/tls`,
        ]);
        assertEquals(stdout, "hello GET /tls\n");
        assert(/ALPN.*server accepted h2/.test(stderr), stderr);
        assert(stderr.includes("< HTTP/2 200"), stderr);
      },
      `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
    );
  },
  { ignore: curl.ignore },
);

test("HTTP/2: curl POSTs 64 MiB and the handler reads every byte", async () => {
  const data = new Uint8Array(64 * 1024 * 1024);
  for (let i = 0; i < data.byteLength; i += 4096) data[i] = (i >>> 12) & 0xff;
  data[data.byteLength - 1] = 7;
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeFile(file, data);
    await withServer(async (host) => {
      const { stdout } = await run(curl.path, [
        "-s",
        "--http2-prior-knowledge",
        "--data-binary",
        `@${file}`,
        `http://${host}/upload`,
      ]);
      const got = JSON.parse(stdout);
      const want = checksum(data);
      assertEquals([got.length, got.sum], [want.length, want.sum]);
    });
  } finally {
    await Deno.remove(file);
  }
}, { ignore: curl.ignore });

test("HTTP/2: HEAD gets the GET's headers and no body", async () => {
  await withServer(async (host) => {
    const { stdout } = await run(curl.path, [
      "-sI",
      "--http2-prior-knowledge",
      `http://${host}/h`,
    ]);
    assert(stdout.startsWith("HTTP/2 200"), stdout);
    assert(/content-length: 14/i.test(stdout), stdout); // "hello HEAD /h\n"
  });
}, { ignore: curl.ignore });

test("HTTP/2: 204 and 304 end at their headers", async () => {
  await withServer(async (host) => {
    for (const status of [204, 304]) {
      const { stdout, code } = await run(curl.path, [
        "-s",
        "--http2-prior-knowledge",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{size_download}",
        `http://${host}/${status}`,
      ]);
      assertEquals([code, stdout], [0, `${status} 0`]);
    }
  });
}, { ignore: curl.ignore });

test("HTTP/2: response trailers reach curl", async () => {
  await withServer(async (host) => {
    const { stdout, stderr } = await run(curl.path, [
      "-sv",
      "--http2-prior-knowledge",
      `http://${host}/trailers`,
    ]);
    assertEquals(stdout, "with trailers\n");
    assert(/x-checksum: abc123/.test(stderr), stderr);
  });
}, { ignore: curl.ignore });

test(
  "HTTP/2: nghttp -m 100 gets 100 answers on concurrent streams",
  async () => {
    await withServer(async (host) => {
      const { code, stdout } = await run(nghttp.path, [
        "-ns",
        "-m",
        "100",
        `http://${host}/many`,
      ]);
      assertEquals(code, 0);
      const answers = stdout.split("\n").filter((line) => / 200 /.test(line));
      assertEquals(answers.length, 100);
    });
  },
  { ignore: nghttp.ignore },
);

// node:http2: a POST with request trailers, then a GET whose response has trailers.
const NODE_CLIENT = `
const http2 = require("node:http2");
const session = http2.connect(process.argv[1]);
const post = session.request({ ":method": "POST", ":path": "/upload" }, { waitForTrailers: true });
post.on("wantTrailers", () => post.sendTrailers({ "x-sum": "42" }));
let body = "";
post.setEncoding("utf8");
post.on("data", (d) => body += d);
post.on("end", () => {
  const get = session.request({ ":path": "/trailers" });
  let text = "";
  get.setEncoding("utf8");
  get.on("data", (d) => text += d);
  get.on("trailers", (t) => { text += "trailer " + t["x-checksum"]; });
  get.on("end", () => { console.log(JSON.stringify({ body, text })); session.close(); });
});
post.end("abc");
`;

test(
  "HTTP/2: node:http2 sends request trailers and receives response trailers",
  async () => {
    await withServer(async (host) => {
      const { code, stdout, stderr } = await run(node.path, [
        "-e",
        NODE_CLIENT,
        `http://${host}`,
      ]);
      assertEquals(code, 0, stderr);
      const { body, text } = JSON.parse(stdout);
      assertEquals(JSON.parse(body).trailer, "42");
      assertEquals(JSON.parse(body).length, 3);
      assertEquals(text, "with trailers\ntrailer abc123");
    });
  },
  { ignore: node.ignore },
);
