/** The haproxy: endpoint wrapper and readProxyHeader: real addresses, trust, deadlines. */
import { assertEquals, assertRejects, test } from "../../../trial/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import {
  HAProxyServerEndpoint,
  ProxyHeaderError,
  ProxyHeaderTimeoutError,
  proxyInfoOf,
  readProxyHeader,
  sendProxyHeader,
} from "../../../protocols/haproxy/mod.ts";
import { serveHTTP } from "../../../protocols/http/mod.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import { serverFromString } from "../../../reactor/endpoints/mod.ts";
import type { TestContext } from "../../../trial/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CLIENT = {
  transport: "tcp" as const,
  hostname: "203.0.113.7",
  port: 40000,
};

/** An HTTP server on haproxy:`inner` that answers with the addresses it sees. */
async function whoami(t: TestContext, description: string) {
  const server = await serveHTTP((_request, info) =>
    Response.json({
      remote: info.remoteAddr,
      proxy: proxyInfoOf(info.remoteAddr)?.proxyAddr ?? null,
    }), { listen: description, reactor: t.reactor });
  t.addCleanup(() => server.shutdown());
  return (server.addr as Deno.NetAddr).port;
}

/** Sends `prefix` then a GET; everything the server answers before closing (it may reset). */
async function ask(port: number, prefix: Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let text = "";
  try {
    await conn.write(prefix);
    await conn.write(encoder.encode(
      "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ));
    const buffer = new Uint8Array(4096);
    for (let n; (n = await conn.read(buffer)) !== null;) {
      text += decoder.decode(buffer.subarray(0, n));
    }
  } catch {
    // Reset by the server: it answered nothing more.
  }
  conn.close();
  return text;
}

const V1 = encoder.encode("PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\n");

test("haproxy:tcp: parses as a wrapper and prints back the same", () => {
  const endpoint = serverFromString(
    {} as never,
    "haproxy:tcp:8080:interface=127.0.0.1:trusted=10.0.0.0/8,192.168.0.0/16:headerTimeout=2",
    { transport: "stream" },
  );
  assertEquals(endpoint instanceof HAProxyServerEndpoint, true);
  assertEquals(
    endpoint.toString(),
    "haproxy:tcp:8080:interface=127.0.0.1:trusted=10.0.0.0/8,192.168.0.0/16:headerTimeout=2",
  );
});

test("behind a v1 header, the handler's remoteAddr is the client's and the proxy's address stays available", async (t) => {
  const port = await whoami(t, "haproxy:tcp:0:interface=127.0.0.1");
  const answer = await ask(port, V1);
  const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
  assertEquals(body.remote, CLIENT);
  assertEquals(body.proxy.hostname, "127.0.0.1");
});

test("behind a v2 header sent with sendProxyHeader, the same", async (t) => {
  const port = await whoami(t, "haproxy:tcp:0:interface=127.0.0.1");
  const conn = await t.reactor.connectTCP("127.0.0.1", port);
  await sendProxyHeader(conn, {
    source: CLIENT,
    destination: { transport: "tcp", hostname: "127.0.0.1", port },
  });
  await conn.write(encoder.encode(
    "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  ));
  let text = "";
  for (let chunk; (chunk = await conn.read()) !== null;) {
    text += decoder.decode(chunk);
  }
  await conn.close();
  assertEquals(
    JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)).remote,
    CLIENT,
  );
});

test("a connection from an untrusted source is closed unanswered, with a log line", async (t) => {
  const port = await whoami(
    t,
    "haproxy:tcp:0:interface=127.0.0.1:trusted=10.0.0.0/8",
  );
  const logs = captureLogs({ namespace: "spindle.haproxy" });
  assertEquals(await ask(port, V1), "");
  assertEquals(logs.records.length, 1);
  assertEquals(logs.messages()[0]!.includes("closed a connection"), true);
  logs.stop();
});

test("a missing or malformed header closes the connection with no HTTP answer", async (t) => {
  const port = await whoami(t, "haproxy:tcp:0:interface=127.0.0.1");
  const logs = captureLogs({ namespace: "spindle.haproxy" });
  assertEquals(await ask(port, new Uint8Array(0)), "");
  assertEquals(
    await ask(port, encoder.encode("PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n")),
    "",
  );
  assertEquals(logs.records.length, 2);
  logs.stop();
});

test("a header not complete within the header timeout fails with ProxyHeaderTimeoutError", async (t) => {
  const [proxy, backend] = connectedPair();
  await proxy.write(encoder.encode("PROXY TCP4 1.2.3.4"));
  const reading = readProxyHeader(backend, { clock: t.clock });
  t.clock.advance(4999);
  await Promise.resolve();
  t.clock.advance(1);
  await assertRejects(() => reading, ProxyHeaderTimeoutError);
  proxy.abort();
});

test("a connection that ends inside its header fails with ProxyHeaderError", async (t) => {
  const [proxy, backend] = connectedPair();
  await proxy.write(encoder.encode("PROXY TCP4"));
  await proxy.close();
  await assertRejects(
    () => readProxyHeader(backend, { clock: t.clock }),
    ProxyHeaderError,
  );
  await backend.close();
});

test("v1 UNKNOWN and v2 LOCAL are served with the connection's own address", async (t) => {
  const port = await whoami(t, "haproxy:tcp:0:interface=127.0.0.1");
  const answer = await ask(port, encoder.encode("PROXY UNKNOWN\r\n"));
  const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
  assertEquals(body.remote.hostname, "127.0.0.1");
  assertEquals(body.proxy.hostname, "127.0.0.1");
});
