// AbortSignals where listeners and connections start, as Deno's APIs take them.
import {
  assertEquals,
  assertRejects,
  assertStrictEquals,
  test,
} from "../../trial/mod.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { portOf } from "./_helpers.ts";

/** Reads until the peer closes; the reactor then closes the connection. */
async function hold(conn: Connection): Promise<void> {
  while (await conn.read() !== null) { /* discard */ }
}

test("aborting a TCP listener's signal stops it", async (t) => {
  const controller = new AbortController();
  const port = await t.reactor.listenTCP(0, hold, {
    interface: "127.0.0.1",
    signal: controller.signal,
  });
  controller.abort();
  await port.stopListening();
  await assertRejects(
    () => t.reactor.connectTCP("127.0.0.1", portOf(port.getHost())).asPromise(),
    ConnectionRefusedError,
  );
});

test("a listen with an aborted signal fails with its reason", async (t) => {
  const reason = new Error("not now");
  const error = await assertRejects(() =>
    t.reactor.listenTCP(0, hold, {
      interface: "127.0.0.1",
      signal: AbortSignal.abort(reason),
    }).asPromise()
  );
  assertStrictEquals(error, reason);
});

test("aborting a UDP port's signal stops it", async (t) => {
  const controller = new AbortController();
  let stopped = false;
  const udp = await t.reactor.listenUDP(0, {
    datagramReceived() {},
    doStop() {
      stopped = true;
    },
  }, { interface: "127.0.0.1", signal: controller.signal });
  controller.abort();
  await udp.stopListening();
  assertEquals(stopped, true);
});

test("a connect with an aborted signal fails with its reason", async (t) => {
  const reason = new Error("changed my mind");
  const error = await assertRejects(() =>
    t.reactor.connectTCP("127.0.0.1", 9, {
      signal: AbortSignal.abort(reason),
    }).asPromise()
  );
  assertStrictEquals(error, reason);
});

test("aborting a connect in flight fails it with the signal's reason", async (t) => {
  // A TLS connect to a server that never answers the handshake stays in
  // flight until the signal aborts it.
  await using port = await t.reactor.listenTCP(0, hold, {
    interface: "127.0.0.1",
  });
  const controller = new AbortController();
  const connecting = t.reactor.connectTLS(
    "127.0.0.1",
    portOf(port.getHost()),
    { signal: controller.signal, handshakeTimeout: 60_000 },
  ).asPromise();
  const reason = new Error("enough");
  controller.abort(reason);
  assertStrictEquals(await assertRejects(() => connecting), reason);
});

test("a connection made is not closed by a later abort of its connect signal", async (t) => {
  await using port = await t.reactor.listenTCP(0, hold, {
    interface: "127.0.0.1",
  });
  const controller = new AbortController();
  await using conn = await t.reactor.connectTCP(
    "127.0.0.1",
    portOf(port.getHost()),
    { signal: controller.signal },
  );
  controller.abort();
  await conn.write(new Uint8Array([1]));
});
