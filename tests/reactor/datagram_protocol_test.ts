import { assertEquals, assertThrows } from "../../trial/assertions.ts";
import { test } from "../../trial/mod.ts";
import { DatagramProtocol } from "../../reactor/datagram_protocol.ts";
import { NotConnectedError } from "../../reactor/protocol.ts";

class Recorder extends DatagramProtocol {
  events: string[] = [];
  override startProtocol(): void {
    this.events.push("start");
  }
  override stopProtocol(): void {
    this.events.push("stop");
  }
  override datagramReceived(data: Uint8Array, addr: Deno.NetAddr): void {
    this.events.push(`${new TextDecoder().decode(data)} from ${addr.port}`);
  }
}

Deno.test("a datagram protocol's transport is unusable before it listens", () => {
  assertThrows(
    () => new DatagramProtocol().transport.getHost(),
    NotConnectedError,
  );
});

test("listenUDP starts the protocol, feeds it datagrams and stops it", async (t) => {
  const protocol = new Recorder();
  const port = await t.reactor.listenUDP(0, protocol, {
    interface: "127.0.0.1",
  });
  assertEquals(protocol.events, ["start"]);
  const sender = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  await sender.send(new TextEncoder().encode("hello"), port.getHost());
  while (protocol.events.length < 2) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const senderPort = (sender.addr as Deno.NetAddr).port;
  assertEquals(protocol.events[1], `hello from ${senderPort}`);
  sender.close();
  await port.stopListening();
  assertEquals(protocol.events.at(-1), "stop");
});

test("a protocol listening on two ports starts once and stops after the last", async (t) => {
  const protocol = new Recorder();
  const a = await t.reactor.listenUDP(0, protocol, { interface: "127.0.0.1" });
  const b = await t.reactor.listenUDP(0, protocol, { interface: "127.0.0.1" });
  assertEquals(protocol.events, ["start"]);
  await a.stopListening();
  assertEquals(protocol.events, ["start"]);
  await b.stopListening();
  assertEquals(protocol.events, ["start", "stop"]);
});
