import { succeed } from "../../../deferred/mod.ts";
import {
  connectedPair,
  DenoReactor,
  type Reactor,
  type UDPReactor,
} from "../../../reactor/mod.ts";
import { checkReactorClean } from "../../../trial/dirty_reactor.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  test,
} from "../../../trial/mod.ts";
import {
  createMessage,
  createResolver,
  decodeMessage,
  DNSClient,
  DNSNameError,
  DNSQueryTimeoutError,
  DNSServerError,
  DNSServerFactory,
  encodeMessage,
  Rcode,
  RecordType,
  serveDNS,
  Zone,
} from "../../../protocols/dns/mod.ts";
import { fixtureZone, LOOPBACK, withFixtureServer } from "./_helpers.ts";

const fixtures = new URL("./fixtures/", import.meta.url).pathname;

// The fixture zone's server while `fn` runs, as the "host:port" clients take.
function withServer(
  reactor: DenoReactor,
  fn: (server: string) => Promise<void>,
): Promise<void> {
  return withFixtureServer(
    reactor,
    (server) => fn(`127.0.0.1:${server.addr.port}`),
  );
}

// A UDP socket on a free loopback port that the test answers by hand, or
// not at all, and its "host:port".
function handWrittenServer(): { socket: Deno.DatagramConn; server: string } {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  return {
    socket,
    server: `127.0.0.1:${(socket.addr as Deno.NetAddr).port}`,
  };
}

// www.example.org's A record, as the hand-written servers answer it.
const wwwA = (address: string) => ({
  name: "www.example.org",
  type: 1,
  class: 1,
  ttl: 60,
  data: { address },
});

test("lookupAddress resolves to the answer, authority and additional sections", async (t) => {
  await withServer(t.reactor, async (server) => {
    const client = new DNSClient({ reactor: t.reactor, servers: [server] });
    const result = await client.lookupAddress("www.example.org");
    assertEquals(result.answers.map((r) => r.data), [{ address: "192.0.2.1" }]);
    assertEquals(result.authority, []);
  });
});

test("each typed lookup asks for its record type", async (t) => {
  await withServer(t.reactor, async (server) => {
    const client = new DNSClient({ reactor: t.reactor, servers: [server] });
    const types = async (d: PromiseLike<{ answers: { type: number }[] }>) =>
      (await d).answers.map((r) => r.type);
    assertEquals(await types(client.lookupIPV6Address("www.example.org")), [
      RecordType.AAAA,
    ]);
    assertEquals(await types(client.lookupMailExchange("example.org")), [
      15,
      15,
    ]);
    assertEquals(await types(client.lookupText("example.org")), [
      RecordType.TXT,
    ]);
    assertEquals(await types(client.lookupService("_sip._tcp.example.org")), [
      RecordType.SRV,
    ]);
    assertEquals(await types(client.lookupNameservers("example.org")), [2, 2]);
    assertEquals(await types(client.query("example.org", RecordType.CAA)), [
      RecordType.CAA,
    ]);
  });
});

test("NXDOMAIN fails with DNSNameError", async (t) => {
  await withServer(t.reactor, async (server) => {
    const client = new DNSClient({ reactor: t.reactor, servers: [server] });
    await assertRejects(
      () => client.lookupAddress("nope.example.org").asPromise(),
      DNSNameError,
    );
  });
});

test("REFUSED fails with DNSServerError carrying the RCODE", async (t) => {
  await withServer(t.reactor, async (server) => {
    const client = new DNSClient({ reactor: t.reactor, servers: [server] });
    const error = await assertRejects(
      () => client.lookupAddress("www.example.com").asPromise(),
      DNSServerError,
    );
    assertEquals(error.rcode, Rcode.REFUSED);
  });
});

test("a truncated UDP answer is asked again over TCP", async (t) => {
  await withServer(t.reactor, async (server) => {
    const client = new DNSClient({
      reactor: t.reactor,
      servers: [server],
      ednsPayloadSize: 0,
    });
    const result = await client.lookupText("big.example.org");
    assertEquals(result.answers.length, 6);
  });
});

test("no answer within the timeouts fails with DNSQueryTimeoutError, on a fake clock", async (t) => {
  const { socket: silent, server } = handWrittenServer();
  const clock = t.clock;
  const client = new DNSClient({
    reactor: t.reactor,
    servers: [server],
    timeouts: [1000, 3000],
    clock,
  });
  const received: number[] = [];
  const listening = (async () => {
    try {
      for (;;) received.push((await silent.receive())[0].length);
    } catch { /* closed */ }
  })();
  let settled = false;
  const outcome = client.lookupAddress("www.example.org").asPromise()
    .finally(() => settled = true);
  outcome.catch(() => {}); // observed below, after the clock has run
  while (!settled) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    clock.advance(1000);
  }
  await assertRejects(() => outcome, DNSQueryTimeoutError, "2 tries");
  assertEquals(received.length, 2);
  silent.close();
  await listening;
});

test("a response with the wrong ID is dropped and counted; the right one is taken", async (t) => {
  const { socket: fake, server } = handWrittenServer();
  const serving = (async () => {
    const [data, from] = await fake.receive();
    const query = decodeMessage(data);
    const answer = (id: number, address: string) =>
      encodeMessage(createMessage({
        id,
        response: true,
        questions: query.questions,
        answers: [wwwA(address)],
      }));
    await fake.send(answer((query.id + 1) & 0xffff, "198.51.100.66"), from);
    await fake.send(answer(query.id, "192.0.2.1"), from);
  })();
  const client = new DNSClient({ reactor: t.reactor, servers: [server] });
  const result = await client.lookupAddress("www.example.org");
  assertEquals(result.answers.map((r) => r.data), [{ address: "192.0.2.1" }]);
  assertEquals(client.droppedResponses, 1);
  await serving;
  fake.close();
});

test("the resolver caches answers for their TTL", async (t) => {
  const clock = t.clock;
  let server = "";
  let resolver: ReturnType<typeof createResolver> | undefined;
  await withServer(t.reactor, async (address) => {
    server = address;
    resolver = createResolver({ reactor: t.reactor, servers: [server], clock });
    await resolver.lookupAddress("mail.example.org");
  });
  // The server is gone: the cached answer (TTL 300) still comes back, aged.
  clock.advance(100_000);
  const cached = await resolver!.lookupAddress("mail.example.org");
  assertEquals(cached.answers[0]?.ttl, 200);
});

test("the resolver caches NXDOMAIN for the SOA's negative TTL (RFC 2308)", async (t) => {
  const clock = t.clock;
  let resolver: ReturnType<typeof createResolver> | undefined;
  await withServer(t.reactor, async (address) => {
    resolver = createResolver({
      reactor: t.reactor,
      servers: [address],
      clock,
      timeouts: [50],
    });
    await assertRejects(
      () => resolver!.lookupAddress("nope.example.org").asPromise(),
      DNSNameError,
    );
  });
  clock.advance(299_000);
  await assertRejects(
    () => resolver!.lookupAddress("nope.example.org").asPromise(),
    DNSNameError,
  );
});

test("the resolver answers from the hosts file before asking servers", async (t) => {
  const hosts = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(
      hosts,
      "# test\n192.0.2.200 printer.lan printer\n2001:db8::200 printer.lan\n",
    );
    // Port 9 on loopback: nothing answers, so an answer proves the hosts file was used.
    const resolver = createResolver({
      reactor: t.reactor,
      servers: ["127.0.0.1:9"],
      hosts,
      timeouts: [10],
    });
    const v4 = await resolver.lookupAddress("PRINTER.lan");
    assertEquals(v4.answers.map((r) => r.data), [{ address: "192.0.2.200" }]);
    const v6 = await resolver.lookupIPV6Address("printer.lan");
    assertEquals(v6.answers.map((r) => r.data), [{ address: "2001:db8::200" }]);
  } finally {
    await Deno.remove(hosts);
  }
});

test("a forwarding server answers outside its zones through a client", async (t) => {
  await withServer(t.reactor, async (upstream) => {
    const forwarder = await serveDNS([], {
      reactor: t.reactor,
      listen: LOOPBACK,
      forward: new DNSClient({ reactor: t.reactor, servers: [upstream] }),
    });
    try {
      const client = new DNSClient({
        reactor: t.reactor,
        servers: [`127.0.0.1:${forwarder.addr.port}`],
      });
      const result = await client.lookupAddress("www.example.org");
      assertEquals(result.answers.map((r) => r.data), [{
        address: "192.0.2.1",
      }]);
      await assertRejects(
        () => client.lookupAddress("nope.example.org").asPromise(),
        DNSNameError,
      );
      assert(true);
    } finally {
      await forwarder.shutdown();
    }
  });
});

test("a server that answers EDNS with FORMERR is asked again without OPT", async (t) => {
  const { socket: old, server } = handWrittenServer();
  const seen: boolean[] = [];
  const serving = (async () => {
    for (let i = 0; i < 2; i++) {
      const [data, from] = await old.receive();
      const query = decodeMessage(data);
      seen.push(query.edns !== undefined);
      const response = createMessage({
        id: query.id,
        response: true,
        questions: query.questions,
        rcode: query.edns === undefined ? Rcode.NOERROR : Rcode.FORMERR,
        answers: query.edns === undefined ? [wwwA("192.0.2.1")] : [],
      });
      await old.send(encodeMessage(response), from);
    }
  })();
  const client = new DNSClient({ reactor: t.reactor, servers: [server] });
  const result = await client.lookupAddress("www.example.org");
  assertEquals(result.answers.length, 1);
  assertEquals(seen, [true, false]);
  await serving;
  old.close();
});

test("lookupPointer answers a reverse lookup from an in-addr.arpa zone", async (t) => {
  const reverse = await Zone.load(`${fixtures}2.0.192.in-addr.arpa.zone`);
  const server = await serveDNS([fixtureZone(), reverse], {
    reactor: t.reactor,
    listen: LOOPBACK,
  });
  try {
    const client = new DNSClient({
      reactor: t.reactor,
      servers: [`127.0.0.1:${server.addr.port}`],
    });
    const result = await client.lookupPointer("1.2.0.192.in-addr.arpa");
    assertEquals(result.answers.map((r) => r.data), [{
      name: "www.example.org",
    }]);
  } finally {
    await server.shutdown();
  }
});

test("when the first server is silent, the next one is asked", async (t) => {
  const { socket: silent, server: first } = handWrittenServer();
  try {
    await withServer(t.reactor, async (server) => {
      const client = new DNSClient({
        reactor: t.reactor,
        servers: [first, server],
        timeouts: [100],
      });
      const result = await client.lookupAddress("www.example.org");
      assertEquals(result.answers.length, 1);
    });
  } finally {
    silent.close();
  }
});

test("a missing hosts file is treated as empty", async (t) => {
  await withServer(t.reactor, async (server) => {
    const resolver = createResolver({
      reactor: t.reactor,
      servers: [server],
      hosts: "/nonexistent/hosts",
    });
    const result = await resolver.lookupAddress("www.example.org");
    assertEquals(result.answers.length, 1);
  });
});

test("getHostByName follows a CNAME chain to the first IPv4 address", async (t) => {
  await withServer(t.reactor, async (server) => {
    const resolver = createResolver({ reactor: t.reactor, servers: [server] });
    assertEquals(
      await resolver.getHostByName("chain.example.org"),
      "192.0.2.1",
    );
    await assertRejects(
      () => resolver.getHostByName("outside.example.org").asPromise(),
      DNSNameError,
      "no IPv4 address",
    );
  });
});

test("a query's UDP socket is the reactor's, so the leak check sees it left open", async (t) => {
  let asked!: () => void;
  const queried = new Promise<void>((resolve) => asked = resolve);
  const silent = await t.reactor.listenUDP(0, { datagramReceived: asked }, {
    interface: "127.0.0.1",
  });
  const reactor = new DenoReactor();
  const client = new DNSClient({
    reactor,
    clock: t.clock,
    servers: [`127.0.0.1:${silent.getHost().port}`],
    timeouts: [1000],
  });
  const outcome = client.lookupAddress("www.example.org").asPromise();
  outcome.catch(() => {}); // observed below, after the leak check
  await queried;
  const leftovers = await checkReactorClean(reactor);
  assertEquals(leftovers.length, 1);
  assert(leftovers[0]!.startsWith("an open datagram port: UDP port on"));
  t.clock.advance(1000);
  await assertRejects(() => outcome, DNSQueryTimeoutError);
  await silent.stopListening();
});

test("queryTCP runs over whatever connection the reactor gives, such as connectedPair's", async (t) => {
  const [clientEnd, serverEnd] = connectedPair();
  const serving = new DNSServerFactory([fixtureZone()])
    .handleConnection(serverEnd, t.reactor);
  const reactor: Reactor & UDPReactor = Object.create(t.reactor, {
    connectTCP: { value: () => succeed(clientEnd) },
  });
  const client = new DNSClient({
    reactor,
    clock: t.clock,
    servers: ["192.0.2.53"],
  });
  const response = await client.queryTCP({
    name: "big.example.org",
    type: RecordType.TXT,
    class: 1,
  });
  assertEquals(response.answers.length, 6);
  await serving; // the client closed its end, so the server's loop ended
});

test("queryTCP asks the next server when one refuses the connection", async (t) => {
  const closed = await t.reactor.listenTCP(0, () => {}, {
    interface: "127.0.0.1",
  });
  const refusing = (closed.getHost() as Deno.NetAddr).port;
  await closed.stopListening();
  await withServer(t.reactor, async (server) => {
    const client = new DNSClient({
      reactor: t.reactor,
      servers: [`127.0.0.1:${refusing}`, server],
    });
    const response = await client.queryTCP({
      name: "www.example.org",
      type: RecordType.A,
      class: 1,
    });
    assertEquals(response.answers.map((r) => r.data), [{
      address: "192.0.2.1",
    }]);
  });
});
