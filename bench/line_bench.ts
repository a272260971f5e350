/**
 * Line decoding throughput: 64 MiB of 1 KiB lines (with some UTF-8) arriving
 * in random chunk sizes (1 byte to 64 KiB, seeded), decoded like for like:
 * - bytes: `LineDecoder({ binary: true })` (the TransformStream, as a user
 *   pipes it, read with `for await`) and its core `LineDecoderCore` called
 *   directly, against Twisted's `LineReceiver` (whose lines are bytes);
 * - text: `LineDecoder` and `LineDecoderCore` decoding UTF-8, against Twisted
 *   with `line.decode()` in `lineReceived`, and against a naive
 *   `TextDecoderStream` + split-on-newline `TransformStream`;
 * - floors, what the runtime costs before any line is found: `for await` over
 *   a standard `ReadableStream` of as many ready-made lines, the chunks piped
 *   through an identity `TransformStream`, and `TextDecoder` on the input.
 *
 * Twisted runs in its own process (`/usr/bin/python3`, Debian's
 * python3-twisted), timing only `dataReceived`, fed the same chunks.
 *
 * Each round times every decoder once, in turn, so load elsewhere on the
 * machine hits them alike; the first round only warms up. Reported: the
 * median round, in wall-clock ms and in CPU ms of the decoding thread
 * (`clock_gettime` through FFI; Python's `time.thread_time()`), then the
 * ratios the target asks for (>= 1.5x the naive transform, >= 5x Twisted),
 * on CPU time.
 *
 * Run: deno run -A bench/line_bench.ts [--mib N] [--rounds R] [--json FILE]
 */
import { reportRatio } from "./_report.ts";
import { option } from "./_util.ts";
import { LineDecoder, LineDecoderCore } from "../protocols/basic/mod.ts";
import { seededRandom } from "../tests/_random.ts";
import process from "node:process";

const MIB = Number(option("mib", "64"));
const ROUNDS = Number(option("rounds", "5"));
const LINE_BYTES = 1024;

// Lines of printable ASCII with some UTF-8, each 1 KiB with its CRLF.
function makeInput(): { data: Uint8Array; sizes: number[]; lines: number } {
  const random = seededRandom(42);
  const total = MIB * 1024 * 1024;
  const lines = total / LINE_BYTES;
  const data = new Uint8Array(total);
  const encoder = new TextEncoder();
  const samples: Uint8Array[] = [];
  for (let s = 0; s < 16; s++) {
    let text = "";
    while (encoder.encode(text).length < LINE_BYTES - 2 - 8) {
      text += random() < 0.05
        ? "é"
        : String.fromCharCode(32 + Math.floor(random() * 95));
    }
    const bytes = encoder.encode(text);
    const line = new Uint8Array(LINE_BYTES);
    line.fill(120);
    line.set(bytes);
    line[LINE_BYTES - 2] = 13;
    line[LINE_BYTES - 1] = 10;
    samples.push(line);
  }
  for (let i = 0; i < lines; i++) {
    data.set(samples[i % samples.length] as Uint8Array, i * LINE_BYTES);
  }
  const sizes: number[] = [];
  for (let at = 0; at < total;) {
    const size = Math.min(1 + Math.floor(random() * 65536), total - at);
    sizes.push(size);
    at += size;
  }
  return { data, sizes, lines };
}

function chunksOf(data: Uint8Array, sizes: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const size of sizes) {
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

async function lineDecoderStream(
  chunks: Uint8Array[],
  binary: boolean,
): Promise<number> {
  let count = 0;
  const lines = ReadableStream.from(chunks).pipeThrough(
    new LineDecoder({ binary }),
  );
  for await (const _ of lines) count++;
  return count;
}

// deno-lint-ignore require-await
async function lineDecoderCore(
  chunks: Uint8Array[],
  binary: boolean,
): Promise<number> {
  const core = new LineDecoderCore<boolean>({ binary });
  const out: (string | Uint8Array)[] = [];
  let count = 0;
  for (const chunk of chunks) {
    core.decode(chunk, out);
    count += out.length;
    out.length = 0;
  }
  core.end(out);
  return count + out.length;
}

async function naive(chunks: Uint8Array[]): Promise<number> {
  let buffer = "";
  const split = new TransformStream<string, string>({
    transform(text, controller) {
      buffer += text;
      const parts = buffer.split("\n");
      buffer = parts.pop() as string;
      for (const part of parts) {
        controller.enqueue(part.endsWith("\r") ? part.slice(0, -1) : part);
      }
    },
    flush(controller) {
      if (buffer.length > 0) controller.enqueue(buffer);
    },
  });
  let count = 0;
  const lines = ReadableStream.from(chunks)
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(split);
  for await (const _ of lines) count++;
  return count;
}

// The floors. Each returns what it counted, checked like the decoders'.
function floors(input: Uint8Array, lines: number): Record<string, Run> {
  const made = Array.from({ length: lines }, (_, i) => `line ${i}`);
  const text = new TextDecoder();
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < input.length; at += 64 * LINE_BYTES) {
    pieces.push(input.subarray(at, at + 64 * LINE_BYTES));
  }
  return {
    "floor: for await, ready lines": async () => {
      const stream = new ReadableStream<string>({
        start(controller) {
          for (const line of made) controller.enqueue(line);
          controller.close();
        },
      });
      let count = 0;
      for await (const _ of stream) count++;
      return count;
    },
    // The least an async iterator of lines can cost: one settled promise per
    // line (what LineDecoder's readable does with lines already decoded).
    "floor: for await, async iterator": async () => {
      let next = 0;
      const iterator: AsyncIterableIterator<string> = {
        next: () =>
          Promise.resolve(
            next < made.length
              ? { done: false, value: made[next++] as string }
              : { done: true, value: undefined },
          ),
        [Symbol.asyncIterator]: () => iterator,
      };
      let count = 0;
      for await (const _ of iterator) count++;
      return count;
    },
    "floor: chunks through a pipe": async (chunks) => {
      let count = 0;
      const piped = ReadableStream.from(chunks).pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>(),
      );
      for await (const _ of piped) count++;
      return count === chunks.length ? lines : count;
    },
    // What the text decoders do: whole lines, no sequence split between calls.
    // deno-lint-ignore require-await
    "floor: TextDecoder, whole lines": async () => {
      let units = 0;
      for (const piece of pieces) units += text.decode(piece).length;
      return units > 0 ? lines : 0;
    },
    // What TextDecoderStream does: chunks that may split a UTF-8 sequence.
    // deno-lint-ignore require-await
    "floor: TextDecoder, streaming": async (chunks) => {
      let units = 0;
      for (const chunk of chunks) {
        units += text.decode(chunk, { stream: true }).length;
      }
      units += text.decode().length;
      return units > 0 ? lines : 0;
    },
  };
}

const TWISTED = `
import json, sys, time
from twisted.protocols.basic import LineReceiver
data = open(sys.argv[1], "rb").read()
sizes = json.load(open(sys.argv[2]))
rounds = int(sys.argv[3])
chunks, at = [], 0
for size in sizes:
    chunks.append(data[at:at + size])
    at += size
class Counter(LineReceiver):
    MAX_LENGTH = 16384
    count = 0
    def lineReceived(self, line):
        self.count += 1
class TextCounter(Counter):
    def lineReceived(self, line):
        line.decode("utf-8")
        self.count += 1
result = {"bytes": {"ms": [], "cpu": []}, "text": {"ms": [], "cpu": []}}
for round in range(rounds + 1):
    for name, cls in (("bytes", Counter), ("text", TextCounter)):
        receiver = cls()
        start, cpu = time.perf_counter(), time.thread_time()
        for chunk in chunks:
            receiver.dataReceived(chunk)
        ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.thread_time() - cpu) * 1000
        result[name]["lines"] = receiver.count
        if round > 0:
            result[name]["ms"].append(ms)
            result[name]["cpu"].append(cpu_ms)
print(json.dumps(result))
`;

interface TwistedResult {
  ms: number[];
  cpu: number[];
  lines: number;
}

async function twisted(
  data: Uint8Array,
  sizes: number[],
  rounds: number,
): Promise<Record<"bytes" | "text", TwistedResult> | string> {
  const dir = await Deno.makeTempDir({ prefix: "line_bench" });
  try {
    await Deno.writeFile(`${dir}/data`, data);
    await Deno.writeTextFile(`${dir}/sizes.json`, JSON.stringify(sizes));
    const output = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", TWISTED, `${dir}/data`, `${dir}/sizes.json`, String(rounds)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) return new TextDecoder().decode(output.stderr).trim();
    return JSON.parse(new TextDecoder().decode(output.stdout));
  } catch (error) {
    return String(error);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

type Run = (chunks: Uint8Array[]) => Promise<number>;

interface Timing {
  ms: number;
  cpu: number;
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? sorted[middle] as number
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

// CPU time of this thread in ms, from clock_gettime(CLOCK_THREAD_CPUTIME_ID)
// through FFI: the process's CPU time would also count the collector's
// background threads finishing work that an earlier decoder left. Without
// libc, the process's CPU time.
const threadCpuMs: () => number = (() => {
  try {
    const libc = Deno.dlopen("libc.so.6", {
      clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
    });
    const CLOCK_THREAD_CPUTIME_ID = 3;
    const time = new BigInt64Array(2);
    return () => {
      libc.symbols.clock_gettime(CLOCK_THREAD_CPUTIME_ID, time);
      return Number(time[0]) * 1000 + Number(time[1]) / 1e6;
    };
  } catch {
    return () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };
  }
})();

// Rounds alternate between the decoders so that load from elsewhere on the
// machine hits them alike; the first round only warms the JIT up.
async function measure(
  runs: Record<string, Run>,
  chunks: Uint8Array[],
  expected: number,
): Promise<Record<string, Timing>> {
  const times: Record<string, { ms: number[]; cpu: number[] }> = {};
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, run] of Object.entries(runs)) {
      const start = performance.now();
      const cpu = threadCpuMs();
      const count = await run(chunks);
      const ms = performance.now() - start;
      const cpuMs = threadCpuMs() - cpu;
      if (count !== expected) {
        throw new Error(`${name} decoded ${count} lines, expected ${expected}`);
      }
      if (round === 0) continue;
      const entry = times[name] ??= { ms: [], cpu: [] };
      entry.ms.push(ms);
      entry.cpu.push(cpuMs);
    }
  }
  return Object.fromEntries(
    Object.entries(times).map((
      [name, { ms, cpu }],
    ) => [name, { ms: median(ms), cpu: median(cpu) }]),
  );
}

const { data, sizes, lines } = makeInput();
const chunks = chunksOf(data, sizes);
console.log(
  `decoding ${MIB} MiB: ${lines} lines of ${LINE_BYTES} bytes in ${chunks.length} chunks of 1 B to 64 KiB, median of ${ROUNDS} rounds`,
);
const STREAM_BYTES = "LineDecoder bytes (stream)";
const CORE_BYTES = "LineDecoderCore bytes";
const STREAM_TEXT = "LineDecoder text (stream)";
const CORE_TEXT = "LineDecoderCore text";
const NAIVE = "TextDecoderStream + split";
const TWISTED_BYTES = "Twisted LineReceiver";
const TWISTED_TEXT = "Twisted + line.decode()";
const FLOOR_ITERATE = "floor: for await, ready lines";
const FLOOR_PIPE = "floor: chunks through a pipe";
const FLOOR_ITERATOR = "floor: for await, async iterator";
const results: Record<string, Timing | string> = await measure(
  {
    [STREAM_BYTES]: (chunks) => lineDecoderStream(chunks, true),
    [CORE_BYTES]: (chunks) => lineDecoderCore(chunks, true),
    [STREAM_TEXT]: (chunks) => lineDecoderStream(chunks, false),
    [CORE_TEXT]: (chunks) => lineDecoderCore(chunks, false),
    [NAIVE]: naive,
    ...floors(data, lines),
  },
  chunks,
  lines,
);
const python = await twisted(data, sizes, ROUNDS);
for (
  const [variant, label] of [
    ["bytes", TWISTED_BYTES],
    ["text", TWISTED_TEXT],
  ] as const
) {
  if (typeof python === "string") results[label] = python;
  else if (python[variant].lines !== lines) {
    results[label] = `decoded ${python[variant].lines} lines`;
  } else {
    results[label] = {
      ms: median(python[variant].ms),
      cpu: median(python[variant].cpu),
    };
  }
}

console.log(
  "\ndecoder                          wall ms   CPU ms   MiB/s (CPU)",
);
for (const [name, timing] of Object.entries(results)) {
  if (typeof timing === "string") {
    console.log(`${name.padEnd(32)} failed: ${timing}`);
    continue;
  }
  console.log(
    `${name.padEnd(32)} ${timing.ms.toFixed(1).padStart(7)} ${
      timing.cpu.toFixed(1).padStart(8)
    } ${(MIB / (timing.cpu / 1000)).toFixed(0).padStart(13)}`,
  );
}

// How many times less CPU `fast` takes than `slow`, against the target.
const ratios: Record<string, number> = {};
function ratio(fast: string, slow: string, target: number): void {
  const a = results[fast];
  const b = results[slow];
  if (typeof a !== "object" || typeof b !== "object") return;
  const value = b.cpu / a.cpu;
  ratios[`${fast} vs ${slow}`] = value;
  reportRatio({
    bench: "line",
    figure: `Line framing, ${MIB} MiB of 1 KiB lines: ${fast}`,
    kind: "cpu",
    metric: "MiB decoded",
    peer: slow,
    ratio: value,
  });
  console.log(
    `${`${fast} vs ${slow}`.padEnd(58)} ${value.toFixed(2).padStart(6)}x${
      target > 0
        ? `  (target ${target}x: ${value >= target ? "met" : "not met"})`
        : ""
    }`,
  );
}
console.log("\nratios (CPU time)");
ratio(STREAM_TEXT, NAIVE, 1.5);
ratio(STREAM_BYTES, TWISTED_BYTES, 5);
ratio(STREAM_TEXT, TWISTED_TEXT, 5);
ratio(CORE_BYTES, TWISTED_BYTES, 5);
ratio(CORE_TEXT, TWISTED_TEXT, 5);
// A stream decoder pays at least the pipe of the chunks and the iteration of
// the lines: Twisted's time over that floor bounds any stream's ratio. With a
// standard ReadableStream of lines, and with the cheapest async iterator.
for (
  const [floorName, label] of [[FLOOR_ITERATE, "ReadableStream"], [
    FLOOR_ITERATOR,
    "async iterator",
  ]] as const
) {
  const iterate = results[floorName];
  const pipe = results[FLOOR_PIPE];
  const peer = results[TWISTED_BYTES];
  if (
    typeof iterate !== "object" || typeof pipe !== "object" ||
    typeof peer !== "object"
  ) continue;
  const name = `floor: pipe + ${label}, no decoding, vs ${TWISTED_BYTES}`;
  ratios[name] = peer.cpu / (iterate.cpu + pipe.cpu);
  console.log(
    `${name.padEnd(58)} ${
      (ratios[name] as number).toFixed(2).padStart(6)
    }x  (the most a stream decoder could reach)`,
  );
}

const json = option("json", "");
if (json !== "") {
  await Deno.writeTextFile(
    json,
    JSON.stringify(
      { bench: "line_bench", mib: MIB, rounds: ROUNDS, results, ratios },
      null,
      2,
    ) + "\n",
  );
}
