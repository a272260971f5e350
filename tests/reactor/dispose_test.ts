// `await using` on listeners and connections, as on Deno's own.
import { assertEquals, assertRejects, test } from "../../trial/mod.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { portOf } from "./_helpers.ts";

/** Reads until the peer closes; the reactor then closes the connection. */
async function hold(conn: Connection): Promise<void> {
  while (await conn.read() !== null) { /* discard */ }
}

test("await using a TCP listener stops it at the end of the scope", async (t) => {
  let number: number;
  {
    await using port = await t.reactor.listenTCP(0, hold, {
      interface: "127.0.0.1",
    });
    number = portOf(port.getHost());
  }
  await assertRejects(
    () => t.reactor.connectTCP("127.0.0.1", number).asPromise(),
    ConnectionRefusedError,
  );
});

test("await using a connection closes it at the end of the scope", async (t) => {
  await using port = await t.reactor.listenTCP(0, hold, {
    interface: "127.0.0.1",
  });
  let closed: Promise<void>;
  {
    await using conn = await t.reactor.connectTCP(
      "127.0.0.1",
      portOf(port.getHost()),
    );
    closed = conn.closed;
  }
  assertEquals(await closed, undefined);
});

test("await using a UDP port stops it at the end of the scope", async (t) => {
  let stopped = false;
  {
    await using _udp = await t.reactor.listenUDP(0, {
      datagramReceived() {},
      doStop() {
        stopped = true;
      },
    }, { interface: "127.0.0.1" });
  }
  assertEquals(stopped, true);
});
