// The Echo protocol (RFC 862) over an in-memory connection.
import { echo } from "../../../protocols/wire/mod.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import { assertEquals, test } from "../../../trial/mod.ts";

test("echo sends every byte back until the peer half-closes", async () => {
  const [client, server] = connectedPair();
  const served = echo(server);
  await client.write(new TextEncoder().encode("hello, "));
  await client.write(new TextEncoder().encode("echo"));
  await client.closeWrite();
  await served;
  // The handler returns at the end of input; closing is its caller's part.
  await server.close();
  let received = "";
  const decoder = new TextDecoder();
  for (let chunk; (chunk = await client.read()) !== null;) {
    received += decoder.decode(chunk, { stream: true });
  }
  assertEquals(received, "hello, echo");
  await client.close();
});
