/**
 * The benchmark report: the ratios the benches recorded (`bench/_report.ts`)
 * drawn as one SVG bar chart per figure, and `bench/REPORT.md` around them.
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

/** One chart: the ratios of one figure of one bench. */
export interface Figure {
  bench: string;
  title: string;
  kind: BenchRatio["kind"];
  metric: string;
  ratios: { peer: string; ratio: number }[];
  /** The chart's file name, such as `tcp_echo-1.svg`. */
  file: string;
}

/** Groups the recorded ratios into figures, in the order first seen; a ratio recorded twice keeps the last. */
export function figuresOf(ratios: readonly BenchRatio[]): Figure[] {
  const figures = new Map<string, Figure>();
  const perBench = new Map<string, number>();
  for (const r of ratios) {
    const key = `${r.bench}\u0000${r.figure}\u0000${r.kind}`;
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
      };
      figures.set(key, figure);
    }
    const same = figure.ratios.findIndex((x) => x.peer === r.peer);
    if (same >= 0) figure.ratios.splice(same, 1);
    figure.ratios.push({ peer: r.peer, ratio: r.ratio });
  }
  return [...figures.values()];
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  ).replace(/"/g, "&quot;");
}

/** What a figure measures, in words. */
export function measureOf(figure: Pick<Figure, "kind" | "metric">): string {
  return figure.kind === "rate"
    ? `${figure.metric}: Spindle's over the peer's`
    : `CPU time per ${figure.metric}: the peer's over Spindle's`;
}

const WIDTH = 760;
/** Roughly the width of one character at the chart's font size. */
const CHAR = 7.2;
const BAR = 26;
const GAP = 10;
const TOP = 64;

/** Draws `figure` as an SVG bar chart of ratios, with a line at parity (1x). */
export function renderChart(figure: Figure, facts: MachineFacts): string {
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
        `${facts.date} · ${facts.machine} · bench/${figure.bench}_bench.ts`,
      )
    }</text>`,
    `</svg>`,
  );
  return parts.join("\n") + "\n";
}

/** `bench/REPORT.md`: every figure's chart and its ratios, with the date and machine. */
export function renderReport(
  figures: readonly Figure[],
  facts: MachineFacts,
  failed: readonly string[] = [],
): string {
  const lines = [
    "# Benchmark report",
    "",
    `Written by \`deno task bench --report\` on ${facts.date}, on ${facts.machine}.`,
    "Every ratio compares Spindle with a peer measured side by side in the same run;",
    "above 1x, Spindle does better. A rate figure divides Spindle's operations per",
    "second by the peer's; a CPU figure divides the peer's server CPU time per",
    "operation by Spindle's (steadier on a shared machine).",
    "",
  ];
  for (const figure of figures) {
    lines.push(
      `## ${figure.title}`,
      "",
      `${measureOf(figure)} (\`bench/${figure.bench}_bench.ts\`)`,
      "",
      `![${figure.title}](charts/${figure.file})`,
      "",
      "| peer | Spindle against it |",
      "| --- | --- |",
      ...figure.ratios.map((r) => `| ${r.peer} | ${r.ratio.toFixed(2)}x |`),
      "",
    );
  }
  if (failed.length > 0) {
    lines.push(
      "## Benchmarks that failed",
      "",
      ...failed.map((name) => `- \`bench/${name}\``),
      "",
    );
  }
  return lines.join("\n");
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
