import { assertEquals } from "../../trial/assertions.ts";
import { ROOT } from "./_smoke_kit.ts";

Deno.test("every example in examples/ has a smoke test in tests/examples/", async () => {
  const missing: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}examples`)) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const test = `tests/examples/${entry.name.slice(0, -3)}_test.ts`;
    try {
      await Deno.stat(`${ROOT}${test}`);
    } catch {
      missing.push(test);
    }
  }
  assertEquals(missing, []);
});
