import { assert, assertEquals } from "../../trial/assertions.ts";
import { captureLogs } from "../../log/mod.ts";
import { Clock } from "../../reactor/clock.ts";
import { connectedPair } from "../../reactor/connected_pair.ts";
import { Connector } from "../../reactor/connector.ts";
import { Protocol } from "../../reactor/protocol.ts";
import { Factory } from "../../reactor/factory.ts";
import { clientFromString } from "../../reactor/endpoints/mod.ts";
import { test } from "../../trial/mod.ts";
import {
  ReconnectingClientFactory,
  type ReconnectingOptions,
} from "../../reactor/reconnecting.ts";
import { ManualSource } from "./_manual_source.ts";

function setUp(options: ReconnectingOptions = {}) {
  const clock = new Clock();
  const source = new ManualSource();
  const factory = new ReconnectingClientFactory({ jitter: 0, ...options });
  factory.protocol = Protocol;
  const connector = new Connector(source, factory, { reactor: clock });
  return { clock, source, factory, connector };
}

Deno.test("after a failed attempt it retries after initialDelay times factor", () => {
  const { clock, source, connector } = setUp({ initialDelay: 1000, factor: 2 });
  connector.connect();
  source.refuseLatest();
  assertEquals(source.attempts.length, 1);
  clock.advance(1999);
  assertEquals(source.attempts.length, 1);
  clock.advance(1);
  assertEquals(source.attempts.length, 2);
  assertEquals(connector.state, "connecting");
  connector.stopConnecting();
  clock.advance(10_000);
});

Deno.test("each retry multiplies the delay by factor, up to maxDelay", () => {
  const { clock, source, factory, connector } = setUp({
    initialDelay: 100,
    factor: 3,
    maxDelay: 2000,
  });
  connector.connect();
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    source.refuseLatest();
    delays.push(factory.delay);
    clock.advance(factory.delay);
  }
  assertEquals(delays, [300, 900, 2000, 2000, 2000]);
  assertEquals(source.attempts.length, 6);
  factory.stopTrying();
});

Deno.test("jitter draws each delay from a normal distribution around it", () => {
  // Box–Muller with uniform draws 0.5 then 0 gives the variate sqrt(2 ln 2).
  const draws = [0.5, 0];
  let next = 0;
  const { source, factory, connector } = setUp({
    initialDelay: 1000,
    factor: 2,
    jitter: 0.1,
    random: () => draws[next++ % draws.length]!,
  });
  connector.connect();
  source.refuseLatest();
  const expected = 2000 * (1 + 0.1 * Math.sqrt(2 * Math.LN2));
  assert(Math.abs(factory.delay - expected) < 1e-6, `${factory.delay}`);
  factory.stopTrying();
});

Deno.test("after maxRetries retries it gives up", () => {
  using _logs = captureLogs({ namespace: "spindle.reactor" });
  const { clock, source, connector } = setUp({
    initialDelay: 10,
    factor: 1,
    maxRetries: 2,
  });
  connector.connect();
  for (let i = 0; i < 3; i++) {
    source.refuseLatest();
    clock.advance(10);
  }
  assertEquals(source.attempts.length, 3);
  assertEquals(clock.getDelayedCalls(), []);
  assertEquals(connector.state, "disconnected");
});

Deno.test("stopTrying cancels the scheduled retry", () => {
  const { clock, source, factory, connector } = setUp({ initialDelay: 10 });
  connector.connect();
  source.refuseLatest();
  assertEquals(clock.getDelayedCalls().length, 1);
  factory.stopTrying();
  assertEquals(clock.getDelayedCalls(), []);
  clock.advance(1_000_000);
  assertEquals(source.attempts.length, 1);
});

Deno.test("stopTrying during an attempt abandons it and does not retry", () => {
  const { clock, source, factory, connector } = setUp({ initialDelay: 10 });
  connector.connect();
  factory.stopTrying();
  assertEquals(source.attempts.length, 1);
  assertEquals(connector.state, "disconnected");
  assertEquals(clock.getDelayedCalls(), []);
});

Deno.test("resetDelay starts the backoff over", () => {
  const { clock, source, factory, connector } = setUp({
    initialDelay: 100,
    factor: 2,
  });
  connector.connect();
  source.refuseLatest();
  clock.advance(200);
  source.refuseLatest();
  assertEquals(factory.delay, 400);
  assertEquals(factory.retries, 2);
  factory.resetDelay();
  assertEquals(factory.delay, 100);
  assertEquals(factory.retries, 0);
  factory.stopTrying();
});

Deno.test("a lost connection is made again after the delay", async () => {
  const { clock, source, factory, connector } = setUp({
    initialDelay: 50,
    factor: 2,
  });
  connector.connect();
  const [local, remote] = connectedPair();
  source.attempts[0]!.callback(local);
  assertEquals(connector.state, "connected");
  await remote.close();
  await local.closed;
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(connector.state, "disconnected");
  assert(clock.getDelayedCalls().length === 1);
  clock.advance(100);
  assertEquals(source.attempts.length, 2);
  factory.stopTrying();
  assertEquals(connector.state, "disconnected");
});

test("it reconnects to a real server that keeps closing the connection", async (t) => {
  class Dropper extends Protocol {
    override connectionMade(): void {
      this.transport.loseConnection();
    }
  }
  const port = await t.reactor.listenTCP(0, Factory.forProtocol(Dropper), {
    interface: "127.0.0.1",
  });
  const { port: number } = port.getHost() as Deno.NetAddr;
  const thirdLost = Promise.withResolvers<void>();
  let connections = 0;
  class Counted extends Protocol {
    override connectionMade(): void {
      connections++;
    }
    override connectionLost(): void {
      if (connections === 3) {
        factory.stopTrying();
        thirdLost.resolve();
      }
    }
  }
  const factory = new ReconnectingClientFactory({
    initialDelay: 5,
    factor: 1,
    jitter: 0,
  });
  factory.protocol = Counted;
  const endpoint = clientFromString(t.reactor, `tcp:127.0.0.1:${number}`);
  new Connector(endpoint, factory).connect();
  await thirdLost.promise;
  assertEquals(connections, 3);
  assertEquals(factory.retries, 2);
  await port.stopListening();
});
