import { assertEquals } from "../../../trial/assertions.ts";
import { Clock } from "../../../reactor/clock.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import type { Connection } from "../../../reactor/interfaces.ts";
import { Factory } from "../../../reactor/factory.ts";
import { Protocol } from "../../../reactor/protocol.ts";
import {
  ConnectionWrapper,
  wrapHandler,
} from "../../../reactor/policies/wrapper.ts";
import { TestLineDecoder } from "../_helpers.ts";

const encoder = new TextEncoder();

class Counting extends ConnectionWrapper {
  bytesRead = 0;
  bytesWritten = 0;
  override async read(): Promise<Uint8Array | null> {
    const chunk = await super.read();
    if (chunk !== null) this.bytesRead += chunk.byteLength;
    return chunk;
  }
  override write(data: Uint8Array): Promise<void> {
    this.bytesWritten += data.byteLength;
    return super.write(data);
  }
}

Deno.test("the wrapper's readable and writable go through its read and write", async () => {
  const [server, client] = connectedPair();
  const counted = new Counting(server);
  const echoing = counted.readable.pipeTo(counted.writable);
  await client.write(encoder.encode("hello"));
  await client.closeWrite();
  assertEquals(new TextDecoder().decode((await client.read())!), "hello");
  await echoing;
  assertEquals([counted.bytesRead, counted.bytesWritten], [5, 5]);
  await client.close();
  await counted.closed;
});

Deno.test("a Spindle decoder piped from the wrapper's readable still sees every byte", async () => {
  const [server, client] = connectedPair();
  const counted = new Counting(server);
  await client.write(encoder.encode("one\ntwo\n"));
  await client.close();
  const lines: string[] = [];
  for await (
    const line of counted.readable.pipeThrough(new TestLineDecoder())
  ) {
    lines.push(line);
  }
  assertEquals(lines, ["one", "two"]);
  assertEquals(counted.bytesRead, 8);
  await counted.close();
});

Deno.test("wrapHandler keeps the style: a function for a function, a factory for a factory", async () => {
  const seen: Connection[] = [];
  const wrappedFunction = wrapHandler((conn) => {
    seen.push(conn);
  }, (conn) => new Counting(conn));
  const [server, client] = connectedPair();
  wrappedFunction(server);
  assertEquals(seen.length, 1);
  assertEquals(seen[0] instanceof Counting, true);
  await client.close();
  await server.close();

  let built = 0;
  class Counted extends Factory {
    override buildProtocol(): Protocol {
      built++;
      return new Protocol();
    }
  }
  const wrappedFactory = wrapHandler(new Counted(), () => null);
  const [refused] = connectedPair();
  await wrappedFactory.handleConnection(refused, new Clock() as never);
  assertEquals(built, 0);
  refused.abort();
});
