/**
 * The PROXY protocol against HAProxy (Debian `haproxy`): a Spindle HTTP
 * server behind `send-proxy` (v1) and `send-proxy-v2`, with HAProxy's
 * health checks (v2 LOCAL) going to it too.
 */
import { assertEquals, test } from "../../../trial/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import "../../../protocols/haproxy/mod.ts";
import { serveHTTP } from "../../../protocols/http/mod.ts";

const haproxy = findPeer(PEERS.haproxy);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Connects to `port` until it accepts, for at most 5 s. */
async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nothing listens on ${port} after 5 s`);
}

/** A GET through `port`: the client's own address, and the answer's body. */
async function get(
  port: number,
): Promise<{ local: Deno.NetAddr; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    encoder.encode("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
  );
  let text = "";
  const buffer = new Uint8Array(4096);
  for (let n; (n = await conn.read(buffer)) !== null;) {
    text += decoder.decode(buffer.subarray(0, n));
  }
  const local = conn.localAddr as Deno.NetAddr;
  conn.close();
  return { local, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

test(
  "behind HAProxy's send-proxy and send-proxy-v2, the handler sees the client's own address and port",
  async (t) => {
    const logs = captureLogs({ namespace: "spindle.haproxy", level: "warn" });
    const server = await serveHTTP(
      (_request, info) => Response.json(info.remoteAddr),
      { listen: "haproxy:tcp:0:interface=127.0.0.1", reactor: t.reactor },
    );
    const backend = (server.addr as Deno.NetAddr).port;
    const [v1, v2] = [freePort(), freePort()];
    const config = await Deno.makeTempFile({ suffix: ".cfg" });
    await Deno.writeTextFile(
      config,
      `defaults
  mode tcp
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend v1
  bind 127.0.0.1:${v1}
  default_backend v1
frontend v2
  bind 127.0.0.1:${v2}
  default_backend v2
backend v1
  server s 127.0.0.1:${backend} send-proxy
backend v2
  server s 127.0.0.1:${backend} send-proxy-v2 check inter 100ms check-send-proxy
`,
    );
    const child = new Deno.Command(haproxy.path, {
      args: ["-db", "-f", config],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      await waitForPort(v1);
      await waitForPort(v2);
      for (const port of [v1, v2]) {
        const { local, body } = await get(port);
        const seen = JSON.parse(body);
        assertEquals([seen.hostname, seen.port], [local.hostname, local.port]);
      }
      // Health checks (v2 LOCAL headers) ran meanwhile: a few more rounds.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assertEquals(logs.messages(), []);
    } finally {
      logs.stop();
      child.kill();
      await child.status;
      await server.shutdown();
      await Deno.remove(config);
    }
  },
  { ignore: haproxy.ignore },
);
