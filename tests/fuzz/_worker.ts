// Runs one target inside a Worker, so the harness can stop a parser that
// hangs. Before each input is parsed, its bytes are written into the shared
// buffer the harness gave, so a hang can be reported with the input behind it.
import { seededRandom } from "../_random.ts";
import { fuzz, type FuzzTarget, loadCorpus } from "./_harness.ts";

/** What the harness asks of the worker. */
export interface FuzzJob {
  codec: string;
  iterations: number;
  seed: number;
  /** The module whose `TARGETS` holds the codec (the harness's own tests pass another). */
  targets: string;
  /** [length as a u32, then the bytes] of the input being parsed. */
  current: SharedArrayBuffer;
}

/** What the worker answers: that it loaded its target, progress, then the result. */
export type FuzzReport =
  | { type: "started" }
  | { type: "progress"; inputs: number }
  | {
    type: "done";
    inputs: number;
    errors: [string, number][];
    findings: { kind: string; input: Uint8Array; detail: string }[];
  };

declare const self: Worker & { close(): void };

self.onmessage = async (event: MessageEvent<FuzzJob>) => {
  const job = event.data;
  const { TARGETS } = await import(job.targets) as { TARGETS: FuzzTarget[] };
  const target = TARGETS.find((t) => t.name === job.codec)!;
  const length = new Uint32Array(job.current, 0, 1);
  const bytes = new Uint8Array(job.current, 4);
  const recording: FuzzTarget = {
    ...target,
    parse(pieces) {
      let at = 0;
      for (const piece of pieces) {
        bytes.set(piece.subarray(0, bytes.length - at), at);
        at = Math.min(bytes.length, at + piece.length);
      }
      length[0] = at;
      return target.parse(pieces);
    },
  };
  const corpus = await loadCorpus(job.codec);
  self.postMessage({ type: "started" } satisfies FuzzReport);
  const stats = fuzz(recording, {
    iterations: job.iterations,
    random: seededRandom(job.seed),
    corpus,
    onProgress: (inputs) =>
      self.postMessage({ type: "progress", inputs } satisfies FuzzReport),
  });
  self.postMessage(
    {
      type: "done",
      inputs: stats.inputs,
      errors: [...stats.errors],
      findings: stats.findings,
    } satisfies FuzzReport,
  );
  self.close();
};
