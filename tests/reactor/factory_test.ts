import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "../../trial/assertions.ts";
import { captureLogs } from "../../log/mod.ts";
import { connectedPair } from "../../reactor/connected_pair.ts";
import type { Address } from "../../reactor/interfaces.ts";
import { Clock } from "../../reactor/clock.ts";
import { ClientFactory, Factory } from "../../reactor/factory.ts";
import { Protocol } from "../../reactor/protocol.ts";
import { decoder, encoder, readAll } from "./_helpers.ts";

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

Deno.test("forProtocol makes a factory whose buildProtocol instantiates the class", () => {
  const factory = Factory.forProtocol(Echo);
  const protocol = factory.buildProtocol({ transport: "memory", name: "a" });
  assertInstanceOf(protocol, Echo);
  assertStrictEquals(protocol.factory, factory);
});

Deno.test("forProtocol on a subclass makes an instance of that subclass", () => {
  assertInstanceOf(ClientFactory.forProtocol(Echo), ClientFactory);
});

Deno.test("buildProtocol without a protocol class throws a TypeError saying what to do", () => {
  const error = assertThrows(
    () => new Factory().buildProtocol({ transport: "memory", name: "a" }),
    TypeError,
  );
  assert(error.message.includes("forProtocol"));
});

Deno.test("startFactory runs before the first listener and stopFactory after the last", () => {
  const events: string[] = [];
  class Counting extends Factory {
    override startFactory(): void {
      events.push("start");
    }
    override stopFactory(): void {
      events.push("stop");
    }
  }
  const factory = new Counting();
  factory.doStart();
  factory.doStart();
  factory.doStop();
  assertEquals(events, ["start"]);
  factory.doStop();
  assertEquals(events, ["start", "stop"]);
  factory.doStop();
  assertEquals(events, ["start", "stop"]);
});

Deno.test("handleConnection serves a connection with a fresh protocol until it ends", async () => {
  const [server, client] = connectedPair();
  const served = Factory.forProtocol(Echo).handleConnection(
    server,
    new Clock(),
  );
  await client.write(encoder.encode("ping"));
  await client.closeWrite();
  assertEquals(decoder.decode(await readAll(() => client.read())), "ping");
  await served;
});

Deno.test("buildProtocol gets the peer's address", async () => {
  const seen: Address[] = [];
  class Watching extends Factory {
    override buildProtocol(addr: Address): Protocol {
      seen.push(addr);
      return new Protocol();
    }
  }
  const [server, client] = connectedPair();
  const served = new Watching().handleConnection(server, new Clock());
  await client.close();
  await served;
  assertEquals(seen, [server.remoteAddr]);
});

Deno.test("a buildProtocol that returns null refuses the connection by closing it", async () => {
  class Refusing extends Factory {
    override buildProtocol(): null {
      return null;
    }
  }
  const [server, client] = connectedPair();
  await new Refusing().handleConnection(server, new Clock());
  assertEquals(await client.read(), null);
  await client.close();
});

Deno.test("a buildProtocol that throws is logged and its connection aborted", async () => {
  class Broken extends Factory {
    override buildProtocol(): Protocol {
      throw new RangeError("no more room");
    }
  }
  using logs = captureLogs({ namespace: "spindle.reactor" });
  const [server, client] = connectedPair();
  await new Broken().handleConnection(server, new Clock());
  assertEquals(logs.records.length, 1);
  assertInstanceOf(logs.records[0]!.fields.error, RangeError);
  await assertRejects(() => client.read(), Error);
});
