/**
 * Smoke test for examples/finger_client.ts: it prints the plan that a
 * Spindle finger server answers for a user.
 */
import { serveFinger } from "../../protocols/finger/mod.ts";
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  await using server = await serveFinger({
    user: (name) => name === "alice" ? "Plan: a smoke test\n" : null,
  }, { listen: "tcp:0:interface=127.0.0.1" });
  const { port } = server.addr as Deno.NetAddr;
  const client = await kit.run("finger_client", [`alice@127.0.0.1:${port}`]);
  if (client.code !== 0 || !client.output.includes("Plan: a smoke test")) {
    throw new Error(
      `finger_client exited with ${client.code}:\n${client.output}`,
    );
  }
}

Deno.test("examples/finger_client.ts: it prints the plan a finger server answers for a user", () =>
  runSmoke(smoke));
