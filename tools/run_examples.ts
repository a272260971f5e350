/**
 * `deno task examples`: runs the smoke test of every example in `examples/`
 * (the `smoke` function of `tests/examples/<name>_test.ts`, which
 * `deno task test` runs too) and prints a pass/fail table. An example without
 * a smoke test fails. Arguments filter the examples by name.
 *
 * @module
 */
import { runSmoke, type SmokeTest } from "../tests/examples/_smoke_kit.ts";

interface Outcome {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

async function listExamples(filter: string[]): Promise<string[]> {
  const names: string[] = [];
  for await (
    const entry of Deno.readDir(new URL("../examples/", import.meta.url))
  ) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const name = entry.name.slice(0, -3);
    if (filter.length === 0 || filter.some((f) => name.includes(f))) {
      names.push(name);
    }
  }
  return names.sort();
}

async function loadSmokeTest(name: string): Promise<SmokeTest | undefined> {
  const url = new URL(`../tests/examples/${name}_test.ts`, import.meta.url);
  try {
    await Deno.stat(url);
  } catch {
    return undefined;
  }
  // Outside `deno test` the file's Deno.test registration does nothing.
  const module = await import(url.href);
  return module.smoke as SmokeTest | undefined;
}

async function runOne(name: string): Promise<Outcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const smoke = await loadSmokeTest(name);
  if (!smoke) {
    return {
      name,
      ok: false,
      ms: 0,
      detail:
        `no smoke test: add tests/examples/${name}_test.ts exporting smoke()`,
    };
  }
  try {
    await runSmoke(smoke);
    return { name, ok: true, ms: elapsed(), detail: "" };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { name, ok: false, ms: elapsed(), detail };
  }
}

function printTable(outcomes: Outcome[]): void {
  const width = Math.max(7, ...outcomes.map((o) => o.name.length));
  console.log(`${"example".padEnd(width)}  result  time`);
  for (const o of outcomes) {
    console.log(
      `${o.name.padEnd(width)}  ${o.ok ? "pass  " : "FAIL  "}  ${o.ms} ms`,
    );
  }
  for (const o of outcomes.filter((o) => !o.ok)) {
    console.log(`\n${o.name}: ${o.detail}`);
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  console.log(
    `\nexamples: ${outcomes.length - failed} passed, ${failed} failed`,
  );
}

if (import.meta.main) {
  const names = await listExamples(Deno.args);
  if (names.length === 0) {
    console.log("examples: 0 passed, 0 failed (no examples found)");
  } else {
    const outcomes: Outcome[] = [];
    for (const name of names) outcomes.push(await runOne(name));
    printTable(outcomes);
    if (outcomes.some((o) => !o.ok)) Deno.exit(1);
  }
}
