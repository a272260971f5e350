/** serveHTTP and HTTPFactory: listening, graceful shutdown, endpoint errors. */
import {
  assert,
  assertEquals,
  assertRejects,
  test,
} from "../../../trial/mod.ts";
import { serveHTTP } from "../../../protocols/http/mod.ts";
import { EndpointTransportError } from "../../../reactor/endpoints/mod.ts";

test("serveHTTP listens on an endpoint string and answers", async () => {
  const server = await serveHTTP(() => new Response("up"), {
    listen: "tcp:0:interface=127.0.0.1",
  });
  const { port } = server.addr as Deno.NetAddr;
  const response = await fetch(`http://127.0.0.1:${port}/`);
  assertEquals(await response.text(), "up");
  await server.shutdown();
});

test("serveHTTP's finished resolves once shutdown has stopped it", async () => {
  const server = await serveHTTP(() => new Response("up"), {
    listen: "tcp:0:interface=127.0.0.1",
  });
  let finished = false;
  server.finished.then(() => finished = true);
  await server.shutdown();
  await server.finished;
  assert(finished);
});

test("serveHTTP's server stops at the end of an await using block", async () => {
  let addr: Deno.NetAddr;
  {
    await using server = await serveHTTP(() => new Response("up"), {
      listen: "tcp:0:interface=127.0.0.1",
    });
    addr = server.addr as Deno.NetAddr;
  }
  await assertRejects(() =>
    Deno.connect({ hostname: "127.0.0.1", port: addr.port })
  );
});

test("serveHTTP refuses a datagram endpoint with EndpointTransportError", async () => {
  await assertRejects(
    () => serveHTTP(() => new Response(""), { listen: "udp:0" }),
    EndpointTransportError,
  );
});

test("shutdown lets a busy response finish, then closes its connection", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  let started!: () => void;
  const inHandler = new Promise<void>((resolve) => started = resolve);
  const server = await serveHTTP(async () => {
    started();
    await gate;
    return new Response("finished");
  }, { listen: "tcp:0:interface=127.0.0.1" });
  const { port } = server.addr as Deno.NetAddr;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
  );
  await inHandler;
  let down = false;
  const stopping = server.shutdown().then(() => down = true);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert(!down, "shutdown finished while a response was in flight");
  release();
  const answer = await new Response(conn.readable).text();
  assert(answer.includes("connection: close\r\n"), answer);
  assert(answer.endsWith("finished"), answer);
  await stopping;
  assertEquals(server.factory.connectionCount, 0);
});

test("shutdown closes idle keep-alive connections at once", async () => {
  const server = await serveHTTP(() => new Response("x"), {
    listen: "tcp:0:interface=127.0.0.1",
  });
  const { port } = server.addr as Deno.NetAddr;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
  );
  const buffer = new Uint8Array(1024);
  await conn.read(buffer);
  await server.shutdown();
  assertEquals(await conn.read(buffer), null);
  conn.close();
});

test("draining answers a connection's first request that arrives after it began, then closes", async () => {
  const server = await serveHTTP(() => new Response("answered"), {
    listen: "tcp:0:interface=127.0.0.1",
  });
  const { port } = server.addr as Deno.NetAddr;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  for (let i = 0; i < 400 && server.factory.connectionCount === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assertEquals(server.factory.connectionCount, 1);
  // As when the listener has just closed: the client connected to send a
  // request, and the server has not read it yet.
  const draining = server.factory.drain();
  await conn.write(
    new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
  );
  const answer = await new Response(conn.readable).text();
  assert(answer.startsWith("HTTP/1.1 200 "), answer);
  assert(answer.includes("connection: close\r\n"), answer);
  assert(answer.endsWith("answered"), answer);
  await draining;
  await server.shutdown();
});
