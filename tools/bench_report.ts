/**
 * The benchmark report: the ratios the benches recorded (`bench/_report.ts`),
 * kept in `bench/ratios.jsonl` with the date and machine of each run, drawn as
 * one SVG bar chart per figure, `bench/REPORT.md` around them, and the block of
 * charts in the README's "Performance" section.
 *
 * @module
 */
import type { BenchRatio } from "../bench/_report.ts";

/** Where and when the ratios were measured, printed on every chart. */
export interface MachineFacts {
  /** The day of the run, `YYYY-MM-DD`. */
  date: string;
  /** One line on the machine, such as `2 cores, AMD EPYC 7B13, 24 GiB, Linux 6.1`. */
  machine: string;
}

/** A ratio as `bench/ratios.jsonl` keeps it: with the date and machine of its run. */
export type RecordedRatio = BenchRatio & MachineFacts;

/** One chart: the ratios of one figure of one bench, from one run. */
export interface Figure extends MachineFacts {
  bench: string;
  title: string;
  kind: BenchRatio["kind"];
  metric: string;
  ratios: { peer: string; ratio: number }[];
  /** The chart's file name, such as `tcp_echo-1.svg`. */
  file: string;
}

/** Reads the lines of a ratios file (JSON Lines); blank lines are skipped. */
export function parseRatios(text: string): RecordedRatio[] {
  return text.split("\n").filter((line) => line.trim() !== "").map((line) =>
    JSON.parse(line) as RecordedRatio
  );
}

/** Writes ratios as JSON Lines, one ratio a line, for `bench/ratios.jsonl`. */
export function formatRatios(ratios: readonly RecordedRatio[]): string {
  return ratios.map((r) =>
    JSON.stringify({
      bench: r.bench,
      figure: r.figure,
      kind: r.kind,
      metric: r.metric,
      peer: r.peer,
      // Three decimals are more than a shared machine's noise allows.
      ratio: Number(r.ratio.toFixed(3)),
      date: r.date,
      machine: r.machine,
    }) + "\n"
  ).join("");
}

/**
 * Accumulates runs: every bench that recorded ratios in `fresh` replaces all
 * of its ratios in `kept` (so one bench can be refreshed alone); the others
 * stay as they were, with their own dates. The result is ordered by bench
 * name, each bench's ratios in the order its run recorded them.
 */
export function mergeRatios(
  kept: readonly RecordedRatio[],
  fresh: readonly RecordedRatio[],
): RecordedRatio[] {
  const refreshed = new Set(fresh.map((r) => r.bench));
  const merged = [...kept.filter((r) => !refreshed.has(r.bench)), ...fresh];
  // Array.prototype.sort is stable, so each bench keeps its own order.
  return merged.sort((a, b) =>
    a.bench < b.bench ? -1 : a.bench > b.bench ? 1 : 0
  );
}

/**
 * Groups the recorded ratios into figures (one per bench, title, kind and
 * metric), in the order first seen; a peer recorded twice in a figure keeps
 * its last ratio, and the figure the date and machine of its last ratio.
 */
export function figuresOf(ratios: readonly RecordedRatio[]): Figure[] {
  const figures = new Map<string, Figure>();
  const perBench = new Map<string, number>();
  for (const r of ratios) {
    const key = [r.bench, r.figure, r.kind, r.metric].join("\u0000");
    let figure = figures.get(key);
    if (figure === undefined) {
      const n = (perBench.get(r.bench) ?? 0) + 1;
      perBench.set(r.bench, n);
      figure = {
        bench: r.bench,
        title: r.figure,
        kind: r.kind,
        metric: r.metric,
        ratios: [],
        file: `${r.bench}-${n}.svg`,
        date: r.date,
        machine: r.machine,
      };
      figures.set(key, figure);
    }
    const same = figure.ratios.findIndex((x) => x.peer === r.peer);
    if (same >= 0) figure.ratios.splice(same, 1);
    figure.ratios.push({ peer: r.peer, ratio: r.ratio });
    figure.date = r.date;
    figure.machine = r.machine;
  }
  return [...figures.values()];
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  ).replace(/"/g, "&quot;");
}

/** What a figure measures, in words, saying first whether it is a rate or CPU time. */
export function measureOf(figure: Pick<Figure, "kind" | "metric">): string {
  return figure.kind === "rate"
    ? `Rate: ${figure.metric}, Spindle's over the peer's`
    : `CPU time per ${figure.metric}, the peer's over Spindle's`;
}

/** One line under a chart: whether it is a rate or CPU time, what of, and when. */
export function captionOf(figure: Figure): string {
  return `${measureOf(figure)} (above 1x, Spindle does better); ` +
    `measured ${figure.date} by \`bench/${figure.bench}_bench.ts\`.`;
}

const WIDTH = 760;
/** Roughly the width of one character at the chart's font size. */
const CHAR = 7.2;
const BAR = 26;
const GAP = 10;
const TOP = 64;

/** Draws `figure` as an SVG bar chart of ratios, with a line at parity (1x). */
export function renderChart(figure: Figure): string {
  const max = Math.max(1.25, ...figure.ratios.map((r) => r.ratio)) * 1.15;
  const longest = Math.max(...figure.ratios.map((r) => r.peer.length + 3));
  const LABEL = Math.min(360, Math.ceil(longest * CHAR) + 20);
  const plot = WIDTH - LABEL - 60;
  const x = (ratio: number) => LABEL + (ratio / max) * plot;
  const height = TOP + figure.ratios.length * (BAR + GAP) + 46;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${
      escape(figure.title)
    }</text>`,
    `<text x="12" y="42" fill="#444">${
      escape(measureOf(figure))
    }; above 1x, Spindle does better</text>`,
  ];
  figure.ratios.forEach(({ peer, ratio }, i) => {
    const y = TOP + i * (BAR + GAP);
    const better = ratio >= 1;
    parts.push(
      `<text x="${LABEL - 8}" y="${y + BAR / 2 + 4}" text-anchor="end">vs ${
        escape(peer)
      }</text>`,
      `<rect x="${LABEL}" y="${y}" width="${
        (x(ratio) - LABEL).toFixed(1)
      }" height="${BAR}" fill="${better ? "#2f7d4f" : "#b5523b"}"/>`,
      `<text x="${(x(ratio) + 6).toFixed(1)}" y="${y + BAR / 2 + 4}">${
        ratio.toFixed(2)
      }x</text>`,
    );
  });
  const bottom = TOP + figure.ratios.length * (BAR + GAP);
  parts.push(
    `<line x1="${x(1).toFixed(1)}" y1="${TOP - 8}" x2="${
      x(1).toFixed(1)
    }" y2="${bottom}" stroke="#222" stroke-dasharray="4 3"/>`,
    `<text x="${x(1).toFixed(1)}" y="${
      bottom + 14
    }" text-anchor="middle" fill="#222">1x</text>`,
    `<text x="12" y="${height - 10}" fill="#666" font-size="11">${
      escape(
        `${figure.date} · ${figure.machine} · bench/${figure.bench}_bench.ts`,
      )
    }</text>`,
    `</svg>`,
  );
  return parts.join("\n") + "\n";
}

/** `bench/REPORT.md`: every figure's chart and its ratios, each with its date and machine. */
export function renderReport(figures: readonly Figure[]): string {
  const lines = [
    "# Benchmark report",
    "",
    "Drawn by `deno task bench --report` from `bench/ratios.jsonl`; do not edit.",
    "Every ratio compares Spindle with a peer measured side by side in the same",
    "run; above 1x, Spindle does better. A rate figure divides Spindle's",
    "operations per second by the peer's; a CPU figure divides the peer's server",
    "CPU time per operation by Spindle's (steadier on a shared machine).",
    "",
    "Each bench's figures come from its last run with `--report`, on the date and",
    "machine shown with them: `deno task bench --report NAME` reruns one bench",
    "(`smtp` runs `bench/smtp_bench.ts`) and redraws the report, its charts and",
    "the README's Performance charts from all the figures.",
    "",
  ];
  for (const figure of figures) {
    lines.push(
      `## ${figure.title}: ${figure.kind === "rate" ? "rate" : "CPU time"}`,
      "",
      `![${figure.title}](charts/${figure.file})`,
      "",
      captionOf(figure),
      `On ${figure.machine}.`,
      "",
      ...figure.ratios.map((r) =>
        `- against ${r.peer}: ${r.ratio.toFixed(2)}x`
      ),
      "",
    );
  }
  return lines.join("\n");
}

/** The first and last lines of the README's block of charts, which `--report` redraws. */
export const README_MARKERS = [
  "<!-- bench charts: drawn by deno task bench --report -->",
  "<!-- end of bench charts -->",
] as const;

/** The README's block of charts: grouped by bench, a caption under each. */
export function renderReadmeCharts(figures: readonly Figure[]): string {
  const lines: string[] = [README_MARKERS[0], ""];
  let bench = "";
  for (const figure of figures) {
    if (figure.bench !== bench) {
      bench = figure.bench;
      lines.push(`### \`${bench}_bench.ts\``, "");
    }
    lines.push(
      `![${figure.title}](bench/charts/${figure.file})`,
      "",
      captionOf(figure),
      "",
    );
  }
  lines.push(README_MARKERS[1]);
  return lines.join("\n");
}

/**
 * `readme` with the text between its chart markers (markers included)
 * replaced by `block`; throws if the markers are missing, so nothing else in
 * the README is ever rewritten.
 */
export function replaceReadmeCharts(readme: string, block: string): string {
  const start = readme.indexOf(README_MARKERS[0]);
  const end = readme.indexOf(README_MARKERS[1]);
  if (start < 0 || end < start) {
    throw new Error(
      `README.md has no "${README_MARKERS[0]}" ... "${
        README_MARKERS[1]
      }" block: put the two markers back in its Performance section`,
    );
  }
  return readme.slice(0, start) + block +
    readme.slice(end + README_MARKERS[1].length);
}

/** The chart files a Markdown text shows, as paths relative to the repository. */
export function chartsShown(markdown: string, base: string): string[] {
  return [...markdown.matchAll(/!\[[^\]]*\]\(([^)\s]+\.svg)\)/g)].map((m) =>
    new URL(m[1]!, `file:///${base}`).pathname.slice(1)
  );
}

/** The date and a one-line description of this machine. */
export async function machineFacts(): Promise<MachineFacts> {
  let cpu = "";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpu = info.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? "";
  } catch {
    // Not Linux: the core count and the system say enough.
  }
  const gib = Math.round(Deno.systemMemoryInfo().total / 2 ** 30);
  const cores = navigator.hardwareConcurrency;
  const machine = [
    `${cores} cores`,
    cpu,
    `${gib} GiB`,
    `${Deno.build.os} ${Deno.osRelease()}`,
    `Deno ${Deno.version.deno}`,
  ].filter((part) => part !== "").join(", ");
  return { date: new Date().toISOString().slice(0, 10), machine };
}
