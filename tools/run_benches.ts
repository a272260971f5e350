/**
 * `deno task bench`: runs every benchmark in `bench/`, one after the other, so
 * they do not compete for the two cores. `Deno.bench` files (micro-benchmarks)
 * run under `deno bench`; the others are scripts that start their peers, drive
 * them with a bounded load and print ratios. Arguments filter by name.
 *
 * `--report` also writes `bench/REPORT.md` and an SVG chart per figure in
 * `bench/charts/`, from the ratios the benches record (`bench/_report.ts`).
 *
 * @module
 */
import { type BenchRatio, REPORT_ENV } from "../bench/_report.ts";
import {
  figuresOf,
  machineFacts,
  renderChart,
  renderReport,
} from "./bench_report.ts";

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

async function runBench(
  name: string,
  env: Record<string, string>,
): Promise<boolean> {
  const path = `bench/${name}`;
  const args = await isMicroBench(name)
    ? ["bench", "--allow-all", "--unstable-net", path]
    : ["run", "--allow-all", "--unstable-net", path];
  console.log(`\n== ${path}`);
  const { code } = await new Deno.Command(Deno.execPath(), { args, env })
    .spawn().status;
  return code === 0;
}

async function writeReport(
  ratiosFile: string,
  failed: string[],
): Promise<void> {
  const text = await Deno.readTextFile(ratiosFile);
  const ratios = text.split("\n").filter((line) => line !== "").map((line) =>
    JSON.parse(line) as BenchRatio
  );
  const figures = figuresOf(ratios);
  const facts = await machineFacts();
  const charts = new URL("charts/", benchDir);
  await Deno.mkdir(charts, { recursive: true });
  for (const figure of figures) {
    await Deno.writeTextFile(
      new URL(figure.file, charts),
      renderChart(figure, facts),
    );
  }
  await Deno.writeTextFile(
    new URL("REPORT.md", benchDir),
    renderReport(figures, facts, failed),
  );
  console.log(
    `\nwrote bench/REPORT.md and ${figures.length} chart(s) in bench/charts/`,
  );
}

if (import.meta.main) {
  const report = Deno.args.includes("--report");
  const filter = Deno.args.filter((arg) => arg !== "--report");
  const env: Record<string, string> = {};
  if (report) {
    env[REPORT_ENV] = await Deno.makeTempFile({ suffix: ".jsonl" });
  }
  const failed: string[] = [];
  for (const name of await listBenches(filter)) {
    if (!await runBench(name, env)) failed.push(name);
  }
  if (report) await writeReport(env[REPORT_ENV]!, failed);
  if (failed.length > 0) {
    console.log(`\nbenchmarks that failed: ${failed.join(", ")}`);
    Deno.exit(1);
  }
}
