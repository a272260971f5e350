import { DatagramServerEndpointService } from "../../app/mod.ts";
import { EndpointDescriptionError } from "../../reactor/endpoints/mod.ts";
import type { DatagramTransport } from "../../reactor/interfaces.ts";
import {
  assertEquals,
  assertRejects,
  assertThrows,
  test,
} from "../../trial/mod.ts";

test("a datagram service binds while running and feeds datagrams to its handler", async (t) => {
  let transport: DatagramTransport | undefined;
  const service = new DatagramServerEndpointService(
    "udp:0:interface=127.0.0.1",
    {
      makeConnection(tr) {
        transport = tr;
      },
      async datagramReceived(data, from) {
        await transport!.write(data, from);
      },
    },
    { reactor: t.reactor },
  );
  await service.startService();
  const address = service.listeningAddresses()[0] as Deno.NetAddr;
  const client = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    await client.send(new TextEncoder().encode("ping"), address);
    const [reply] = await client.receive();
    assertEquals(new TextDecoder().decode(reply), "ping");
  } finally {
    client.close();
  }
  await service.stopService();
  assertEquals(service.listeningAddresses(), []);
});

test("a stream endpoint string is refused by a datagram service", (t) => {
  assertThrows(
    () =>
      new DatagramServerEndpointService("tcp:0", { datagramReceived() {} }, {
        reactor: t.reactor,
      }),
    EndpointDescriptionError,
    "datagram",
  );
});

test("a datagram service that cannot bind fails to start", async (t) => {
  const first = new DatagramServerEndpointService("udp:0:interface=127.0.0.1", {
    datagramReceived() {},
  }, { reactor: t.reactor });
  await first.startService();
  const { port } = first.listeningAddresses()[0] as Deno.NetAddr;
  const second = new DatagramServerEndpointService(
    `udp:${port}:interface=127.0.0.1`,
    {
      datagramReceived() {},
    },
    { reactor: t.reactor },
  );
  await assertRejects(() => second.startService().asPromise());
  assertEquals(second.running, false);
  await first.stopService();
});

test("datagram services with reusePort bind one port together", async (t) => {
  const handler = { datagramReceived() {} };
  const first = new DatagramServerEndpointService(
    "udp:0:interface=127.0.0.1",
    handler,
    { reactor: t.reactor, reusePort: true },
  );
  await first.startService();
  const { port } = first.listeningAddresses()[0] as Deno.NetAddr;
  const second = new DatagramServerEndpointService(
    `udp:${port}:interface=127.0.0.1`,
    handler,
    { reactor: t.reactor, reusePort: true },
  );
  await second.startService();
  assertEquals((second.listeningAddresses()[0] as Deno.NetAddr).port, port);
  await second.stopService();
  await first.stopService();
});
