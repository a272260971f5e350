import {
  assert,
  assertEquals,
  assertThrows,
  test,
} from "../../../trial/mod.ts";
import type { Clock } from "../../../reactor/mod.ts";
import {
  decodeMessage,
  DNSDatagramProtocol,
  type DNSMessage,
  DNSServerFactory,
  type RateLimitOptions,
  type RateLimitVerdict,
  ResponseRateLimiter,
  serveDNS,
} from "../../../protocols/dns/mod.ts";
import { fixtureZone, LOOPBACK, queryBytes } from "./_helpers.ts";

/** The verdicts of `count` responses in a row to `hostname`. */
function verdicts(
  limiter: ResponseRateLimiter,
  hostname: string,
  count: number,
): RateLimitVerdict[] {
  return Array.from({ length: count }, () => limiter.verdict(hostname));
}

function limiter(clock: Clock, options: RateLimitOptions): ResponseRateLimiter {
  return new ResponseRateLimiter(options, clock);
}

test("a prefix gets responsesPerSecond responses, then every slip-th over it truncated and the rest dropped", (t) => {
  const rrl = limiter(t.clock, { responsesPerSecond: 3, slip: 2 });
  assertEquals(verdicts(rrl, "192.0.2.1", 7), [
    "send",
    "send",
    "send",
    "drop",
    "slip",
    "drop",
    "slip",
  ]);
});

test("the bucket refills at responsesPerSecond on the reactor's clock, up to one window", (t) => {
  const rrl = limiter(t.clock, { responsesPerSecond: 2, slip: 0 });
  assertEquals(verdicts(rrl, "192.0.2.1", 3), ["send", "send", "drop"]);
  t.clock.advance(500);
  assertEquals(verdicts(rrl, "192.0.2.1", 2), ["send", "drop"]);
  t.clock.advance(60_000);
  assertEquals(verdicts(rrl, "192.0.2.1", 3), ["send", "send", "drop"]);
});

test("window sets how many responses a quiet prefix may burst", (t) => {
  const rrl = limiter(t.clock, {
    responsesPerSecond: 10,
    window: 300,
    slip: 0,
  });
  assertEquals(verdicts(rrl, "192.0.2.1", 4), ["send", "send", "send", "drop"]);
});

test("addresses in one IPv4 /24 share a bucket, another /24 has its own", (t) => {
  const rrl = limiter(t.clock, { responsesPerSecond: 1, slip: 0 });
  assertEquals(rrl.verdict("192.0.2.1"), "send");
  assertEquals(rrl.verdict("192.0.2.254"), "drop");
  assertEquals(rrl.verdict("192.0.3.1"), "send");
});

test("an IPv4-mapped IPv6 address counts in its IPv4 /24", (t) => {
  const rrl = limiter(t.clock, { responsesPerSecond: 1, slip: 0 });
  assertEquals(rrl.verdict("192.0.2.1"), "send");
  assertEquals(rrl.verdict("::ffff:192.0.2.7"), "drop");
});

test("IPv6 addresses in one /56 share a bucket, another /56 has its own", (t) => {
  const rrl = limiter(t.clock, { responsesPerSecond: 1, slip: 0 });
  assertEquals(rrl.verdict("2001:db8::1"), "send");
  assertEquals(rrl.verdict("2001:db8:0:ff:1:2:3:4"), "drop");
  assertEquals(rrl.verdict("2001:db8:0:100::1"), "send");
  assertEquals(rrl.verdict("fe80::1%eth0"), "send");
});

test("slip 0 drops every response over the rate, slip 1 truncates every one", (t) => {
  const dropping = limiter(t.clock, { responsesPerSecond: 1, slip: 0 });
  assertEquals(verdicts(dropping, "192.0.2.1", 3), ["send", "drop", "drop"]);
  const slipping = limiter(t.clock, { responsesPerSecond: 1, slip: 1 });
  assertEquals(verdicts(slipping, "192.0.2.1", 3), ["send", "slip", "slip"]);
});

test("past maxPrefixes, the prefix tracked longest is forgotten", (t) => {
  const rrl = limiter(t.clock, {
    responsesPerSecond: 1,
    slip: 0,
    maxPrefixes: 2,
  });
  assertEquals(verdicts(rrl, "192.0.1.1", 2), ["send", "drop"]);
  assertEquals(verdicts(rrl, "192.0.2.1", 2), ["send", "drop"]);
  assertEquals(rrl.verdict("192.0.3.1"), "send");
  assertEquals(rrl.trackedPrefixes, 2);
  assertEquals(rrl.verdict("192.0.2.1"), "drop"); // still tracked
  assertEquals(rrl.verdict("192.0.1.1"), "send"); // forgotten: a fresh bucket
});

test("past maxPrefixes, prefixes whose bucket has refilled are forgotten first", (t) => {
  const rrl = limiter(t.clock, {
    responsesPerSecond: 1,
    slip: 0,
    maxPrefixes: 2,
  });
  assertEquals(rrl.verdict("192.0.1.1"), "send");
  t.clock.advance(1000); // 192.0.1.0/24 has its token back
  assertEquals(verdicts(rrl, "192.0.2.1", 2), ["send", "drop"]);
  assertEquals(rrl.verdict("192.0.3.1"), "send");
  assertEquals(rrl.verdict("192.0.2.1"), "drop"); // kept over the older, idle one
});

test("a flood of distinct prefixes never tracks more than maxPrefixes", (t) => {
  const rrl = limiter(t.clock, { responsesPerSecond: 1, maxPrefixes: 100 });
  for (let i = 0; i < 10_000; i++) {
    rrl.verdict(`10.${i >> 8}.${i & 0xff}.1`);
    if (i % 1000 === 0) t.clock.advance(1000);
  }
  assertEquals(rrl.trackedPrefixes, 100);
});

test("a rate, slip, window or table size out of range is a RangeError", (t) => {
  const bad: RateLimitOptions[] = [
    { responsesPerSecond: 0 },
    { responsesPerSecond: -1 },
    { responsesPerSecond: NaN },
    { responsesPerSecond: Infinity },
    { responsesPerSecond: 1, slip: -1 },
    { responsesPerSecond: 1, slip: 1.5 },
    { responsesPerSecond: 1, window: 0 },
    { responsesPerSecond: 1, maxPrefixes: 0 },
  ];
  for (const options of bad) {
    assertThrows(() => limiter(t.clock, options), RangeError);
  }
});

/** A UDP socket on loopback (`hostname`) that sends queries to `port` and reads the replies. */
function udpClient(port: number, hostname = "127.0.0.1") {
  const socket = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
  return {
    send: (id: number) =>
      socket.send(queryBytes("www.example.org", 1, { id }), to),
    receive: async (): Promise<DNSMessage> =>
      decodeMessage((await socket.receive())[0]),
    close: () => socket.close(),
  };
}

test("over real UDP, a flood from one address gets the rate's answers and every other query over it a TC=1 reply", async (t) => {
  const rrl = new ResponseRateLimiter(
    { responsesPerSecond: 10, slip: 2 },
    t.clock, // fake time: the flood's speed does not matter
  );
  const protocol = new DNSDatagramProtocol(
    new DNSServerFactory([fixtureZone()]),
    { rateLimiter: rrl },
  );
  const port = await t.reactor.listenUDP(0, protocol, {
    interface: "127.0.0.1",
  });
  const client = udpClient(port.getHost().port);
  // Another /24 of loopback, which the flood does not limit.
  const other = udpClient(port.getHost().port, "127.0.1.1");
  try {
    // 40 queries: few enough that no socket buffer on the way overflows.
    for (let id = 1; id <= 40; id++) await client.send(id);
    // Once the other client's query is answered, the server has been
    // through the flood; a second later the flooder has tokens again, and
    // the reply to its next query comes after every reply to the flood.
    await other.send(500);
    assertEquals((await other.receive()).id, 500);
    t.clock.advance(1000);
    await client.send(1000);
    const answered: number[] = [];
    const truncated: number[] = [];
    for (;;) {
      const reply = await client.receive();
      if (reply.id === 1000) break;
      if (reply.truncated) {
        assertEquals(reply.answers, []);
        assertEquals(reply.questions[0]?.name, "www.example.org");
        truncated.push(reply.id);
      } else {
        assertEquals(reply.answers.length, 1);
        answered.push(reply.id);
      }
    }
    assertEquals(answered, Array.from({ length: 10 }, (_, i) => i + 1));
    // Of the 30 over the rate, the 2nd, 4th... (slip 2): queries 12 to 40.
    assertEquals(truncated, Array.from({ length: 15 }, (_, i) => 12 + 2 * i));
  } finally {
    client.close();
    other.close();
    await port.stopListening();
  }
});

test("serveDNS's rrl limits UDP, while TCP answers every query", async (t) => {
  // One token, and the next in 1000 s: the test cannot outrun the limit.
  const server = await serveDNS(fixtureZone(), {
    reactor: t.reactor,
    listen: LOOPBACK,
    rrl: { responsesPerSecond: 0.001, slip: 1 },
  });
  const client = udpClient(server.addr.port);
  try {
    await client.send(1);
    assertEquals((await client.receive()).answers.length, 1);
    await client.send(2);
    const limited = await client.receive();
    assertEquals([limited.id, limited.truncated], [2, true]);
    const tcp = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.addr.port,
    });
    try {
      for (let id = 3; id <= 7; id++) {
        const query = queryBytes("www.example.org", 1, { id });
        await tcp.write(
          new Uint8Array([0, query.length, ...query]),
        );
        const reply = await readFrame(tcp);
        assertEquals([reply.id, reply.answers.length], [id, 1]);
      }
    } finally {
      tcp.close();
    }
  } finally {
    client.close();
    await server.shutdown();
  }
});

/** One length-prefixed DNS message from `conn` (the test sends one query at a time). */
async function readFrame(conn: Deno.Conn): Promise<DNSMessage> {
  const bytes: number[] = [];
  const buf = new Uint8Array(4096);
  while (bytes.length < 2 || bytes.length < 2 + (bytes[0]! << 8 | bytes[1]!)) {
    const n = await conn.read(buf);
    assert(n !== null, "the server closed the connection");
    bytes.push(...buf.subarray(0, n));
  }
  return decodeMessage(new Uint8Array(bytes.slice(2)));
}
