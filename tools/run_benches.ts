/**
 * `deno task bench`: runs every benchmark in `bench/`, one after the other, so
 * they do not compete for the two cores. `Deno.bench` files (micro-benchmarks)
 * run under `deno bench`; the others are scripts that start their peers, drive
 * them with a bounded load and print ratios. Arguments pick benches by name:
 * `http` runs `bench/http_bench.ts` alone (a name that is no bench's runs
 * every bench whose file name contains it, such as `http_`). Arguments after
 * `--` go to each bench, such as `-- --rounds 1`.
 *
 * `--report` also records the ratios the benches report (`bench/_report.ts`)
 * in `bench/ratios.jsonl`, where each bench that ran replaces its earlier
 * figures and the others keep theirs, each with its own date; then it redraws
 * `bench/REPORT.md`, an SVG chart per figure in `bench/charts/` and the
 * README's block of charts from all of them. So
 * `deno task bench --report smtp` refreshes the SMTP figures alone, and
 * `deno task bench --redraw` redraws them all without running a bench.
 *
 * @module
 */
import { REPORT_ENV } from "../bench/_report.ts";
import {
  figuresOf,
  formatRatios,
  machineFacts,
  mergeRatios,
  parseRatios,
  type RecordedRatio,
  renderChart,
  renderReadmeCharts,
  renderReport,
  replaceReadmeCharts,
} from "./bench_report.ts";

const root = new URL("../", import.meta.url);
const benchDir = new URL("bench/", root);
const ratiosFile = new URL("ratios.jsonl", benchDir);
const chartsDir = new URL("charts/", benchDir);

async function listBenches(filter: string[]): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(benchDir)) {
    if (entry.isFile && entry.name.endsWith("_bench.ts")) {
      names.push(entry.name);
    }
  }
  if (filter.length === 0) return names.sort();
  return names.filter((name) =>
    filter.some((f) =>
      names.includes(`${f}_bench.ts`)
        ? name === `${f}_bench.ts`
        : name.includes(f)
    )
  ).sort();
}

async function isMicroBench(name: string): Promise<boolean> {
  const source = await Deno.readTextFile(new URL(name, benchDir));
  return source.includes("Deno.bench(");
}

async function runBench(
  name: string,
  benchArgs: string[],
  env: Record<string, string>,
): Promise<boolean> {
  const path = `bench/${name}`;
  const args = await isMicroBench(name)
    ? ["bench", "--allow-all", "--unstable-net", path, "--", ...benchArgs]
    : ["run", "--allow-all", "--unstable-net", path, ...benchArgs];
  console.log(`\n== ${path}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    env,
    cwd: root,
  }).spawn().status;
  return code === 0;
}

/** `text` as `deno fmt` writes Markdown, so the files it draws pass `deno fmt --check`. */
async function formatMarkdown(text: string): Promise<string> {
  const fmt = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "-"],
    stdin: "piped",
    stdout: "piped",
    cwd: root,
  }).spawn();
  const writer = fmt.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { success, stdout } = await fmt.output();
  if (!success) throw new Error("deno fmt could not format the report");
  return new TextDecoder().decode(stdout);
}

async function readRatios(file: URL | string): Promise<RecordedRatio[]> {
  try {
    return parseRatios(await Deno.readTextFile(file));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

async function writeReport(
  freshFile: string | null,
  failed: readonly string[],
): Promise<void> {
  const facts = await machineFacts();
  // A bench that failed keeps its earlier figures, not a run's first half.
  const fresh = (freshFile === null ? [] : await readRatios(freshFile))
    .filter((r) => !failed.includes(`${r.bench}_bench.ts`))
    .map((r) => ({ ...r, ...facts }));
  const stored = formatRatios(
    mergeRatios(await readRatios(ratiosFile), fresh),
  );
  await Deno.writeTextFile(ratiosFile, stored);
  // Drawn from the ratios as stored (rounded), so that a --redraw, and the
  // test that the charts match bench/ratios.jsonl, find the same figures.
  const ratios = parseRatios(stored);
  const figures = figuresOf(ratios);
  await Deno.mkdir(chartsDir, { recursive: true });
  const files = new Set(figures.map((f) => f.file));
  // A chart no figure draws any more would be shown stale: remove it.
  for await (const entry of Deno.readDir(chartsDir)) {
    if (entry.name.endsWith(".svg") && !files.has(entry.name)) {
      await Deno.remove(new URL(entry.name, chartsDir));
    }
  }
  for (const figure of figures) {
    await Deno.writeTextFile(
      new URL(figure.file, chartsDir),
      renderChart(figure),
    );
  }
  await Deno.writeTextFile(
    new URL("REPORT.md", benchDir),
    await formatMarkdown(renderReport(figures)),
  );
  const readmeFile = new URL("README.md", root);
  const block = (await formatMarkdown(renderReadmeCharts(figures))).trimEnd();
  await Deno.writeTextFile(
    readmeFile,
    replaceReadmeCharts(await Deno.readTextFile(readmeFile), block),
  );
  console.log(
    `\n${fresh.length} ratio(s) recorded; bench/ratios.jsonl holds ${ratios.length}: ` +
      `wrote bench/REPORT.md, ${figures.length} chart(s) in bench/charts/ and README.md's charts`,
  );
}

if (import.meta.main) {
  const dashes = Deno.args.indexOf("--");
  const ours = dashes < 0 ? Deno.args : Deno.args.slice(0, dashes);
  const benchArgs = dashes < 0 ? [] : Deno.args.slice(dashes + 1);
  if (ours.includes("--redraw")) {
    // Nothing runs: the report is drawn again from bench/ratios.jsonl, as
    // after a change to how it is drawn.
    await writeReport(null, []);
    Deno.exit(0);
  }
  const report = ours.includes("--report");
  const filter = ours.filter((arg) => arg !== "--report");
  const env: Record<string, string> = {};
  if (report) {
    env[REPORT_ENV] = await Deno.makeTempFile({ suffix: ".jsonl" });
  }
  const names = await listBenches(filter);
  if (names.length === 0) {
    console.error(`no bench in bench/ matches ${filter.join(", ")}`);
    Deno.exit(2);
  }
  const failed: string[] = [];
  for (const name of names) {
    if (!await runBench(name, benchArgs, env)) failed.push(name);
  }
  if (report) {
    await writeReport(env[REPORT_ENV]!, failed);
    await Deno.remove(env[REPORT_ENV]!);
  }
  if (failed.length > 0) {
    console.log(
      `\nbenchmarks that failed (their earlier figures are kept): ${
        failed.join(", ")
      }`,
    );
    Deno.exit(1);
  }
}
