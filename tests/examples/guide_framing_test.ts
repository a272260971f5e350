/** Smoke test for examples/guide_framing.ts: every pipeline prints what the guide says it does. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const result = await kit.run("guide_framing");
  const expected = [
    "lines: 5,7",
    "frame: ping",
    "netstrings: 5:hello,5:world,",
    "length-prefixed: a,bc",
    "decoded: hello,world",
    "standard: one,two,three",
  ].join("\n");
  if (result.code !== 0 || result.output.trim() !== expected) {
    throw new Error(`guide_framing printed:\n${result.output}`);
  }
}

Deno.test("examples/guide_framing.ts: every pipeline prints what the guide says it does", () =>
  runSmoke(smoke));
