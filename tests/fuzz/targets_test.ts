// Every fuzz target holds the fuzz property over a short run, and every input
// kept in regressions/<codec>/ (a crash once found) still ends in a value or
// a typed error. `deno task fuzz` runs the long version in Workers.
import { seededRandom } from "../_random.ts";
import { check, fuzz, type FuzzStats, loadCorpus } from "./_harness.ts";
import { TARGETS } from "./_targets.ts";
import { assertEquals, test } from "../../trial/mod.ts";

for (const target of TARGETS) {
  test(`${target.name}: mutated inputs end in values or typed errors`, async () => {
    const stats = fuzz(target, {
      iterations: 300,
      random: seededRandom(7),
      corpus: await loadCorpus(target.name),
    });
    assertEquals(stats.findings.map((finding) => finding.detail), []);
  });

  test(`${target.name}: the inputs that once crashed it end in values or typed errors`, async () => {
    const dir = new URL(`./regressions/${target.name}/`, import.meta.url);
    const stats: FuzzStats = { inputs: 0, errors: new Map(), findings: [] };
    try {
      for await (const entry of Deno.readDir(dir)) {
        check(target, [await Deno.readFile(new URL(entry.name, dir))], stats);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    assertEquals(stats.findings.map((finding) => finding.detail), []);
  });
}

test("every fuzz target has a captured corpus", async () => {
  const empty: string[] = [];
  for (const target of TARGETS) {
    if ((await loadCorpus(target.name)).length === 0) empty.push(target.name);
  }
  assertEquals(empty, []);
});
