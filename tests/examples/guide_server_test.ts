/** Smoke test for examples/guide_server.ts: lines come back upper-cased, SIGTERM stops it cleanly. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("guide_server", ["--port", "0"]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(new TextEncoder().encode("hello\nworld\n"));
  await conn.closeWrite();
  const reply = await new Response(conn.readable).text();
  if (reply !== "HELLO\nWORLD\n") {
    throw new Error(`guide_server answered ${JSON.stringify(reply)}`);
  }
  const stopped = await server.stop();
  if (stopped.code !== 0) {
    throw new Error(
      `guide_server exited with ${stopped.code} on SIGTERM:\n${stopped.output}`,
    );
  }
}

Deno.test("examples/guide_server.ts: lines come back upper-cased, SIGTERM stops it cleanly", () =>
  runSmoke(smoke));
