/** A protocol switch (`info.upgrade()`) on a real TCP listener. */
import { assertEquals, test } from "../../../trial/mod.ts";
import { serveHTTP } from "../../../protocols/http/mod.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Reads from `conn` until the text read so far ends with `end`. */
async function readUntil(conn: Deno.Conn, end: string): Promise<string> {
  let text = "";
  const buffer = new Uint8Array(4096);
  while (!text.endsWith(end)) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += decoder.decode(buffer.subarray(0, n));
  }
  return text;
}

test("after the 101, the handed-over TCP connection stays open for the new protocol", async () => {
  const server = await serveHTTP((_request, info) => {
    const { response, connection } = info.upgrade({
      headers: { connection: "upgrade", upgrade: "echo" },
    });
    connection.then(async (conn) => {
      // Read after the handler returned: the HTTP loop has let go by now.
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (let chunk; (chunk = await conn.read()) !== null;) {
        await conn.write(chunk);
      }
      await conn.close();
    });
    return response;
  }, { listen: "tcp:0:interface=127.0.0.1" });
  const { port } = server.addr as Deno.NetAddr;
  const client = await Deno.connect({ hostname: "127.0.0.1", port });
  await client.write(encoder.encode(
    "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n",
  ));
  const head = await readUntil(client, "\r\n\r\n");
  assertEquals(head.split("\r\n")[0], "HTTP/1.1 101 Switching Protocols");
  await client.write(encoder.encode("ping"));
  assertEquals(await readUntil(client, "ping"), "ping");
  await client.closeWrite();
  assertEquals(await readUntil(client, "never"), "");
  client.close();
  await server.shutdown();
});
