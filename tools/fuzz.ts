/**
 * `deno task fuzz`: mutation fuzzing of every parser (see the README's
 * "Fuzzing" section). Each codec runs in a Worker from a fixed seed over its
 * captured corpus (`tests/fuzz/corpus/<codec>/`); a parser that makes no
 * progress for `--hang-seconds` is stopped and reported as a hang with the
 * input it was parsing. One line per codec:
 *
 *     lines: 10000 inputs, 2 distinct errors, 0 crashes, 0 hangs
 *
 * Crash and hang inputs are written to `tests/fuzz/findings/<codec>/`; one that
 * shows a real bug becomes a regression test by moving it to
 * `tests/fuzz/regressions/<codec>/`. Exits 1 when anything was found.
 *
 * Options: `--iterations N` (10000), `--codec NAME` (repeatable; all by
 * default), `--seed N` (1), `--hang-seconds N` (20), `--verbose` (list the
 * distinct errors).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { TARGETS } from "../tests/fuzz/_targets.ts";
import type { FuzzJob, FuzzReport } from "../tests/fuzz/_worker.ts";

const MAX_RECORDED_INPUT = 1 << 17;

/** The counts of one codec's run. */
export interface Outcome {
  inputs: number;
  errors: number;
  crashes: number;
  hangs: number;
}

/** How {@linkcode runCodec} runs. */
export interface RunOptions {
  iterations: number;
  seed: number;
  hangMs: number;
  verbose: boolean;
  /** The module whose `TARGETS` holds the codec; `tests/fuzz/_targets.ts` by default. */
  targets?: string;
  /** Where crash and hang inputs go; `tests/fuzz/findings/` by default. */
  findings?: URL;
  /** Where report lines go; `console.log` by default. */
  print?: (line: string) => void;
}

/** Fuzzes one codec in a Worker; prints what it found and returns the counts. */
export async function runCodec(
  codec: string,
  options: RunOptions,
): Promise<Outcome> {
  const print = options.print ?? console.log;
  const findings = options.findings ??
    new URL("../tests/fuzz/findings/", import.meta.url);
  const current = new SharedArrayBuffer(4 + MAX_RECORDED_INPUT);
  const worker = new Worker(
    new URL("../tests/fuzz/_worker.ts", import.meta.url),
    { type: "module" },
  );
  let inputs = 0;
  type Done = Extract<FuzzReport, { type: "done" }>;
  const report = await new Promise<Done | "hang">((resolve, reject) => {
    // Loading the codec's modules is not parsing: the watchdog starts when
    // the worker says it has loaded them (a load that never ends still ends
    // the run, after a minute).
    let watchdog = setTimeout(
      () => reject(new Error(`the ${codec} worker did not start in a minute`)),
      60_000,
    );
    worker.onmessage = (event: MessageEvent<FuzzReport>) => {
      clearTimeout(watchdog);
      if (event.data.type === "done") return resolve(event.data);
      if (event.data.type === "progress") inputs = event.data.inputs;
      watchdog = setTimeout(() => resolve("hang"), options.hangMs);
    };
    worker.onerror = (event) => {
      clearTimeout(watchdog);
      event.preventDefault();
      reject(new Error(`the ${codec} worker failed: ${event.message}`));
    };
    worker.postMessage(
      {
        codec,
        iterations: options.iterations,
        seed: options.seed,
        targets: options.targets ??
          new URL("../tests/fuzz/_targets.ts", import.meta.url).href,
        current,
      } satisfies FuzzJob,
    );
  });
  worker.terminate();
  if (report === "hang") {
    const length = new Uint32Array(current, 0, 1)[0]!;
    const input = new Uint8Array(current, 4, length).slice();
    const file = await saveFinding(findings, codec, "hang", input);
    print(
      `${codec}: hang after ${inputs} inputs: no progress for ${options.hangMs} ms; input in ${file}`,
    );
    return { inputs, errors: 0, crashes: 0, hangs: 1 };
  }
  for (const finding of report.findings) {
    const file = await saveFinding(
      findings,
      codec,
      finding.kind,
      finding.input,
    );
    print(
      `${codec}: ${finding.kind} (input in ${file}):\n  ${
        finding.detail.split("\n").join("\n  ")
      }`,
    );
  }
  if (options.verbose) {
    for (const [key, count] of report.errors) print(`  ${count}\t${key}`);
  }
  return {
    inputs: report.inputs,
    errors: report.errors.length,
    crashes: report.findings.length,
    hangs: 0,
  };
}

async function saveFinding(
  findings: URL,
  codec: string,
  kind: string,
  input: Uint8Array,
): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", input as Uint8Array<ArrayBuffer>),
  );
  const hex = [...digest.subarray(0, 8)].map((b) =>
    b.toString(16).padStart(2, "0")
  ).join("");
  const dir = new URL(`${codec}/`, findings);
  await Deno.mkdir(dir, { recursive: true });
  const file = new URL(`${kind}-${hex}.bin`, dir);
  await Deno.writeFile(file, input);
  return file.pathname;
}

if (import.meta.main) {
  const args = parseArgs({
    args: Deno.args,
    options: {
      iterations: { type: "string", default: "10000" },
      codec: { type: "string", multiple: true },
      seed: { type: "string", default: "1" },
      "hang-seconds": { type: "string", default: "20" },
      verbose: { type: "boolean", default: false },
    },
  });
  const names = TARGETS.map((target) => target.name);
  const chosen = args.values.codec ?? names;
  const unknown = chosen.filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    console.error(
      `fuzz: no codec named ${unknown.join(", ")}; the codecs are ${
        names.join(", ")
      }`,
    );
    Deno.exit(2);
  }
  const options = {
    iterations: Number(args.values.iterations),
    seed: Number(args.values.seed),
    hangMs: Number(args.values["hang-seconds"]) * 1000,
    verbose: args.values.verbose,
  };
  let found = 0;
  for (const codec of chosen) {
    const outcome = await runCodec(codec, options);
    found += outcome.crashes + outcome.hangs;
    console.log(
      `${codec}: ${outcome.inputs} inputs, ${outcome.errors} distinct errors, ${outcome.crashes} crashes, ${outcome.hangs} hangs`,
    );
  }
  if (found > 0) Deno.exit(1);
}
