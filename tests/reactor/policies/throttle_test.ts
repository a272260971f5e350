import {
  assert,
  assertEquals,
  assertThrows,
} from "../../../trial/assertions.ts";
import { Clock } from "../../../reactor/clock.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import type { Connection } from "../../../reactor/interfaces.ts";
import { Factory } from "../../../reactor/factory.ts";
import { Protocol } from "../../../reactor/protocol.ts";
import { throttle } from "../../../reactor/policies/throttle.ts";

const tick = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

/** Reads whatever is available now, without waiting for more. */
async function drain(conn: Connection, into: { bytes: number }) {
  for (;;) {
    const chunk = await conn.read();
    if (chunk === null) return;
    into.bytes += chunk.byteLength;
  }
}

Deno.test("writeLimit paces writes: a second's worth at once, then at the rate", async () => {
  const clock = new Clock();
  let writeDone = false;
  const handler = throttle(async (conn) => {
    await conn.write(new Uint8Array(3000));
    writeDone = true;
    await conn.close();
  }, { writeLimit: 1000, clock });
  const [server, client] = connectedPair();
  const serving = handler(server);
  const received = { bytes: 0 };
  const reading = drain(client, received);
  await tick();
  assertEquals(received.bytes, 1000);
  clock.advance(999);
  await tick();
  assertEquals(received.bytes, 1000);
  clock.advance(1);
  await tick();
  assertEquals(received.bytes, 2000);
  assert(!writeDone);
  clock.advance(1000);
  await tick();
  assertEquals(received.bytes, 3000);
  assert(writeDone);
  await serving;
  await reading;
  await client.close();
});

Deno.test("readLimit holds reading back until the bytes read are paid for", async () => {
  const clock = new Clock();
  const reads: number[] = [];
  const handler = throttle(async (conn) => {
    for (let chunk = await conn.read(); chunk; chunk = await conn.read()) {
      reads.push(clock.now());
    }
  }, { readLimit: 1000, clock });
  const [server, client] = connectedPair();
  const serving = handler(server);
  await client.write(new Uint8Array(3000));
  await tick();
  await client.write(new Uint8Array(10));
  await tick();
  assertEquals(reads, [0]);
  clock.advance(1999);
  await tick();
  assertEquals(reads, [0]);
  clock.advance(1);
  await tick();
  assertEquals(reads, [0, 2000]);
  await client.close();
  clock.advance(10);
  await serving;
  await server.close();
});

Deno.test("by default the limits are shared by all connections of the handler", async () => {
  const clock = new Clock();
  const handler = throttle(async (conn) => {
    await conn.write(new Uint8Array(1000));
  }, { writeLimit: 1000, clock });
  const [serverA, clientA] = connectedPair();
  const [serverB, clientB] = connectedPair();
  const a = { bytes: 0 };
  const b = { bytes: 0 };
  const readingA = drain(clientA, a);
  const readingB = drain(clientB, b);
  const servingA = handler(serverA);
  const servingB = handler(serverB);
  await tick();
  assertEquals(a.bytes + b.bytes, 1000);
  clock.advance(1000);
  await servingA;
  await servingB;
  assertEquals(a.bytes + b.bytes, 2000);
  for (const conn of [serverA, serverB, clientA, clientB]) await conn.close();
  await readingA;
  await readingB;
});

Deno.test("scope connection gives each connection its own limits", async () => {
  const clock = new Clock();
  const handler = throttle(async (conn) => {
    await conn.write(new Uint8Array(1000));
  }, { writeLimit: 1000, clock, scope: "connection" });
  const [serverA, clientA] = connectedPair();
  const [serverB, clientB] = connectedPair();
  await handler(serverA);
  await handler(serverB);
  const a = { bytes: 0 };
  const b = { bytes: 0 };
  for (const conn of [serverA, serverB]) await conn.close();
  await drain(clientA, a);
  await drain(clientB, b);
  assertEquals([a.bytes, b.bytes], [1000, 1000]);
  for (const conn of [clientA, clientB]) await conn.close();
});

Deno.test("throttle works with a factory: a protocol's writes are paced", async () => {
  const clock = new Clock();
  class Talker extends Protocol {
    override connectionMade(): void {
      this.transport.write(new Uint8Array(2500));
      this.transport.loseConnection();
    }
  }
  const factory = throttle(Factory.forProtocol(Talker), {
    writeLimit: 1000,
    clock,
  });
  const [server, client] = connectedPair();
  const serving = factory.handleConnection(server, clock as never);
  const received = { bytes: 0 };
  const reading = drain(client, received);
  await tick();
  assertEquals(received.bytes, 1000);
  clock.advance(1000);
  await tick();
  assertEquals(received.bytes, 2000);
  clock.advance(500);
  await tick();
  assertEquals(received.bytes, 2500);
  await reading;
  await client.close();
  await serving;
});

Deno.test("a limit under one byte per second is refused", () => {
  assertThrows(
    () => throttle(() => {}, { readLimit: 0 }),
    RangeError,
    "readLimit",
  );
});

Deno.test("pending throttle timers are cancelled when the connection ends", async () => {
  const clock = new Clock();
  const handler = throttle(async (conn) => {
    await conn.write(new Uint8Array(5000)).catch(() => {});
  }, { writeLimit: 1000, clock });
  const [server, client] = connectedPair();
  const serving = handler(server);
  await tick();
  assertEquals(clock.getDelayedCalls().length, 1);
  client.abort();
  server.abort();
  await serving;
  await tick();
  assertEquals(clock.getDelayedCalls(), []);
});
