/**
 * Smoke test for examples/telnet_server.ts: a client that declines every
 * option (as nc does) gets the greeting, and its line back in capitals.
 */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("telnet_server", ["--port", "0"]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await conn.write(new TextEncoder().encode("hello\r\nquit\r\n"));
    const text = new TextDecoder().decode(
      new Uint8Array(await new Response(conn.readable).arrayBuffer()),
    );
    if (!text.includes("Welcome") || !text.includes("HELLO")) {
      throw new Error(`telnet_server answered:\n${text}`);
    }
  } finally {
    await server.stop();
  }
}

Deno.test("examples/telnet_server.ts: a client gets the greeting and its line back in capitals", () =>
  runSmoke(smoke));
