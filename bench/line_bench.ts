/**
 * Line decoding throughput: 64 MiB of 1 KiB lines arriving in random chunk
 * sizes (1 byte to 64 KiB, seeded), decoded by
 * - `LineDecoder` (the TransformStream, as a user pipes it),
 * - its core `LineDecoderCore` called directly,
 * - a naive `TextDecoderStream` + split-on-newline `TransformStream`,
 * - Twisted's `LineReceiver` fed the same chunks (`/usr/bin/python3`, Debian's
 *   python3-twisted), in its own process, timing only `dataReceived`: once
 *   with its lines as bytes (what LineReceiver gives), once decoding each line
 *   to text as LineDecoder does.
 *
 * Run: deno run -A bench/line_bench.ts [--mib N] [--rounds R] [--json FILE]
 * Prints a table with each decoder's fastest round and how many times faster
 * than it LineDecoder and LineDecoderCore are (rounds alternate between decoders, so load elsewhere on the
 * machine hits them alike).
 */
import { LineDecoder, LineDecoderCore } from "../protocols/basic/mod.ts";
import { seededRandom } from "../tests/_random.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

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

async function lineDecoderStream(chunks: Uint8Array[]): Promise<number> {
  let count = 0;
  const lines = ReadableStream.from(chunks).pipeThrough(new LineDecoder());
  for await (const _ of lines) count++;
  return count;
}

// deno-lint-ignore require-await
async function lineDecoderCore(chunks: Uint8Array[]): Promise<number> {
  const core = new LineDecoderCore();
  const out: string[] = [];
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
result = {}
for name, cls in (("bytes", Counter), ("text", TextCounter)):
    times = []
    for _ in range(rounds):
        receiver = cls()
        start = time.perf_counter()
        for chunk in chunks:
            receiver.dataReceived(chunk)
        times.append((time.perf_counter() - start) * 1000)
    result[name] = {"ms": min(times), "lines": receiver.count}
print(json.dumps(result))
`;

interface TwistedResult {
  ms: number;
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

// Rounds alternate between the decoders so that load from elsewhere on the
// machine hits them alike; the fastest round of each is reported (the first
// round only warms the JIT up).
async function fastest(
  runs: Record<string, (chunks: Uint8Array[]) => Promise<number>>,
  chunks: Uint8Array[],
  expected: number,
): Promise<Record<string, number>> {
  const best: Record<string, number> = {};
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, run] of Object.entries(runs)) {
      const start = performance.now();
      const count = await run(chunks);
      const ms = performance.now() - start;
      if (count !== expected) {
        throw new Error(`${name} decoded ${count} lines, expected ${expected}`);
      }
      if (round > 0) best[name] = Math.min(best[name] ?? Infinity, ms);
    }
  }
  return best;
}

const { data, sizes, lines } = makeInput();
const chunks = chunksOf(data, sizes);
console.log(
  `decoding ${MIB} MiB: ${lines} lines of ${LINE_BYTES} bytes in ${chunks.length} chunks of 1 B to 64 KiB`,
);
const results: Record<string, number | string> = await fastest(
  {
    "LineDecoder (stream)": lineDecoderStream,
    "LineDecoderCore": lineDecoderCore,
    "TextDecoderStream + split": naive,
  },
  chunks,
  lines,
);
const python = await twisted(data, sizes, ROUNDS);
for (
  const [variant, label] of [
    ["bytes", "Twisted LineReceiver"],
    ["text", "Twisted + line.decode()"],
  ] as const
) {
  if (typeof python === "string") results[label] = python;
  else if (python[variant].lines !== lines) {
    results[label] = `decoded ${python[variant].lines} lines`;
  } else results[label] = python[variant].ms;
}

const stream = results["LineDecoder (stream)"] as number;
const core = results["LineDecoderCore"] as number;
// "N x" = how many times faster than that row LineDecoder (or its core) is.
console.log(
  "\ndecoder                     fastest ms   MiB/s   LineDecoder  LineDecoderCore",
);
for (const [name, ms] of Object.entries(results)) {
  if (typeof ms === "string") {
    console.log(`${name.padEnd(28)} failed: ${ms}`);
    continue;
  }
  console.log(
    `${name.padEnd(28)} ${ms.toFixed(1).padStart(9)} ${
      (MIB / (ms / 1000)).toFixed(0).padStart(7)
    } ${`${(ms / stream).toFixed(2)}x`.padStart(12)} ${
      `${(ms / core).toFixed(2)}x`.padStart(16)
    }`,
  );
}
const json = option("json", "");
if (json !== "") {
  await Deno.writeTextFile(
    json,
    JSON.stringify({ bench: "line_bench", mib: MIB, results }, null, 2) + "\n",
  );
}
