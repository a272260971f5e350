/** Smoke test for examples/guide_deferreds.ts: every step prints what the guide says it does. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const result = await kit.run("guide_deferreds");
  const expected = [
    "chain: -1",
    "deferLater: ten milliseconds later",
    "cancel: true",
    "timeout: true",
    "gatherResults: a,b",
    "lock: 3,1,2",
    "queue: first, second",
  ].join("\n");
  if (result.code !== 0 || result.output.trim() !== expected) {
    throw new Error(`guide_deferreds printed:\n${result.output}`);
  }
}

Deno.test("examples/guide_deferreds.ts: every step prints what the guide says it does", () =>
  runSmoke(smoke));
