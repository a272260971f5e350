import {
  assert,
  assertEquals,
  assertRejects,
  test,
} from "../../../trial/mod.ts";
import {
  decodeMessage,
  type DNSMessage,
  DNSServerFactory,
  Rcode,
  RecordType,
  serveDNS,
  Zone,
} from "../../../protocols/dns/mod.ts";
import { DEFAULT_INTERFACE } from "../../../reactor/mod.ts";
import {
  fixtureZone,
  LOOPBACK,
  queryBytes,
  withFixtureServer,
} from "./_helpers.ts";

const factory = new DNSServerFactory([fixtureZone()]);

async function ask(
  name: string,
  type: number,
  init: Partial<DNSMessage> = {},
  udp = true,
): Promise<DNSMessage> {
  const response = await factory.answer(queryBytes(name, type, init), { udp });
  assert(response !== null);
  return decodeMessage(response);
}

test("an answer from the zone is authoritative and echoes ID and question", async () => {
  const response = await ask("www.example.org", RecordType.A);
  assertEquals(response.id, 0x4242);
  assert(response.response);
  assert(response.authoritative);
  assertEquals(response.rcode, Rcode.NOERROR);
  assertEquals(response.questions, [{
    name: "www.example.org",
    type: 1,
    class: 1,
  }]);
  assertEquals(response.answers.map((r) => r.data), [{ address: "192.0.2.1" }]);
});

test("the question's case is echoed as sent, also from the answer cache", async () => {
  await ask("www.example.org", RecordType.AAAA);
  const response = await ask("WwW.ExAmPle.org", RecordType.AAAA);
  assertEquals(response.questions[0]?.name, "WwW.ExAmPle.org");
  assertEquals(response.answers.map((r) => r.data), [{
    address: "2001:db8::1",
  }]);
});

test("a name that does not exist gets NXDOMAIN with the SOA in authority", async () => {
  const response = await ask("nope.example.org", RecordType.A);
  assertEquals(response.rcode, Rcode.NXDOMAIN);
  assert(response.authoritative);
  assertEquals(response.answers, []);
  assertEquals(response.authority.map((r) => r.type), [RecordType.SOA]);
  // RFC 2308: the SOA's TTL is capped by its minimum field.
  assertEquals(response.authority[0]?.ttl, 300);
});

test("a name without the asked type gets NODATA: NOERROR, no answers, the SOA", async () => {
  const response = await ask("www.example.org", RecordType.MX);
  assertEquals(response.rcode, Rcode.NOERROR);
  assertEquals(response.answers, []);
  assertEquals(response.authority.map((r) => r.type), [RecordType.SOA]);
});

test("an empty non-terminal is NODATA, not NXDOMAIN", async () => {
  const response = await ask("empty.nonterminal.example.org", RecordType.A);
  assertEquals(response.rcode, Rcode.NOERROR);
  assertEquals(response.authority.map((r) => r.type), [RecordType.SOA]);
});

test("a CNAME chain inside the zone is followed to the address", async () => {
  const response = await ask("chain.example.org", RecordType.A);
  assertEquals(response.answers.map((r) => [r.name, r.type]), [
    ["chain.example.org", RecordType.CNAME],
    ["alias.example.org", RecordType.CNAME],
    ["www.example.org", RecordType.A],
  ]);
});

test("a CNAME out of the zone is answered alone", async () => {
  const response = await ask("outside.example.org", RecordType.A);
  assertEquals(response.rcode, Rcode.NOERROR);
  assertEquals(response.answers.map((r) => r.data), [{
    name: "www.example.net",
  }]);
});

test("a CNAME to a missing name in the zone ends in NXDOMAIN", async () => {
  const response = await ask("dangling.example.org", RecordType.A);
  assertEquals(response.rcode, Rcode.NXDOMAIN);
  assertEquals(response.answers.length, 1);
});

test("asking for the CNAME itself returns it", async () => {
  const response = await ask("alias.example.org", RecordType.CNAME);
  assertEquals(response.answers.map((r) => r.data), [{
    name: "www.example.org",
  }]);
});

test("a wildcard answers with the asked name as owner", async () => {
  const response = await ask("anything.wild.example.org", RecordType.A);
  assertEquals(response.answers.map((r) => [r.name, r.data]), [
    ["anything.wild.example.org", { address: "192.0.2.99" }],
  ]);
});

test("a delegation is a referral: NS in authority, glue in additional, no AA", async () => {
  const response = await ask("host.sub.example.org", RecordType.A);
  assertEquals(response.rcode, Rcode.NOERROR);
  assert(!response.authoritative);
  assertEquals(response.answers, []);
  assertEquals(response.authority.map((r) => r.data), [{
    name: "ns.sub.example.org",
  }]);
  assertEquals(response.additional.map((r) => r.data), [{
    address: "192.0.2.70",
  }]);
});

test("MX answers carry the exchange's address in additional", async () => {
  const response = await ask("example.org", RecordType.MX);
  assertEquals(response.answers.length, 2);
  assertEquals(response.additional.map((r) => r.name), ["mail.example.org"]);
});

test("TXT with several strings and SRV are served", async () => {
  const txt = await ask("example.org", RecordType.TXT);
  assertEquals(txt.answers[0]?.data, {
    strings: ["v=spf1 mx -all", "second string"],
  });
  const srv = await ask("_sip._tcp.example.org", RecordType.SRV);
  assertEquals(srv.answers[0]?.data, {
    priority: 10,
    weight: 60,
    port: 5060,
    target: "sip.example.org",
  });
  assertEquals(srv.additional.map((r) => r.name), ["sip.example.org"]);
});

test("a name outside every zone is REFUSED", async () => {
  const response = await ask("www.example.com", RecordType.A);
  assertEquals(response.rcode, Rcode.REFUSED);
  assert(!response.authoritative);
});

test("a zone transfer is REFUSED", async () => {
  const response = await ask("example.org", RecordType.AXFR, {}, false);
  assertEquals(response.rcode, Rcode.REFUSED);
});

test("a UDP answer over 512 bytes is truncated to an empty one with TC", async () => {
  const response = await ask("big.example.org", RecordType.TXT);
  assert(response.truncated);
  assertEquals(response.answers, []);
  assertEquals(response.questions[0]?.name, "big.example.org");
});

test("the same answer fits when the EDNS payload size allows it", async () => {
  const response = await ask("big.example.org", RecordType.TXT, {
    edns: { udpPayloadSize: 1232, version: 0, dnssecOk: false, options: [] },
  });
  assert(!response.truncated);
  assertEquals(response.answers.length, 6);
  assertEquals(response.edns?.udpPayloadSize, 1232);
});

test("over TCP the large answer is never truncated", async () => {
  const response = await ask("big.example.org", RecordType.TXT, {}, false);
  assert(!response.truncated);
  assertEquals(response.answers.length, 6);
});

test("ANY over UDP is answered with the name's smallest RRset (RFC 8482)", async () => {
  const response = await ask("example.org", RecordType.ANY);
  assert(response.authoritative);
  assert(!response.truncated);
  assertEquals(response.answers.map((r) => r.type), [RecordType.CAA]);
});

test("ANY over TCP is answered with every RRset of the name", async () => {
  const response = await ask("example.org", RecordType.ANY, {}, false);
  assertEquals(
    [...new Set(response.answers.map((r) => r.type))],
    [RecordType.SOA, RecordType.NS, RecordType.MX, RecordType.TXT, 257],
  );
});

test("ANY over UDP keeps the RRSIGs that cover the RRset it answers with", async () => {
  // RRSIG RDATA starts with the type covered: 0x0001 (A), 0x0010 (TXT).
  const signed = new DNSServerFactory([Zone.parse(
    `@ 60 IN SOA ns hm 1 60 60 60 60
host 60 IN A 192.0.2.1
host 60 IN TXT "a text longer than an address"
host 60 IN TYPE46 \\# 4 00010000
host 60 IN TYPE46 \\# 4 00100000
`,
    { origin: "example.org" },
  )]);
  const bytes = await signed.answer(queryBytes("host.example.org", 255), {
    udp: true,
  });
  const response = decodeMessage(bytes!);
  assertEquals(response.answers.map((r) => r.type), [RecordType.A, 46]);
});

test("a forwarded ANY over UDP is cut to one RRset too", async () => {
  const forwarding = new DNSServerFactory([fixtureZone()], {
    forward: {
      queryMessage: (question) =>
        Promise.resolve(decodeMessage(queryBytes(question.name, question.type, {
          response: true,
          answers: [
            {
              name: question.name,
              type: 1,
              class: 1,
              ttl: 5,
              data: { address: "198.51.100.1" },
            },
            {
              name: question.name,
              type: 16,
              class: 1,
              ttl: 5,
              data: { strings: ["a long text"] },
            },
          ],
        }))),
    },
  });
  const bytes = await forwarding.answer(
    queryBytes("www.example.com", RecordType.ANY),
    { udp: true },
  );
  assertEquals(decodeMessage(bytes!).answers.map((r) => r.type), [1]);
});

test("EDNS: the response carries OPT and echoes the DO bit", async () => {
  const response = await ask("www.example.org", RecordType.A, {
    edns: { udpPayloadSize: 4096, version: 0, dnssecOk: true, options: [] },
  });
  assertEquals(response.edns?.dnssecOk, true);
});

test("EDNS: a version above 0 gets BADVERS", async () => {
  const response = await ask("www.example.org", RecordType.A, {
    edns: { udpPayloadSize: 4096, version: 1, dnssecOk: false, options: [] },
  });
  assertEquals(response.rcode, Rcode.BADVERS);
});

test("a malformed query gets FORMERR with its ID", async () => {
  const bytes = queryBytes("www.example.org", RecordType.A);
  const broken = bytes.subarray(0, bytes.length - 2);
  const response = await factory.answer(broken, { udp: true });
  assert(response !== null);
  const message = decodeMessage(response);
  assertEquals(message.id, 0x4242);
  assertEquals(message.rcode, Rcode.FORMERR);
});

test("bytes shorter than a header and responses get no answer", async () => {
  assertEquals(await factory.answer(new Uint8Array(5), { udp: true }), null);
  const response = queryBytes("www.example.org", 1, { response: true });
  assertEquals(await factory.answer(response, { udp: true }), null);
});

test("a query with two questions gets FORMERR", async () => {
  const response = await ask("www.example.org", RecordType.A, {
    questions: [
      { name: "www.example.org", type: 1, class: 1 },
      { name: "mail.example.org", type: 1, class: 1 },
    ],
  });
  assertEquals(response.rcode, Rcode.FORMERR);
});

test("an opcode other than QUERY gets NOTIMP", async () => {
  const response = await ask("www.example.org", RecordType.A, { opcode: 5 });
  assertEquals(response.rcode, Rcode.NOTIMP);
});

test("forwarding mode sends names outside the zones upstream", async () => {
  const forwarding = new DNSServerFactory([fixtureZone()], {
    forward: {
      queryMessage: (question) =>
        Promise.resolve(decodeMessage(queryBytes(question.name, question.type, {
          response: true,
          answers: [{
            name: question.name,
            type: 1,
            class: 1,
            ttl: 5,
            data: { address: "198.51.100.1" },
          }],
        }))),
    },
  });
  const bytes = await forwarding.answer(queryBytes("www.example.com", 1), {
    udp: true,
  });
  const response = decodeMessage(bytes!);
  assertEquals(response.rcode, Rcode.NOERROR);
  assert(response.recursionAvailable);
  assertEquals(response.answers.map((r) => r.data), [{
    address: "198.51.100.1",
  }]);
});

/** Reads length-prefixed DNS messages from a TCP connection, keeping what it read ahead. */
class FrameReader {
  #conn: Deno.Conn;
  #bytes: number[] = [];
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }
  /** The next message, or `null` at the end of the connection. */
  async next(): Promise<DNSMessage | null> {
    const buf = new Uint8Array(4096);
    const b = this.#bytes;
    while (b.length < 2 || b.length < 2 + ((b[0]! << 8) | b[1]!)) {
      const n = await this.#conn.read(buf);
      if (n === null) return null;
      b.push(...buf.subarray(0, n));
    }
    const length = (b[0]! << 8) | b[1]!;
    const message = b.splice(0, 2 + length).slice(2);
    return decodeMessage(new Uint8Array(message));
  }
}

function frame(query: Uint8Array): Uint8Array {
  return new Uint8Array([query.length >> 8, query.length & 0xff, ...query]);
}

/** Asks `name` (type A) over UDP and returns the answer. */
async function askUDP(port: number, name: string): Promise<DNSMessage> {
  const udp = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    await udp.send(queryBytes(name, 1), {
      transport: "udp",
      hostname: "127.0.0.1",
      port,
    });
    const [data] = await udp.receive();
    return decodeMessage(data);
  } finally {
    udp.close();
  }
}

test("serveDNS answers over UDP and TCP on the same port", (t) =>
  withFixtureServer(t.reactor, async (server) => {
    assertEquals(
      (await askUDP(server.addr.port, "www.example.org")).answers.length,
      1,
    );
    const tcp = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    try {
      await tcp.write(frame(queryBytes("big.example.org", RecordType.TXT)));
      const response = await new FrameReader(tcp).next();
      assertEquals(response?.answers.length, 6);
    } finally {
      tcp.close();
    }
  }));

test("with reusePort, two servers share the port over UDP and TCP, and one answers when the other stops", async (t) => {
  const options = { reactor: t.reactor, reusePort: true };
  const first = await serveDNS(fixtureZone(), { ...options, listen: LOOPBACK });
  const port = first.addr.port;
  try {
    const second = await serveDNS(fixtureZone(), {
      ...options,
      listen: `udp:${port}:interface=127.0.0.1`,
    });
    assertEquals(second.addr.port, port);
    assertEquals((await askUDP(port, "www.example.org")).answers.length, 1);
    await second.shutdown();
    assertEquals((await askUDP(port, "www.example.org")).answers.length, 1);
  } finally {
    await first.shutdown();
  }
});

test("the UDP server survives garbage and keeps answering", (t) =>
  withFixtureServer(t.reactor, async (server) => {
    const udp = Deno.listenDatagram({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 0,
    });
    const to = {
      transport: "udp" as const,
      hostname: "127.0.0.1",
      port: server.addr.port,
    };
    try {
      await udp.send(new Uint8Array([1, 2, 3]), to);
      await udp.send(new Uint8Array(40).fill(0xff), to);
      await udp.send(queryBytes("www.example.org", 1), to);
      for (;;) {
        const [data] = await udp.receive();
        const message = decodeMessage(data);
        if (message.rcode === Rcode.NOERROR) {
          assertEquals(message.answers.length, 1);
          break;
        }
      }
    } finally {
      udp.close();
    }
  }));

test("over TCP, queries pipelined in one write are answered in order", (t) =>
  withFixtureServer(t.reactor, async (server) => {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    try {
      await conn.write(
        new Uint8Array([
          ...frame(queryBytes("www.example.org", RecordType.A, { id: 1 })),
          ...frame(queryBytes("nope.example.org", RecordType.A, { id: 2 })),
          ...frame(queryBytes("example.org", RecordType.MX, { id: 3 })),
        ]),
      );
      const frames = new FrameReader(conn);
      const first = await frames.next();
      assertEquals(first?.id, 1);
      const second = await frames.next();
      assertEquals([second?.id, second?.rcode], [2, Rcode.NXDOMAIN]);
      const third = await frames.next();
      assertEquals([third?.id, third?.answers.length], [3, 2]);
    } finally {
      conn.close();
    }
  }));

test("over TCP, a malformed query gets FORMERR and the connection goes on", (t) =>
  withFixtureServer(t.reactor, async (server) => {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    try {
      const garbage = new Uint8Array(20).fill(0x3f);
      garbage[2] = 0;
      const frames = new FrameReader(conn);
      await conn.write(frame(garbage));
      assertEquals((await frames.next())?.rcode, Rcode.FORMERR);
      await conn.write(frame(queryBytes("www.example.org", RecordType.A)));
      assertEquals((await frames.next())?.answers.length, 1);
    } finally {
      conn.close();
    }
  }));

test("over TCP, an idle connection is closed after tcpIdleTimeout", async (t) => {
  const server = await serveDNS(fixtureZone(), {
    reactor: t.reactor,
    listen: LOOPBACK,
    tcpIdleTimeout: 50,
  });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.addr.port,
  });
  try {
    const frames = new FrameReader(conn);
    await conn.write(frame(queryBytes("www.example.org", RecordType.A)));
    assertEquals((await frames.next())?.answers.length, 1);
    // Nothing more is sent: the server hangs up.
    assertEquals(await frames.next().catch(() => null), null);
  } finally {
    conn.close();
    await server.shutdown();
  }
});

test("a TCP peer that leaves in the middle of a query does not disturb the server", (t) =>
  withFixtureServer(t.reactor, async (server) => {
    const rude = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    await rude.write(
      frame(queryBytes("www.example.org", RecordType.A)).subarray(0, 9),
    );
    rude.close();
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    try {
      await conn.write(frame(queryBytes("www.example.org", RecordType.A)));
      assertEquals((await new FrameReader(conn).next())?.answers.length, 1);
    } finally {
      conn.close();
    }
  }));

test("serveDNS returns the shared RunningServer shape: finished resolves once shut down", async (t) => {
  const server = await serveDNS(fixtureZone(), {
    reactor: t.reactor,
    listen: LOOPBACK,
  });
  assertEquals([server.addr.transport, server.addr.hostname], [
    "udp",
    "127.0.0.1",
  ]);
  let finished = false;
  server.finished.then(() => finished = true);
  await server.shutdown();
  await server.finished;
  assert(finished);
});

test("await using stops a DNS server at the end of its scope", async (t) => {
  let port: number;
  {
    await using server = await serveDNS(fixtureZone(), {
      reactor: t.reactor,
      listen: LOOPBACK,
    });
    port = server.addr.port;
  }
  // Both ports are free again: a server can take the same one.
  const again = await serveDNS(fixtureZone(), {
    reactor: t.reactor,
    listen: `udp:${port}:interface=127.0.0.1`,
  });
  await again.shutdown();
});

test("serveDNS refuses a listen endpoint that is not udp:", async (t) => {
  await assertRejects(
    () =>
      serveDNS(fixtureZone(), {
        reactor: t.reactor,
        listen: "tcp:0:interface=127.0.0.1",
      }),
    TypeError,
    "listens on a udp: endpoint",
  );
});

test("serveDNS listens on udp:port=N as on udp:N", async (t) => {
  const server = await serveDNS(fixtureZone(), {
    reactor: t.reactor,
    listen: "udp:port=0:interface=127.0.0.1",
  });
  try {
    assertEquals(
      (await askUDP(server.addr.port, "www.example.org")).answers.length,
      1,
    );
  } finally {
    await server.shutdown();
  }
});

test("serveDNS binds the endpoint registry's default interface when the endpoint names none", async (t) => {
  const server = await serveDNS(fixtureZone(), {
    reactor: t.reactor,
    listen: "udp:0",
  });
  try {
    assertEquals(server.addr.hostname, DEFAULT_INTERFACE);
  } finally {
    await server.shutdown();
  }
});
