/**
 * serveHTTP takes what Deno.serve takes: a Deno.serve program ports by
 * changing the call.
 */
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertThrows,
  flushLoggedErrors,
  test,
} from "../../../trial/mod.ts";
import {
  serveHTTP,
  ServerNotListeningError,
} from "../../../protocols/http/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import { AddressInUseError } from "../../../reactor/errors.ts";
import type { Address } from "../../../reactor/interfaces.ts";

const hello = () => new Response("hello");

function portOf(addr: Address): number {
  return (addr as Deno.NetAddr).port;
}

async function get(port: number): Promise<Response> {
  return await fetch(`http://127.0.0.1:${port}/`);
}

test("port and hostname choose where to listen, as in Deno.serve", async () => {
  await using server = await serveHTTP(
    { port: 0, hostname: "127.0.0.1" },
    hello,
  );
  assertEquals((server.addr as Deno.NetAddr).hostname, "127.0.0.1");
  assertEquals(await (await get(portOf(server.addr))).text(), "hello");
});

test("the handler may come first, second, or in the options", async () => {
  const options = { port: 0, hostname: "127.0.0.1" };
  for (
    const start of [
      () => serveHTTP(hello, options),
      () => serveHTTP(options, hello),
      () => serveHTTP({ ...options, handler: hello }),
    ]
  ) {
    await using server = await start();
    assertEquals(await (await get(portOf(server.addr))).text(), "hello");
  }
});

test("aborting the signal shuts the server down and resolves finished", async () => {
  const controller = new AbortController();
  const server = serveHTTP({
    port: 0,
    hostname: "127.0.0.1",
    signal: controller.signal,
  }, hello);
  const { port } = (await server).addr as Deno.NetAddr;
  controller.abort();
  await server.finished;
  await assertRejects(() => get(port), TypeError);
});

test("onListen is called once listening, with the bound address", async () => {
  const heard: Address[] = [];
  await using server = await serveHTTP({
    port: 0,
    hostname: "127.0.0.1",
    onListen: (addr) => heard.push(addr),
  }, hello);
  assertEquals(heard, [server.addr]);
});

test("onError makes the response when the handler throws", async () => {
  await using server = await serveHTTP({
    port: 0,
    hostname: "127.0.0.1",
    onError: (error) =>
      new Response(`sorry: ${(error as Error).message}`, { status: 503 }),
  }, () => {
    throw new Error("broken");
  });
  const response = await get(portOf(server.addr));
  assertEquals(response.status, 503);
  assertEquals(await response.text(), "sorry: broken");
});

test("an onError that throws is logged and answered 500", async () => {
  using _logs = captureLogs({ namespace: "spindle.http.server" });
  await using server = await serveHTTP({
    port: 0,
    hostname: "127.0.0.1",
    onError: () => {
      throw new Error("worse");
    },
  }, () => {
    throw new Error("broken");
  });
  const response = await get(portOf(server.addr));
  assertEquals(response.status, 500);
  await response.body?.cancel();
  const [logged] = flushLoggedErrors(Error);
  assertEquals((logged as Error).message, "worse");
});

test("the server is usable before it listens: await using and finished", async () => {
  let finished = false;
  {
    await using server = serveHTTP({ port: 0, hostname: "127.0.0.1" }, hello);
    server.finished.then(() => finished = true);
  }
  assert(finished);
});

test("addr before listening throws ServerNotListeningError", async () => {
  const server = serveHTTP({ port: 0, hostname: "127.0.0.1" }, hello);
  assertThrows(() => server.addr, ServerNotListeningError);
  await (await server).shutdown();
});

test("awaiting the server throws when the port is taken", async () => {
  await using first = await serveHTTP(
    { port: 0, hostname: "127.0.0.1" },
    hello,
  );
  const second = serveHTTP(
    { port: portOf(first.addr), hostname: "127.0.0.1" },
    hello,
  );
  await assertRejects(async () => {
    await second;
  }, AddressInUseError);
  await second.finished;
});

test("listen and port together are refused", () => {
  const error = assertThrows(() =>
    serveHTTP({ listen: "tcp:0", port: 0 }, hello)
  );
  assertInstanceOf(error, TypeError);
});
