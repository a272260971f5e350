/** Smoke test for examples/echo_server.ts: bytes come back, SIGTERM stops it cleanly. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("echo_server", ["--port", "0"]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const message = "hello echo\n".repeat(1000);
  await conn.write(new TextEncoder().encode(message));
  await conn.closeWrite();
  const reply = await new Response(conn.readable).text();
  if (reply !== message) {
    throw new Error(
      `echo_server sent back ${reply.length} bytes instead of ${message.length}`,
    );
  }
  const client = await kit.run("echo_client", ["--port", String(server.port)]);
  if (
    client.code !== 0 || !client.output.includes("received: hello, spindle")
  ) {
    throw new Error(
      `echo_client against echo_server failed:\n${client.output}`,
    );
  }
  const stopped = await server.stop();
  if (stopped.code !== 0) {
    throw new Error(
      `echo_server exited with ${stopped.code} on SIGTERM:\n${stopped.output}`,
    );
  }
}

Deno.test("examples/echo_server.ts: bytes come back, SIGTERM stops it cleanly", () =>
  runSmoke(smoke));
