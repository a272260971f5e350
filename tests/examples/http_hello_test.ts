/** Smoke test for examples/http_hello.ts: routes answer, keep-alive works, SIGTERM stops it. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("http_hello", ["--port", "0"]);
  const base = `http://127.0.0.1:${server.port}`;
  const hello = await fetch(`${base}/`);
  const text = await hello.text();
  if (hello.status !== 200 || text !== "Hello, World!\n") {
    throw new Error(
      `http_hello answered ${hello.status} ${JSON.stringify(text)}`,
    );
  }
  const json = await (await fetch(`${base}/json`)).json();
  if (json.hello !== "world") {
    throw new Error(`http_hello /json gave ${JSON.stringify(json)}`);
  }
  const count = await (await fetch(`${base}/count`)).text();
  if (count !== "1\n2\n3\n4\n5\n") {
    throw new Error(`http_hello /count gave ${JSON.stringify(count)}`);
  }
  const client = await kit.run("http_client", [
    "--url",
    `${base}/`,
    "--count",
    "2",
  ]);
  if (
    client.code !== 0 || !client.output.includes("2: 200 OK") ||
    !client.output.includes("pooled connections: 1")
  ) {
    throw new Error(`http_client against http_hello failed:\n${client.output}`);
  }
  const stopped = await server.stop();
  if (stopped.code !== 0) {
    throw new Error(
      `http_hello exited with ${stopped.code} on SIGTERM:\n${stopped.output}`,
    );
  }
}

Deno.test("examples/http_hello.ts: routes answer, keep-alive works, SIGTERM stops it", () =>
  runSmoke(smoke));
