// The benchmark report: ratios kept run by run, grouped into figures, drawn as
// SVG bar charts, REPORT.md and the README's charts, all in step.
import { assert, assertEquals, assertThrows, test } from "../../trial/mod.ts";
import {
  chartsShown,
  figuresOf,
  formatRatios,
  mergeRatios,
  parseRatios,
  README_MARKERS,
  type RecordedRatio,
  renderChart,
  renderReadmeCharts,
  renderReport,
  replaceReadmeCharts,
} from "../../tools/bench_report.ts";

const root = new URL("../../", import.meta.url);

function ratio(overrides: Partial<RecordedRatio>): RecordedRatio {
  return {
    bench: "tcp_echo",
    figure: "TCP echo",
    kind: "rate",
    metric: "round trips per second",
    peer: "node:net",
    ratio: 1.2,
    date: "2026-12-05",
    machine: "2 cores, 24 GiB",
    ...overrides,
  };
}

test("ratios of one figure, kind and metric make one figure, in the order seen", () => {
  const figures = figuresOf([
    ratio({ peer: "node:net" }),
    ratio({ peer: "Twisted", ratio: 1.9 }),
    ratio({ kind: "cpu", metric: "round trip", peer: "node:net" }),
    ratio({ bench: "dns", figure: "DNS", peer: "Twisted names" }),
  ]);
  assertEquals(
    figures.map((f) => [f.file, f.ratios.map((r) => r.peer)]),
    [
      ["tcp_echo-1.svg", ["node:net", "Twisted"]],
      ["tcp_echo-2.svg", ["node:net"]],
      ["dns-1.svg", ["Twisted names"]],
    ],
  );
});

test("one peer measured in two metrics of a figure makes two figures", () => {
  const figures = figuresOf([
    ratio({ figure: "IMAP", metric: "SELECT per second", peer: "Dovecot" }),
    ratio({ figure: "IMAP", metric: "FETCH per second", peer: "Dovecot" }),
  ]);
  assertEquals(figures.map((f) => f.metric), [
    "SELECT per second",
    "FETCH per second",
  ]);
});

test("a peer measured twice in one figure keeps its last ratio", () => {
  const [figure] = figuresOf([
    ratio({ ratio: 1.1 }),
    ratio({ ratio: 1.3 }),
  ]);
  assertEquals(figure!.ratios, [{ peer: "node:net", ratio: 1.3 }]);
});

test("a bench that ran again replaces all its earlier ratios; the other benches keep theirs and their dates", () => {
  const kept = [
    ratio({ bench: "smtp", peer: "Twisted ESMTP", date: "2026-11-29" }),
    ratio({ bench: "smtp", peer: "aiosmtpd", date: "2026-11-29" }),
    ratio({ bench: "dns", peer: "Twisted names", date: "2026-11-29" }),
  ];
  const fresh = [
    ratio({
      bench: "smtp",
      peer: "Twisted ESMTP",
      ratio: 2,
      date: "2026-12-05",
    }),
  ];
  assertEquals(
    mergeRatios(kept, fresh).map((r) => [r.bench, r.peer, r.date]),
    [
      ["dns", "Twisted names", "2026-11-29"],
      ["smtp", "Twisted ESMTP", "2026-12-05"],
    ],
  );
});

test("merged ratios are ordered by bench, each bench in the order its run recorded", () => {
  const merged = mergeRatios([ratio({ bench: "tcp_echo", peer: "a" })], [
    ratio({ bench: "irc", peer: "y" }),
    ratio({ bench: "irc", peer: "x" }),
  ]);
  assertEquals(merged.map((r) => `${r.bench}:${r.peer}`), [
    "irc:y",
    "irc:x",
    "tcp_echo:a",
  ]);
});

test("ratios written as JSON Lines read back the same, to three decimals", () => {
  const written = formatRatios([ratio({ ratio: 1.23456 }), ratio({})]);
  assertEquals(written.split("\n").length, 3);
  assertEquals(parseRatios(written), [ratio({ ratio: 1.235 }), ratio({})]);
});

test("a figure carries the date and machine of its run", () => {
  const [figure] = figuresOf([
    ratio({ date: "2026-12-01", machine: "old" }),
    ratio({ peer: "Twisted", date: "2026-12-05", machine: "new" }),
  ]);
  assertEquals([figure!.date, figure!.machine], ["2026-12-05", "new"]);
});

test("a chart draws a bar and a label per peer, the parity line, what it measures, and the date and machine", () => {
  const [figure] = figuresOf([
    ratio({ peer: "node:net", ratio: 1.25 }),
    ratio({ peer: "Twisted", ratio: 0.5 }),
  ]);
  const svg = renderChart(figure!);
  assert(svg.startsWith("<svg"));
  assertEquals(svg.match(/<rect x=/g)?.length, 2);
  assert(svg.includes("1.25x") && svg.includes("0.50x"));
  assert(svg.includes(">1x</text>"));
  assert(svg.includes("2026-12-05 · 2 cores, 24 GiB"));
  assert(
    svg.includes("Rate: round trips per second, Spindle's over the peer's"),
  );
});

test("a CPU chart says it measures CPU time per operation", () => {
  const [figure] = figuresOf([ratio({ kind: "cpu", metric: "round trip" })]);
  assert(
    renderChart(figure!).includes(
      "CPU time per round trip, the peer's over Spindle's",
    ),
  );
});

test("a chart escapes what it prints", () => {
  const [figure] = figuresOf([ratio({ peer: "<a & b>" })]);
  assert(renderChart(figure!).includes("vs &lt;a &amp; b&gt;"));
});

test("the report shows each chart with its measure, date, machine and ratios", () => {
  const report = renderReport(figuresOf([ratio({})]));
  assert(report.includes("![TCP echo](charts/tcp_echo-1.svg)"));
  assert(report.includes("## TCP echo: rate"));
  assert(report.includes("Rate: round trips per second"));
  assert(report.includes("measured 2026-12-05"));
  assert(report.includes("On 2 cores, 24 GiB."));
  assert(report.includes("- against node:net: 1.20x"));
});

test("the README's charts are grouped by bench, each with a caption", () => {
  const block = renderReadmeCharts(figuresOf([
    ratio({}),
    ratio({ kind: "cpu", metric: "round trip" }),
    ratio({ bench: "dns", figure: "DNS" }),
  ]));
  assertEquals(block.match(/^### /gm)?.length, 2);
  assertEquals(chartsShown(block, ""), [
    "bench/charts/tcp_echo-1.svg",
    "bench/charts/tcp_echo-2.svg",
    "bench/charts/dns-1.svg",
  ]);
  assert(
    block.includes("\nCPU time per round trip, the peer's over Spindle's"),
  );
});

test("the README's charts replace only the text between the markers", () => {
  const readme = `# R\n\n${README_MARKERS[0]}\nold\n${
    README_MARKERS[1]
  }\n\nafter\n`;
  assertEquals(
    replaceReadmeCharts(readme, "new"),
    "# R\n\nnew\n\nafter\n",
  );
});

test("a README without the chart markers is refused, not rewritten", () => {
  assertThrows(
    () => replaceReadmeCharts("# R\n", "new"),
    Error,
    "put the two markers back",
  );
});

// ---- deno task bench --report, run in a copy of its files with two benches

/** A bench that records one ratio, `--ratio R`, and exits 1 with `--fail`. */
const FAKE_BENCH = `import { reportRatio } from "./_report.ts";
const name = new URL(import.meta.url).pathname.split("/").pop()!;
const at = Deno.args.indexOf("--ratio");
reportRatio({
  bench: name.replace("_bench.ts", ""),
  figure: name,
  kind: "rate",
  metric: "operations per second",
  peer: "a peer",
  ratio: Number(Deno.args[at + 1]),
});
if (Deno.args.includes("--fail")) Deno.exit(1);
`;

async function copyOfTheRunner(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "spindle-bench-report-" });
  await Deno.mkdir(`${dir}/bench`);
  await Deno.mkdir(`${dir}/tools`);
  for (
    const path of [
      "bench/_report.ts",
      "tools/bench_report.ts",
      "tools/run_benches.ts",
    ]
  ) {
    await Deno.copyFile(new URL(path, root), `${dir}/${path}`);
  }
  await Deno.writeTextFile(`${dir}/bench/alpha_bench.ts`, FAKE_BENCH);
  await Deno.writeTextFile(`${dir}/bench/beta_bench.ts`, FAKE_BENCH);
  await Deno.writeTextFile(
    `${dir}/README.md`,
    `# R\n\n${README_MARKERS[0]}\n${README_MARKERS[1]}\n\nafter\n`,
  );
  return dir;
}

async function runBenches(dir: string, ...args: string[]): Promise<number> {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", `${dir}/tools/run_benches.ts`, ...args],
    stdout: "null",
    stderr: "null",
  }).output();
  return code;
}

async function ratiosIn(dir: string): Promise<Record<string, number>> {
  const text = await Deno.readTextFile(`${dir}/bench/ratios.jsonl`);
  return Object.fromEntries(parseRatios(text).map((r) => [r.bench, r.ratio]));
}

test("deno task bench --report NAME refreshes that bench's figures and redraws everything from all of them", async () => {
  const dir = await copyOfTheRunner();
  try {
    assertEquals(await runBenches(dir, "--report", "--", "--ratio", "1.5"), 0);
    assertEquals(
      await runBenches(dir, "--report", "alpha", "--", "--ratio", "2"),
      0,
    );
    assertEquals(await ratiosIn(dir), { alpha: 2, beta: 1.5 });
    const readme = await Deno.readTextFile(`${dir}/README.md`);
    assertEquals(chartsShown(readme, ""), [
      "bench/charts/alpha-1.svg",
      "bench/charts/beta-1.svg",
    ]);
    assert(readme.startsWith("# R\n") && readme.endsWith("\n\nafter\n"));
    const report = await Deno.readTextFile(`${dir}/bench/REPORT.md`);
    assert(report.includes("- against a peer: 2.00x"));
    assert(report.includes("- against a peer: 1.50x"));
    const charts = [...Deno.readDirSync(`${dir}/bench/charts`)].map((e) =>
      e.name
    );
    assertEquals(charts.sort(), ["alpha-1.svg", "beta-1.svg"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("a bench that fails keeps its earlier figures, and the run exits 1", async () => {
  const dir = await copyOfTheRunner();
  try {
    assertEquals(await runBenches(dir, "--report", "--", "--ratio", "1.5"), 0);
    assertEquals(
      await runBenches(dir, "--report", "beta", "--", "--ratio", "3", "--fail"),
      1,
    );
    assertEquals(await ratiosIn(dir), { alpha: 1.5, beta: 1.5 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("a --report run draws its charts from the ratios as stored, so a --redraw draws the same", async () => {
  const dir = await copyOfTheRunner();
  try {
    // 1.23449 is stored as 1.234: its bar is 0.2 px shorter than unrounded.
    assertEquals(
      await runBenches(dir, "--report", "--", "--ratio", "1.23449"),
      0,
    );
    const drawn = await Deno.readTextFile(`${dir}/bench/charts/alpha-1.svg`);
    const report = await Deno.readTextFile(`${dir}/bench/REPORT.md`);
    assertEquals(await runBenches(dir, "--redraw"), 0);
    assertEquals(
      await Deno.readTextFile(`${dir}/bench/charts/alpha-1.svg`),
      drawn,
    );
    assertEquals(await Deno.readTextFile(`${dir}/bench/REPORT.md`), report);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("deno task bench --redraw draws everything again from bench/ratios.jsonl without running a bench", async () => {
  const dir = await copyOfTheRunner();
  try {
    assertEquals(await runBenches(dir, "--report", "--", "--ratio", "1.5"), 0);
    await Deno.remove(`${dir}/bench/charts`, { recursive: true });
    await Deno.remove(`${dir}/bench/alpha_bench.ts`);
    assertEquals(await runBenches(dir, "--redraw"), 0);
    assertEquals(await ratiosIn(dir), { alpha: 1.5, beta: 1.5 });
    const charts = [...Deno.readDirSync(`${dir}/bench/charts`)].map((e) =>
      e.name
    );
    assertEquals(charts.sort(), ["alpha-1.svg", "beta-1.svg"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- the committed report: bench/ratios.jsonl, its charts, REPORT.md, README

/** What is committed: the figures of bench/ratios.jsonl, the README, REPORT.md. */
async function committed() {
  const read = (path: string) => Deno.readTextFile(new URL(path, root));
  return {
    recorded: figuresOf(parseRatios(await read("bench/ratios.jsonl"))),
    readme: await read("README.md"),
    report: await read("bench/REPORT.md"),
  };
}
/** Markdown as `deno fmt` may rewrap it: compare words, not line breaks. */
const words = (text: string) => text.replace(/\s+/g, " ").trim();

test("every chart the README shows exists, and every chart in REPORT.md is shown in the README", async () => {
  const { readme, report } = await committed();
  const shown = chartsShown(readme, "");
  const missing: string[] = [];
  for (const path of shown) {
    await Deno.stat(new URL(path, root)).catch(() => missing.push(path));
  }
  assertEquals(missing, []);
  const inReport = chartsShown(report, "bench/");
  assertEquals(inReport.filter((path) => !shown.includes(path)), []);
  assert(inReport.length > 0, "bench/REPORT.md shows no chart");
});

test("the README's charts, REPORT.md and bench/charts/ are what bench/ratios.jsonl draws (deno task bench --report redraws them)", async () => {
  const { recorded, readme, report } = await committed();
  const start = readme.indexOf(README_MARKERS[0]);
  const end = readme.indexOf(README_MARKERS[1]) + README_MARKERS[1].length;
  assertEquals(
    words(readme.slice(start, end)),
    words(renderReadmeCharts(recorded)),
  );
  assertEquals(words(report), words(renderReport(recorded)));
  const stale: string[] = [];
  for (const figure of recorded) {
    const svg = await Deno.readTextFile(
      new URL(`bench/charts/${figure.file}`, root),
    ).catch(() => "");
    if (svg !== renderChart(figure)) stale.push(figure.file);
  }
  assertEquals(stale, []);
  const files: string[] = [];
  for await (const entry of Deno.readDir(new URL("bench/charts/", root))) {
    files.push(entry.name);
  }
  assertEquals(files.sort(), recorded.map((f) => f.file).sort());
});
