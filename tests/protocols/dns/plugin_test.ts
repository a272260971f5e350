import { assertEquals, assertRejects, test } from "../../../trial/mod.ts";
import { UsageError } from "../../../app/options.ts";
import { decodeMessage, DNSClient } from "../../../protocols/dns/mod.ts";
import { type DNSService, plugin } from "../../../protocols/dns/plugin.ts";
import { fixturePath, LOOPBACK, queryBytes } from "./_helpers.ts";

test("spindle dns serves the zone files given over UDP and TCP", async () => {
  const options = await plugin.validate({
    options: { zone: fixturePath, listen: "udp:0:interface=127.0.0.1" },
    args: [],
  });
  const service = await plugin.makeService(options, {
    reusePort: false,
  }) as DNSService;
  await service.startService();
  try {
    const [udp, tcp] = service.listeningAddresses() as Deno.NetAddr[];
    assertEquals(udp?.transport, "udp");
    assertEquals(tcp?.port, udp?.port);
    const client = new DNSClient({
      servers: [`127.0.0.1:${udp!.port}`],
      ednsPayloadSize: 0,
    });
    const a = await client.lookupAddress("www.example.org");
    assertEquals(a.answers.map((r) => r.data), [{ address: "192.0.2.1" }]);
    // Truncated over UDP, so this one comes over TCP.
    assertEquals(
      (await client.lookupText("big.example.org")).answers.length,
      6,
    );
  } finally {
    await service.stopService();
  }
  assertEquals(service.listeningAddresses(), []);
});

test("spindle dns without --zone is a usage error", async () => {
  await assertRejects(
    async () => {
      await plugin.validate({
        options: { listen: "udp:53" },
        args: [],
      });
    },
    UsageError,
    "--zone",
  );
});

test("spindle dns with a listen endpoint that is not udp: is a usage error", async () => {
  await assertRejects(
    async () => {
      await plugin.validate({
        options: { zone: fixturePath, listen: "tcp:53" },
        args: [],
      });
    },
    UsageError,
    "listens on a udp: endpoint",
  );
});

test("spindle dns reports a bad zone file by file and line", async () => {
  const file = await Deno.makeTempFile({ suffix: ".zone" });
  try {
    await Deno.writeTextFile(
      file,
      "$TTL 60\n@ SOA ns hm 1 2 3 4 5\nwww A 999.1.1.1\n",
    );
    await assertRejects(
      async () => {
        await plugin.validate({
          options: { zone: file, listen: "udp:0" },
          args: [],
        });
      },
      UsageError,
      `${file}:3:`,
    );
  } finally {
    await Deno.remove(file);
  }
});

test("spindle dns reports a missing zone file", async () => {
  await assertRejects(
    async () => {
      await plugin.validate({
        options: { zone: "/nonexistent/x.zone", listen: "udp:0" },
        args: [],
      });
    },
    UsageError,
    "does not exist",
  );
});

test("spindle dns takes --listen udp:port=N, as the endpoint registry spells it", async () => {
  const options = await plugin.validate({
    options: { zone: fixturePath, listen: "udp:port=0:interface=127.0.0.1" },
    args: [],
  });
  const service = await plugin.makeService(options, { reusePort: false });
  await service.startService();
  try {
    const [udp] = (service as DNSService)
      .listeningAddresses() as Deno.NetAddr[];
    assertEquals([udp?.transport, udp?.hostname], ["udp", "127.0.0.1"]);
  } finally {
    await service.stopService();
  }
});

test("spindle dns --rrl N limits UDP responses per client prefix, slipping every other one over the rate", async () => {
  // One token, and the next in 1000 s: the test cannot outrun the limit.
  const options = await plugin.validate({
    options: { zone: fixturePath, listen: LOOPBACK, rrl: 0.001 },
    args: [],
  });
  const service = await plugin.makeService(options, { reusePort: false });
  await service.startService();
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    const [udp] = (service as DNSService)
      .listeningAddresses() as Deno.NetAddr[];
    const ask = (id: number) =>
      socket.send(queryBytes("www.example.org", 1, { id }), udp!);
    const reply = async () => decodeMessage((await socket.receive())[0]);
    await ask(1);
    assertEquals((await reply()).answers.length, 1);
    await ask(2); // dropped
    await ask(3); // slipped
    const limited = await reply();
    assertEquals([limited.id, limited.truncated], [3, true]);
  } finally {
    socket.close();
    await service.stopService();
  }
});

test("spindle dns --rrl with a rate not above 0 is a usage error", async () => {
  await assertRejects(
    async () => {
      await plugin.validate({
        options: { zone: fixturePath, listen: LOOPBACK, rrl: 0 },
        args: [],
      });
    },
    UsageError,
    "--rrl needs a number of responses per second above 0",
  );
});
