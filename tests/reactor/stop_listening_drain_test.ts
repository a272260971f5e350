/**
 * Stopping a listener takes the connections already queued on it: closing a
 * socket with connections in its accept queue resets them, so they are
 * accepted and served first.
 */
import { assertEquals } from "../../trial/assertions.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";

const encoder = new TextEncoder();

async function answerOnce(conn: Connection): Promise<void> {
  await conn.write(encoder.encode("served"));
  await conn.close();
}

async function readAnswer(connecting: Promise<Deno.Conn>): Promise<string> {
  try {
    const conn = await connecting;
    return await new Response(conn.readable).text();
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
}

Deno.test("stopListening serves the connections queued on the listener instead of resetting them", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTCP(0, answerOnce, {
    interface: "127.0.0.1",
  });
  const { port: number } = port.getHost() as Deno.NetAddr;
  // On loopback the handshake completes inside connect(): these wait in the
  // accept queue, since the accept loop cannot run before stopListening.
  const connecting = Array.from(
    { length: 8 },
    () => Deno.connect({ hostname: "127.0.0.1", port: number }),
  );
  const stopped = port.stopListening();
  const answers = await Promise.all(connecting.map(readAnswer));
  await stopped;
  assertEquals(answers, Array(8).fill("served"));
  await reactor.cleanUp();
});
