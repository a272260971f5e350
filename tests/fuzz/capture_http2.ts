/**
 * Captures the HTTP/2 fuzz seeds from real clients, once: curl, nghttp and
 * node's `node:http2` talk to Spindle's HTTP/2 server through a recording
 * proxy, and what each client sent becomes a seed of `http2-frames` (its
 * frames, the preface cut off) and of `hpack` (its header blocks, joined, so
 * the dynamic table carries over as on the wire). Run it again by hand when
 * the clients' traffic should be refreshed:
 *
 *     deno run -A tests/fuzz/capture_http2.ts
 *
 * It needs the Debian packages `curl` and `nghttp2-client`, and node.
 *
 * @module
 */
import { serveHTTP } from "../../protocols/http/mod.ts";
import {
  CONNECTION_PREFACE,
  Flag,
  type Frame,
  FrameDecoderCore,
  FrameType,
  unpad,
} from "../../protocols/http2/mod.ts";
import { concatChunks } from "../../reactor/bytes.ts";

const corpus = new URL("./corpus/", import.meta.url);

async function save(codec: string, name: string, data: Uint8Array) {
  const dir = new URL(`${codec}/`, corpus);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(new URL(name, dir), data);
  console.log(`${codec}/${name}: ${data.length} bytes`);
}

async function run(command: string, args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command(command, {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`${command} failed: ${new TextDecoder().decode(stderr)}`);
  }
}

/** What `client` sends to the server at `port`, recorded by a proxy in between. */
async function record(
  serverPort: number,
  client: (port: number) => Promise<void>,
): Promise<Uint8Array> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sent: Uint8Array[] = [];
  const proxied = (async () => {
    const inbound = await listener.accept();
    const outbound = await Deno.connect({
      hostname: "127.0.0.1",
      port: serverPort,
    });
    const pump = async (from: Deno.Conn, to: Deno.Conn, log?: Uint8Array[]) => {
      const buffer = new Uint8Array(65536);
      try {
        while (true) {
          const n = await from.read(buffer);
          if (n === null) break;
          log?.push(buffer.slice(0, n));
          for (let done = 0; done < n;) {
            done += await to.write(buffer.subarray(done, n));
          }
        }
        await to.closeWrite();
      } catch {
        // One side went away: the other ends too.
      }
    };
    const up = pump(inbound, outbound, sent);
    const down = pump(outbound, inbound);
    await Promise.all([up, down]);
    inbound.close();
    outbound.close();
  })();
  await client(listener.addr.port);
  await proxied;
  listener.close();
  return concatChunks(sent);
}

/** The header blocks of `frames`, joined (padding and priority fields cut). */
function headerBlocks(frames: Frame[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const frame of frames) {
    if (frame.type === FrameType.HEADERS) {
      const payload = unpad(frame);
      blocks.push(
        frame.flags & Flag.PRIORITY ? payload.subarray(5) : payload,
      );
    } else if (frame.type === FrameType.CONTINUATION) {
      blocks.push(frame.payload);
    }
  }
  return concatChunks(blocks);
}

const NODE_CLIENT = `
const http2 = require("node:http2");
const session = http2.connect(process.argv[1]);
const post = session.request(
  { ":method": "POST", ":path": "/upload?x=1", "content-type": "text/plain", cookie: "a=1" },
  { waitForTrailers: true },
);
post.on("wantTrailers", () => post.sendTrailers({ "x-sum": "42" }));
post.resume();
post.on("end", () => {
  const get = session.request({ ":path": "/next", "accept-language": "en" });
  get.resume();
  get.on("end", () => session.close());
});
post.end("hello body");
`;

if (import.meta.main) {
  await using server = await serveHTTP(async (request) => {
    await request.body?.cancel();
    return new Response("ok\n");
  }, { listen: "tcp:0:interface=127.0.0.1" });
  const port = (server.addr as Deno.NetAddr).port;
  const clients: Array<[string, (port: number) => Promise<void>]> = [
    ["curl_get", (p) =>
      run("curl", [
        "-sS",
        "--http2-prior-knowledge",
        "-o",
        "/dev/null",
        "-H",
        "x-custom: value",
        `http://127.0.0.1:${p}/a?b=c`,
      ])],
    ["curl_post", (p) =>
      run("curl", [
        "-sS",
        "--http2-prior-knowledge",
        "-o",
        "/dev/null",
        "--data-binary",
        "posted bytes",
        `http://127.0.0.1:${p}/form`,
      ])],
    ["nghttp_many", (p) =>
      run("nghttp", [
        "-n",
        "-m",
        "4",
        "-H",
        "user-agent: fuzz",
        `http://127.0.0.1:${p}/many`,
      ])],
    [
      "node_trailers",
      (p) => run("node", ["-e", NODE_CLIENT, `http://127.0.0.1:${p}`]),
    ],
  ];
  for (const [name, client] of clients) {
    const bytes = await record(port, client);
    const frames = bytes.subarray(CONNECTION_PREFACE.byteLength);
    await save("http2-frames", name, frames);
    const decoded: Frame[] = [];
    new FrameDecoderCore().decode(frames, decoded);
    await save("hpack", name, headerBlocks(decoded));
  }
}
