/** Smoke test for examples/guide_client.ts: each of its four clients gets its answer. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const shout = await kit.start("guide_server", ["--port", "0"]);
  const http = await kit.start("http_hello", ["--port", "0"]);
  const client = await kit.run("guide_client", [
    "--port",
    String(shout.port),
    "--url",
    `http://127.0.0.1:${http.port}/`,
  ]);
  const expected = [
    "streams got: STREAMS",
    "protocol got: PROTOCOL",
    "reconnecting got: PROTOCOL",
    "agent got: 200 Hello, World!",
  ];
  if (
    client.code !== 0 || !expected.every((line) => client.output.includes(line))
  ) {
    throw new Error(`guide_client failed:\n${client.output}`);
  }
}

Deno.test("examples/guide_client.ts: each of its four clients gets its answer", () =>
  runSmoke(smoke));
