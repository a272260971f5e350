/** Smoke test for examples/amp_calculator.ts: a client calls the server. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("amp_calculator", ["--port", "0"]);
  const client = await kit.run("amp_calculator", [
    "--connect",
    String(server.port),
  ]);
  for (
    const line of [
      "13 + 81 = 94",
      "7 / 2 = 3.5",
      "1 / 0 failed: division by zero",
    ]
  ) {
    if (!client.output.includes(line)) {
      throw new Error(
        `amp_calculator client did not print ${
          JSON.stringify(line)
        }:\n${client.output}`,
      );
    }
  }
  if (client.code !== 0) {
    throw new Error(`amp_calculator client exited with ${client.code}`);
  }
  await server.stop();
}

Deno.test("examples/amp_calculator.ts: a client's calls get the server's answers", () =>
  runSmoke(smoke));
