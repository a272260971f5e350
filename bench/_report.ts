/**
 * What a benchmark hands to `deno task bench --report`: each ratio of
 * Spindle to a peer, as one JSON line in the file named by
 * `SPINDLE_BENCH_REPORT` (nothing happens when it is unset).
 *
 * @module
 */

/** One ratio of Spindle to a peer, measured side by side in one run. */
export interface BenchRatio {
  /** The benchmark file's name without `_bench.ts`, such as `tcp_echo`. */
  bench: string;
  /** What the figure shows, such as `TCP echo, 64 connections, 1 KiB messages`. */
  figure: string;
  /**
   * What was measured: `"rate"` (Spindle's operations per second over the
   * peer's) or `"cpu"` (the peer's server CPU time per operation over
   * Spindle's). Either way, above 1 means Spindle did better.
   */
  kind: "rate" | "cpu";
  /**
   * For a rate, what was counted, such as `round trips per second`; for CPU
   * time, the operation it is divided by, such as `round trip`.
   */
  metric: string;
  /** The peer, such as `node:net`. */
  peer: string;
  /** Spindle against the peer: above 1 is better for Spindle. */
  ratio: number;
}

/** The environment variable naming the file that collects the ratios. */
export const REPORT_ENV = "SPINDLE_BENCH_REPORT";

/** Records `ratio` for the report, when one is being made. */
export function reportRatio(ratio: BenchRatio): void {
  const path = Deno.env.get(REPORT_ENV);
  if (path === undefined || !Number.isFinite(ratio.ratio)) return;
  Deno.writeTextFileSync(path, JSON.stringify(ratio) + "\n", { append: true });
}
