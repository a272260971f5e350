/** Smoke test for examples/http_client.ts: against http_hello, requests succeed over one pooled connection. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("http_hello", ["--port", "0"]);
  try {
    const client = await kit.run("http_client", [
      "--url",
      `http://127.0.0.1:${server.port}/`,
      "--count",
      "3",
    ]);
    for (
      const expected of [
        "1: 200 OK",
        "3: 200 OK",
        "POST: 200",
        "pooled connections: 1",
      ]
    ) {
      if (client.code !== 0 || !client.output.includes(expected)) {
        throw new Error(
          `http_client did not print ${
            JSON.stringify(expected)
          }:\n${client.output}`,
        );
      }
    }
  } finally {
    await server.stop();
  }
}

Deno.test("examples/http_client.ts: against http_hello, requests succeed over one pooled connection", () =>
  runSmoke(smoke));
