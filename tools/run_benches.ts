/**
 * `deno task bench`: runs every benchmark in `bench/`, one after the other, so
 * they do not compete for the two cores. `Deno.bench` files (micro-benchmarks)
 * run under `deno bench`; the others are scripts that start their peers, drive
 * them with a bounded load and print ratios. Arguments filter by name.
 *
 * @module
 */

const benchDir = new URL("../bench/", import.meta.url);

async function listBenches(filter: string[]): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(benchDir)) {
    if (!entry.isFile || !entry.name.endsWith("_bench.ts")) continue;
    if (filter.length === 0 || filter.some((f) => entry.name.includes(f))) {
      names.push(entry.name);
    }
  }
  return names.sort();
}

async function isMicroBench(name: string): Promise<boolean> {
  const source = await Deno.readTextFile(new URL(name, benchDir));
  return source.includes("Deno.bench(");
}

async function runBench(name: string): Promise<boolean> {
  const path = `bench/${name}`;
  const args = await isMicroBench(name)
    ? ["bench", "--allow-all", "--unstable-net", path]
    : ["run", "--allow-all", "--unstable-net", path];
  console.log(`\n== ${path}`);
  const { code } = await new Deno.Command(Deno.execPath(), { args }).spawn()
    .status;
  return code === 0;
}

if (import.meta.main) {
  const failed: string[] = [];
  for (const name of await listBenches(Deno.args)) {
    if (!await runBench(name)) failed.push(name);
  }
  if (failed.length > 0) {
    console.log(`\nbenchmarks that failed: ${failed.join(", ")}`);
    Deno.exit(1);
  }
}
