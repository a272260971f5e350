// The small inetd services (RFC 862-868) over in-memory connections and
// loopback UDP, with fixed clocks.
import {
  chargen,
  CHARGEN_CYCLE,
  daytime,
  discard,
  encodeQuote,
  encodeTime,
  formatDaytime,
  inetdDatagramHandler,
  InvalidQuoteError,
  qotd,
  time,
} from "../../../protocols/wire/mod.ts";
import { concatChunks } from "../../../reactor/bytes.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import type { Connection } from "../../../reactor/interfaces.ts";
import {
  assert,
  assertEquals,
  assertThrows,
  test,
} from "../../../trial/mod.ts";

const MOON_LANDING = Date.UTC(1969, 6, 20, 20, 17, 40);

async function readAll(conn: Connection): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (let chunk; (chunk = await conn.read()) !== null;) chunks.push(chunk);
  return concatChunks(chunks);
}

test("discard reads everything and sends nothing", async () => {
  const [client, server] = connectedPair();
  const served = discard(server);
  await client.write(new TextEncoder().encode("into the void"));
  await client.closeWrite();
  await served;
  await server.close();
  assertEquals((await readAll(client)).length, 0);
  await client.close();
});

test("chargen's pattern is RFC 864's rotating 72-character lines", () => {
  const text = new TextDecoder().decode(CHARGEN_CYCLE);
  const lines = text.split("\r\n");
  assertEquals(lines.length, 96); // 95 lines and the empty rest
  assertEquals(
    lines[0],
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg",
  );
  assertEquals(lines[1]!.slice(0, 3), '!"#');
  assertEquals(lines[94]!.slice(0, 2), "~ ");
  assert(lines.slice(0, 95).every((line) => line.length === 72));
});

test("chargen writes only as fast as the peer reads, then stops when it half-closes", async () => {
  const [client, server] = connectedPair();
  const served = chargen(server);
  let received = 0;
  while (received < 3 * CHARGEN_CYCLE.length) {
    received += (await client.read())!.length;
  }
  await client.closeWrite();
  await served;
  await server.close();
  await readAll(client);
  await client.close();
});

test("chargen ends quietly when the peer goes away mid-stream", async () => {
  const [client, server] = connectedPair();
  const served = chargen(server);
  await client.read();
  client.abort();
  await served;
  await server.closed.catch(() => {});
});

test("daytime sends asctime of the UTC time and CRLF", async () => {
  assertEquals(formatDaytime(MOON_LANDING), "Sun Jul 20 20:17:40 1969\r\n");
  const [client, server] = connectedPair();
  await daytime(server, { now: () => MOON_LANDING });
  await server.close();
  assertEquals(
    new TextDecoder().decode(await readAll(client)),
    "Sun Jul 20 20:17:40 1969\r\n",
  );
  await client.close();
});

test("time sends the seconds since 1900 as 32 big-endian bits", async () => {
  const [client, server] = connectedPair();
  await time(server, { now: () => 1_000_500 });
  await server.close();
  const bytes = await readAll(client);
  assertEquals(new DataView(bytes.buffer).getUint32(0), 2_208_988_800 + 1000);
  await client.close();
});

test("time wraps modulo 2^32 after 2036, as RFC 868 clients expect", () => {
  const wrap = Date.UTC(2036, 1, 7, 6, 28, 16); // 2^32 seconds after 1900
  assertEquals(new DataView(encodeTime(wrap).buffer).getUint32(0), 0);
});

test("qotd sends the quote it is given", async () => {
  const [client, server] = connectedPair();
  await qotd(server, { quote: () => "Measure twice, cut once.\r\n" });
  await server.close();
  assertEquals(
    new TextDecoder().decode(await readAll(client)),
    "Measure twice, cut once.\r\n",
  );
  await client.close();
});

test("a quote longer than 512 characters or not printable ASCII is refused", () => {
  assertThrows(() => encodeQuote("x".repeat(513)), InvalidQuoteError);
  assertThrows(() => encodeQuote("caf\u00e9\r\n"), InvalidQuoteError);
  assertThrows(() => encodeQuote("bell\x07"), InvalidQuoteError);
});

async function ask(
  port: number,
  data: Uint8Array,
  from = 0,
): Promise<Uint8Array | null> {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: from,
  });
  try {
    await socket.send(data, { transport: "udp", hostname: "127.0.0.1", port });
    const timer = setTimeout(() => socket.close(), 2000);
    try {
      const [reply] = await socket.receive();
      return reply;
    } catch {
      return null; // no answer within the bounded wait
    } finally {
      clearTimeout(timer);
    }
  } finally {
    try {
      socket.close();
    } catch {
      // Closed by the timer already.
    }
  }
}

test("over UDP, echo, daytime, time and qotd answer one datagram each", async (t) => {
  const now = () => MOON_LANDING;
  for (
    const [name, expected] of [
      ["echo", "ping"],
      ["daytime", "Sun Jul 20 20:17:40 1969\r\n"],
      ["qotd", "An apple a day keeps the doctor away.\r\n"],
    ] as const
  ) {
    const port = await t.reactor.listenUDP(
      0,
      inetdDatagramHandler(name, { now }),
      {
        interface: "127.0.0.1",
      },
    );
    try {
      const reply = await ask(
        port.getHost().port,
        new TextEncoder().encode("ping"),
      );
      assertEquals(new TextDecoder().decode(reply!), expected);
    } finally {
      await port.stopListening();
    }
  }
  const port = await t.reactor.listenUDP(
    0,
    inetdDatagramHandler("time", { now }),
    {
      interface: "127.0.0.1",
    },
  );
  try {
    const reply = await ask(port.getHost().port, new Uint8Array());
    assertEquals(reply, encodeTime(MOON_LANDING));
  } finally {
    await port.stopListening();
  }
});

test("over UDP, chargen answers 0 to 512 characters of the pattern", async (t) => {
  const port = await t.reactor.listenUDP(
    0,
    inetdDatagramHandler("chargen", { random: () => 0.999 }),
    { interface: "127.0.0.1" },
  );
  try {
    const reply = await ask(port.getHost().port, new Uint8Array(1));
    assertEquals(reply, CHARGEN_CYCLE.subarray(0, 512));
  } finally {
    await port.stopListening();
  }
});

test("over UDP, datagrams from another small service's port get no answer", async (t) => {
  const port = await t.reactor.listenUDP(0, inetdDatagramHandler("echo"), {
    interface: "127.0.0.1",
  });
  try {
    // From port 19 (chargen) an answer would start an endless echo-chargen
    // loop. Binding port 19 needs privileges the test may not have.
    let reply: Uint8Array | null | undefined;
    try {
      reply = await ask(port.getHost().port, new Uint8Array(1), 19);
    } catch (error) {
      if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
    }
    if (reply !== undefined) assertEquals(reply, null);
  } finally {
    await port.stopListening();
  }
});
