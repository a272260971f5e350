import { assertEquals, assertRejects, test } from "../../../trial/mod.ts";
import {
  frame,
  LengthPrefixedCodec,
  LineCodec,
  LineTooLongError,
} from "../../../protocols/basic/mod.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import type { Connection } from "../../../reactor/interfaces.ts";

const encode = (text: string) => new TextEncoder().encode(text);

async function readExactly(
  conn: Connection,
  size: number,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const chunk = await conn.read();
    if (chunk === null) throw new Error("early end of input");
    const take = Math.min(size - filled, chunk.length);
    bytes.set(chunk.subarray(0, take), filled);
    filled += take;
    if (take < chunk.length) conn.unshift(chunk.subarray(take));
  }
  return bytes;
}

test("frame() switches from lines to raw bytes and back without losing a byte", async () => {
  const [client, server] = connectedPair();
  const raw = new Uint8Array([0, 1, 2, 13, 10, 13, 10, 253, 254, 255]);
  const sent = new Uint8Array([
    ...encode("LINE\r\n"),
    ...raw,
    ...encode("NEXT\r\n"),
  ]);
  await client.write(sent);

  const first = frame(server, new LineCodec());
  const reader = first.readable.getReader();
  assertEquals((await reader.read()).value, "LINE");
  reader.releaseLock();
  first.release();

  assertEquals(await readExactly(server, 10), raw);

  const second = frame(server, new LineCodec());
  const again = second.readable.getReader();
  assertEquals((await again.read()).value, "NEXT");
  again.releaseLock();
  await client.close();
  await server.close();
});

test("frame() release() during a pending read keeps the bytes in order", async () => {
  const [client, server] = connectedPair();
  const framed = frame(server, new LineCodec());
  const reader = framed.readable.getReader();
  const pending = reader.read();
  framed.release();
  await client.write(encode("late bytes"));
  assertEquals((await pending).done, true);
  assertEquals(await server.read(), encode("late bytes"));
  await client.close();
  await server.close();
});

test("frame() echoes messages with pipeTo and half-closes when the input ends", async () => {
  const [client, server] = connectedPair();
  const framed = frame(server, new LengthPrefixedCodec({ prefixLength: 2 }));
  const served = framed.readable.pipeTo(framed.writable);
  const peer = frame(client, new LengthPrefixedCodec({ prefixLength: 2 }));
  const writer = peer.writable.getWriter();
  await writer.write("one");
  await writer.write(new Uint8Array([1, 2, 3]));
  await writer.close();
  const got = await Array.fromAsync(peer.readable);
  assertEquals(got, [encode("one"), new Uint8Array([1, 2, 3])]);
  await served;
  await client.close();
  await server.close();
});

test("frame() errors the readable and closes the connection on a decoding error", async () => {
  const [client, server] = connectedPair();
  const framed = frame(server, new LineCodec({ maxLength: 4 }));
  await client.write(encode("ok\r\nmuch too long\r\n"));
  const reader = framed.readable.getReader();
  assertEquals((await reader.read()).value, "ok");
  await assertRejects(() => reader.read(), LineTooLongError);
  await server.closed;
  assertEquals(await client.read(), null);
  await client.close();
});

test("frame() lets for await read messages as they arrive", async () => {
  const [client, server] = connectedPair();
  const framed = frame(server, new LineCodec({ delimiter: "\n" }));
  await client.write(encode("a\nb\r\nc"));
  await client.closeWrite();
  assertEquals(await Array.fromAsync(framed.readable), ["a", "b", "c"]);
  await client.close();
  await server.close();
});

test("a decoding error closes only its own connection: the listener serves others", async (t) => {
  const port = await t.reactor.listenTCP(0, async (conn) => {
    const lines = frame(conn, new LineCodec({ maxLength: 16 }));
    await lines.readable.pipeTo(lines.writable).catch(() => {});
  }, { interface: "127.0.0.1" });
  t.addCleanup(() => port.stopListening());
  const { port: number } = port.getHost() as Deno.NetAddr;
  const bad = await t.reactor.connectTCP("127.0.0.1", number);
  const good = await t.reactor.connectTCP("127.0.0.1", number);
  await bad.write(encode("x".repeat(100) + "\r\n"));
  assertEquals(await bad.read(), null);
  await good.write(encode("still here\r\n"));
  await good.closeWrite();
  assertEquals(await new Response(good.readable).text(), "still here\r\n");
  await bad.close();
  await good.close();
});
