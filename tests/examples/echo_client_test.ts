/**
 * Smoke test for examples/echo_client.ts: in both styles it gets its message
 * back from the Protocol-style server, and it exits 1 when nothing listens.
 */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("echo_protocol_server", ["--port", "0"]);
  const client = await kit.run("echo_client", [
    "--port",
    String(server.port),
    "--message",
    "a smoke test",
  ]);
  if (client.code !== 0 || !client.output.includes("received: a smoke test")) {
    throw new Error(
      `echo_client exited with ${client.code}:\n${client.output}`,
    );
  }
  const streamed = await kit.run("echo_client", [
    "--port",
    String(server.port),
    "--style",
    "stream",
  ]);
  if (
    streamed.code !== 0 || !streamed.output.includes("received: hello, spindle")
  ) {
    throw new Error(
      `echo_client --style stream exited with ${streamed.code}:\n${streamed.output}`,
    );
  }
  await server.stop();
  const refused = await kit.run("echo_client", ["--port", String(server.port)]);
  if (
    refused.code !== 1 || !refused.output.includes("ConnectionRefusedError")
  ) {
    throw new Error(
      `echo_client with no server exited with ${refused.code}:\n${refused.output}`,
    );
  }
}

Deno.test("examples/echo_client.ts: in both styles it gets its message back from the Protocol-style server, and it exits 1 when nothing listens", () =>
  runSmoke(smoke));
