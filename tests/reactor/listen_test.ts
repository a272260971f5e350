// listen(): connections pulled from a listener, as from a Deno.Listener.
import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
  test,
} from "../../trial/mod.ts";
import { listen } from "../../reactor/endpoints/listen.ts";
import { ListenerStoppedError } from "../../reactor/errors.ts";
import { decoder, encoder, portOf } from "./_helpers.ts";

test("accept() hands out the connections the listener accepted", async (t) => {
  await using listener = await listen("tcp:0:interface=127.0.0.1", {
    reactor: t.reactor,
  });
  await using client = await t.reactor.connectTCP(
    "127.0.0.1",
    portOf(listener.addr),
  );
  await using conn = await listener.accept();
  await client.write(encoder.encode("hello"));
  assertEquals(decoder.decode((await conn.read())!), "hello");
});

test("for await yields each connection and ends when the listener stops", async (t) => {
  const listener = await listen("tcp:0:interface=127.0.0.1", {
    reactor: t.reactor,
  });
  const clients = await Promise.all(
    [1, 2].map(() =>
      t.reactor.connectTCP("127.0.0.1", portOf(listener.addr)).asPromise()
    ),
  );
  let served = 0;
  for await (const conn of listener) {
    await conn.close();
    if (++served === 2) await listener.stopListening();
  }
  assertEquals(served, 2);
  for (const client of clients) await client.close();
});

test("aborting the signal stops the listener and ends a waiting accept()", async (t) => {
  const controller = new AbortController();
  const listener = await listen("tcp:0:interface=127.0.0.1", {
    reactor: t.reactor,
    signal: controller.signal,
  });
  const accepting = listener.accept();
  controller.abort();
  await assertRejects(() => accepting, ListenerStoppedError);
});

test("accept() after the listener stopped fails with ListenerStoppedError", async (t) => {
  const listener = await listen("tcp:0:interface=127.0.0.1", {
    reactor: t.reactor,
  });
  await listener.stopListening();
  const error = await assertRejects(() => listener.accept());
  assertInstanceOf(error, ListenerStoppedError);
});

test("connections beyond maxPending are closed at once, the waiting ones kept", async (t) => {
  await using listener = await listen("tcp:0:interface=127.0.0.1", {
    reactor: t.reactor,
    maxPending: 1,
  });
  const first = await t.reactor.connectTCP("127.0.0.1", portOf(listener.addr));
  await using _handedOut = await listener.accept();
  // The first is now handed out; the next one waits, the one after is refused.
  const second = await t.reactor.connectTCP(
    "127.0.0.1",
    portOf(listener.addr),
  );
  const third = await t.reactor.connectTCP("127.0.0.1", portOf(listener.addr));
  assertEquals(await third.read(), null);
  await using waiting = await listener.accept();
  await second.write(encoder.encode("still here"));
  assertEquals(decoder.decode((await waiting.read())!), "still here");
  for (const conn of [first, second, third]) await conn.close();
});

test("stopping closes the connections accepted but never handed out", async (t) => {
  const listener = await listen("tcp:0:interface=127.0.0.1", {
    reactor: t.reactor,
  });
  const client = await t.reactor.connectTCP(
    "127.0.0.1",
    portOf(listener.addr),
  );
  // Accepted before the stop or drained from the kernel's queue while
  // stopping: either way it reaches the listener, which closes it.
  await listener.stopListening();
  assertEquals(await client.read(), null);
  await client.close();
});
