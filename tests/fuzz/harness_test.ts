import { runCodec } from "../../tools/fuzz.ts";
import { assertEquals, test } from "../../trial/mod.ts";

const fixtures = new URL("./fixtures/misbehaving_targets.ts", import.meta.url)
  .href;
async function run(codec: string) {
  const findings = await Deno.makeTempDir({ prefix: "spindle-fuzz-" });
  const lines: string[] = [];
  try {
    const result = await runCodec(codec, {
      iterations: 200,
      seed: 1,
      hangMs: 2000,
      verbose: false,
      targets: fixtures,
      findings: new URL(`file://${findings}/`),
      print: (line) => lines.push(line),
    });
    return { result, output: lines.join("\n") };
  } finally {
    await Deno.remove(findings, { recursive: true });
  }
}

test("an exception other than the codec's typed error is a crash", async () => {
  const { result } = await run("throws-type-error");
  assertEquals(result.crashes > 0, true);
  assertEquals(result.hangs, 0);
});

test("a parser that stops making progress is stopped and counted as a hang", async () => {
  const { result, output } = await run("hangs");
  assertEquals(result.hangs, 1);
  assertEquals(output.includes("no progress for 2000 ms"), true);
});

test("a value that does not decode back to itself is a broken round trip", async () => {
  const { result, output } = await run("loses-a-byte");
  assertEquals(result.crashes > 0, true);
  assertEquals(output.includes("round-trip"), true);
});
