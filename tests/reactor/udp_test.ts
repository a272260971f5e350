import { assertEquals, assertRejects } from "../../trial/assertions.ts";
import { captureLogs } from "../../log/mod.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import { AddressInUseError } from "../../reactor/errors.ts";
import type {
  DatagramHandler,
  DatagramTransport,
} from "../../reactor/interfaces.ts";
import { decoder, encoder } from "./_helpers.ts";

/** Echoes each datagram back to its sender. */
class Echo implements DatagramHandler {
  transport: DatagramTransport | undefined;
  stopped = false;
  makeConnection(transport: DatagramTransport): void {
    this.transport = transport;
  }
  async datagramReceived(data: Uint8Array, addr: Deno.NetAddr): Promise<void> {
    await this.transport!.write(data, addr);
  }
  doStop(): void {
    this.stopped = true;
  }
}

async function exchange(
  port: number,
  payloads: string[],
): Promise<string[]> {
  const client = Deno.listenDatagram({
    hostname: "127.0.0.1",
    port: 0,
    transport: "udp",
  });
  const replies: string[] = [];
  try {
    for (const payload of payloads) {
      await client.send(encoder.encode(payload), {
        transport: "udp",
        hostname: "127.0.0.1",
        port,
      });
      const [data] = await client.receive();
      replies.push(decoder.decode(data));
    }
  } finally {
    client.close();
  }
  return replies;
}

Deno.test("listenUDP hands each datagram and its sender to the handler, which can reply", async () => {
  const reactor = new DenoReactor();
  const echo = new Echo();
  const port = await reactor.listenUDP(0, echo, { interface: "127.0.0.1" });
  assertEquals(echo.transport, port);
  assertEquals(await exchange(port.getHost().port, ["one", "two"]), [
    "one",
    "two",
  ]);
  await port.stopListening();
  assertEquals(echo.stopped, true);
});

Deno.test("stopListening on a UDP port frees the port at once", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenUDP(0, new Echo(), {
    interface: "127.0.0.1",
  });
  const number = port.getHost().port;
  await port.stopListening();
  const again = await reactor.listenUDP(number, new Echo(), {
    interface: "127.0.0.1",
  });
  await again.stopListening();
});

Deno.test("binding a taken UDP port fails with AddressInUseError", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenUDP(0, new Echo(), {
    interface: "127.0.0.1",
  });
  await assertRejects(async () => {
    await reactor.listenUDP(port.getHost().port, new Echo(), {
      interface: "127.0.0.1",
    });
  }, AddressInUseError);
  await port.stopListening();
});

Deno.test("a UDP handler that throws is logged and the port goes on", async () => {
  const reactor = new DenoReactor();
  using logs = captureLogs({ level: "error" });
  const echo = new Echo();
  let first = true;
  const port = await reactor.listenUDP(0, {
    makeConnection: (t) => echo.makeConnection(t),
    datagramReceived(data, addr) {
      if (first) {
        first = false;
        throw new Error("bad datagram");
      }
      return echo.datagramReceived(data, addr);
    },
  }, { interface: "127.0.0.1" });
  const client = Deno.listenDatagram({
    hostname: "127.0.0.1",
    port: 0,
    transport: "udp",
  });
  const target = {
    transport: "udp" as const,
    hostname: "127.0.0.1",
    port: port.getHost().port,
  };
  await client.send(encoder.encode("boom"), target);
  await client.send(encoder.encode("fine"), target);
  const [data] = await client.receive();
  assertEquals(decoder.decode(data), "fine");
  client.close();
  assertEquals(logs.records.length, 1);
  assertEquals(
    (logs.records[0]?.fields.error as Error).message,
    "bad datagram",
  );
  await port.stopListening();
});

Deno.test("datagrams longer than maxPacketSize are cut to it", async () => {
  const reactor = new DenoReactor();
  const echo = new Echo();
  const port = await reactor.listenUDP(0, echo, {
    interface: "127.0.0.1",
    maxPacketSize: 4,
  });
  assertEquals(await exchange(port.getHost().port, ["abcdefgh"]), ["abcd"]);
  await port.stopListening();
});
