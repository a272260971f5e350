import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
} from "../../../trial/assertions.ts";
import { Clock } from "../../../reactor/clock.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import type { Connection } from "../../../reactor/interfaces.ts";
import { Factory } from "../../../reactor/factory.ts";
import { Protocol } from "../../../reactor/protocol.ts";
import { runProtocol } from "../../../reactor/transport.ts";
import {
  idleTimeout,
  IdleTimeoutError,
  TimeoutMixin,
} from "../../../reactor/policies/timeout.ts";

const encoder = new TextEncoder();
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("idleTimeout aborts a silent connection served by a function", async () => {
  const clock = new Clock();
  let served: Connection | undefined;
  const handler = idleTimeout((conn) => {
    served = conn;
  }, { timeout: 1000, clock });
  const [server, client] = connectedPair();
  handler(server);
  clock.advance(999);
  await tick();
  assertEquals(clock.getDelayedCalls().length, 1);
  clock.advance(1);
  await assertRejects(() => served!.closed, IdleTimeoutError);
  await assertRejects(() => client.read(), Error);
});

Deno.test("idleTimeout restarts on every read and write", async () => {
  const clock = new Clock();
  const handler = idleTimeout(async (conn) => {
    for (let chunk = await conn.read(); chunk; chunk = await conn.read()) {
      await conn.write(chunk);
    }
  }, { timeout: 1000, clock });
  const [server, client] = connectedPair();
  const serving = handler(server);
  for (let i = 0; i < 5; i++) {
    clock.advance(800);
    await client.write(encoder.encode("."));
    await client.read();
  }
  assertEquals(clock.getDelayedCalls().length, 1);
  await client.close();
  await serving;
  await server.close();
  assertEquals(clock.getDelayedCalls(), []);
});

Deno.test("idleTimeout works with a factory: the protocol hears IdleTimeoutError", async () => {
  const clock = new Clock();
  const reasons: Error[] = [];
  class Quiet extends Protocol {
    override connectionLost(reason: Error): void {
      reasons.push(reason);
    }
  }
  const factory = idleTimeout(Factory.forProtocol(Quiet), {
    timeout: 500,
    clock,
  });
  const [server] = connectedPair();
  const serving = factory.handleConnection(server, clock as never);
  clock.advance(500);
  await serving;
  assertEquals(reasons.length, 1);
  assertInstanceOf(reasons[0], IdleTimeoutError);
});

Deno.test("idleTimeout cancels its timer when the connection closes", async () => {
  const clock = new Clock();
  const handler = idleTimeout((conn) => conn.close(), { timeout: 500, clock });
  const [server, client] = connectedPair();
  await handler(server);
  await client.close();
  await server.closed;
  await tick();
  assertEquals(clock.getDelayedCalls(), []);
});

class Patient extends TimeoutMixin(Protocol) {
  timedOut = 0;
  lost: Error | undefined;
  override connectionMade(): void {
    this.setTimeout(1000);
  }
  override dataReceived(): void {
    this.resetTimeout();
  }
  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    this.lost = reason;
  }
}

Deno.test("TimeoutMixin aborts the connection with IdleTimeoutError when the timeout expires", async () => {
  const clock = new Clock();
  const protocol = new Patient();
  const [server, client] = connectedPair();
  const done = runProtocol(protocol, server, { reactor: clock });
  assertEquals(protocol.timeOut, 1000);
  clock.advance(1000);
  assertInstanceOf(await done, IdleTimeoutError);
  assertInstanceOf(protocol.lost, IdleTimeoutError);
  await assertRejects(() => client.read(), Error);
});

Deno.test("TimeoutMixin's resetTimeout postpones the timeout", async () => {
  const clock = new Clock();
  const protocol = new Patient();
  const [server, client] = connectedPair();
  const done = runProtocol(protocol, server, { reactor: clock });
  clock.advance(900);
  await client.write(encoder.encode("x"));
  await tick();
  clock.advance(900);
  assertEquals(protocol.lost, undefined);
  await client.close();
  await done;
  assertEquals(clock.getDelayedCalls(), []);
});

Deno.test("TimeoutMixin's setTimeout(null) cancels and returns the previous timeout", async () => {
  const clock = new Clock();
  const protocol = new Patient();
  const [server, client] = connectedPair();
  const done = runProtocol(protocol, server, { reactor: clock });
  assertEquals(protocol.setTimeout(null), 1000);
  assertEquals(clock.getDelayedCalls(), []);
  assertEquals(protocol.timeOut, null);
  await client.close();
  await done;
});

Deno.test("TimeoutMixin calls an overridden timeoutConnection and uses timeoutClock", async () => {
  const clock = new Clock();
  class Polite extends TimeoutMixin(Protocol) {
    override connectionMade(): void {
      this.timeoutClock = clock;
      this.setTimeout(10);
    }
    override timeoutConnection(): void {
      this.transport.write("bye\n");
      this.transport.loseConnection();
    }
  }
  const [server, client] = connectedPair();
  const done = runProtocol(new Polite(), server, { reactor: new Clock() });
  clock.advance(10);
  const data = await client.read();
  assertEquals(new TextDecoder().decode(data!), "bye\n");
  await client.close();
  await done;
});
