// The benchmark report: ratios grouped into figures, drawn as SVG bar charts.
import { assert, assertEquals, test } from "../../trial/mod.ts";
import type { BenchRatio } from "../../bench/_report.ts";
import {
  figuresOf,
  renderChart,
  renderReport,
} from "../../tools/bench_report.ts";

const facts = { date: "2026-12-05", machine: "2 cores, 24 GiB" };

function ratio(overrides: Partial<BenchRatio>): BenchRatio {
  return {
    bench: "tcp_echo",
    figure: "TCP echo",
    kind: "rate",
    metric: "round trips per second",
    peer: "node:net",
    ratio: 1.2,
    ...overrides,
  };
}

test("ratios of one figure and measure make one figure, in the order seen", () => {
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

test("a peer measured twice in one figure keeps its last ratio", () => {
  const [figure] = figuresOf([
    ratio({ ratio: 1.1 }),
    ratio({ ratio: 1.3 }),
  ]);
  assertEquals(figure!.ratios, [{ peer: "node:net", ratio: 1.3 }]);
});

test("a chart draws a bar and a label per peer, the parity line, and the date and machine", () => {
  const [figure] = figuresOf([
    ratio({ peer: "node:net", ratio: 1.25 }),
    ratio({ peer: "Twisted", ratio: 0.5 }),
  ]);
  const svg = renderChart(figure!, facts);
  assert(svg.startsWith("<svg"));
  assertEquals(svg.match(/<rect x=/g)?.length, 2);
  assert(svg.includes("1.25x") && svg.includes("0.50x"));
  assert(svg.includes(">1x</text>"));
  assert(svg.includes("2026-12-05 · 2 cores, 24 GiB"));
  assert(svg.includes("round trips per second: Spindle's over the peer's"));
});

test("a chart escapes what it prints", () => {
  const [figure] = figuresOf([ratio({ peer: "<a & b>" })]);
  assert(renderChart(figure!, facts).includes("vs &lt;a &amp; b&gt;"));
});

test("the report links each chart and lists the benches that failed", () => {
  const figures = figuresOf([ratio({})]);
  const report = renderReport(figures, facts, ["ssh_bench.ts"]);
  assert(report.includes("![TCP echo](charts/tcp_echo-1.svg)"));
  assert(report.includes("| node:net | 1.20x |"));
  assert(report.includes("- `bench/ssh_bench.ts`"));
});
