import { assertEquals } from "../../../trial/assertions.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import type { Address, Connection } from "../../../reactor/interfaces.ts";
import { Factory } from "../../../reactor/factory.ts";
import { Clock } from "../../../reactor/clock.ts";
import { Protocol } from "../../../reactor/protocol.ts";
import { limitConnections } from "../../../reactor/policies/limits.ts";
import { ConnectionWrapper } from "../../../reactor/policies/wrapper.ts";

/** A server end that claims to come from `hostname`. */
class FromHost extends ConnectionWrapper {
  #addr: Address;
  constructor(inner: Connection, hostname: string, port: number) {
    super(inner);
    this.#addr = { transport: "tcp", hostname, port };
  }
  override get remoteAddr(): Address {
    return this.#addr;
  }
}

function pairFrom(hostname: string, port = 1000) {
  const [server, client] = connectedPair();
  return { server: new FromHost(server, hostname, port), client };
}

Deno.test("limitConnections closes connections over maxConnections without serving them", async () => {
  const served: Connection[] = [];
  const handler = limitConnections((conn) => {
    served.push(conn);
  }, { maxConnections: 2 });
  const pairs = [
    pairFrom("10.0.0.1"),
    pairFrom("10.0.0.2"),
    pairFrom("10.0.0.3"),
  ];
  for (const { server } of pairs) handler(server);
  assertEquals(served.length, 2);
  assertEquals(await pairs[2]!.client.read(), null);
  for (const { server, client } of pairs) {
    await client.close();
    await server.close();
  }
});

Deno.test("limitConnections admits a new connection once one has closed", async () => {
  const served: Connection[] = [];
  const handler = limitConnections((conn) => {
    served.push(conn);
  }, { maxConnections: 1 });
  const first = pairFrom("10.0.0.1");
  handler(first.server);
  await first.client.close();
  await first.server.close();
  const second = pairFrom("10.0.0.1");
  handler(second.server);
  assertEquals(served.length, 2);
  await second.client.close();
  await second.server.close();
});

Deno.test("limitConnections counts per peer host, whatever the port", async () => {
  const served: string[] = [];
  const handler = limitConnections((conn) => {
    served.push((conn.remoteAddr as Deno.NetAddr).hostname);
  }, { maxPerPeer: 2 });
  const pairs = [
    pairFrom("10.0.0.1", 1),
    pairFrom("10.0.0.1", 2),
    pairFrom("10.0.0.1", 3),
    pairFrom("10.0.0.2", 4),
  ];
  for (const { server } of pairs) handler(server);
  assertEquals(served, ["10.0.0.1", "10.0.0.1", "10.0.0.2"]);
  for (const { server, client } of pairs) {
    await client.close();
    await server.close();
  }
});

Deno.test("limitConnections works with a factory: refused connections build no protocol", async () => {
  let built = 0;
  class Counting extends Factory {
    override buildProtocol(): Protocol {
      built++;
      return new Protocol();
    }
  }
  const factory = limitConnections(new Counting(), { maxConnections: 1 });
  const clock = new Clock();
  const first = pairFrom("10.0.0.1");
  const second = pairFrom("10.0.0.2");
  const serving = factory.handleConnection(first.server, clock as never);
  await factory.handleConnection(second.server, clock as never);
  assertEquals(built, 1);
  assertEquals(await second.client.read(), null);
  await first.client.close();
  await serving;
  await second.client.close();
});

Deno.test("a factory wrapped by limitConnections still hears doStart and doStop", () => {
  const events: string[] = [];
  class Watched extends Factory {
    override startFactory(): void {
      events.push("start");
    }
    override stopFactory(): void {
      events.push("stop");
    }
  }
  const factory = limitConnections(new Watched(), { maxConnections: 1 });
  factory.doStart();
  factory.doStop();
  assertEquals(events, ["start", "stop"]);
});
