/**
 * memcache gets of 100-byte values against memcached, side by side in one
 * run, each pipelining batches of single-key gets on one connection:
 * - raw: a `Deno.Conn` loop writing a batch of `get` lines at once and
 *   counting the `END` lines back (the ceiling: no parsing of values);
 * - spindle: `MemcacheClient.get`, a batch of calls awaited together;
 * - twisted: Twisted's `MemCacheProtocol.get` the same way (`/usr/bin/python3`).
 * Targets: spindle >= 0.9x raw and >= 3x Twisted.
 *
 * Run: deno run -A bench/memcache_bench.ts [--batch 100] [--seconds 3] [--rounds 3]
 */
import { reportRatio } from "./_report.ts";
import { option } from "./_util.ts";
import { connectMemcache } from "../protocols/memcache/mod.ts";
import { startMemcached } from "../tests/protocols/memcache/_memcached.ts";

const KEYS = 100;
const batch = Number(option("batch", "100"));
const seconds = Number(option("seconds", "3"));
const rounds = Number(option("rounds", "3"));

async function raw(port: number): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const request = new TextEncoder().encode(
    Array.from({ length: batch }, (_, i) => `get k${i % KEYS}\r\n`).join(""),
  );
  const buffer = new Uint8Array(256 * 1024);
  // "END\r\n" ends each answer; values are "x"s, so it cannot occur inside.
  const runBatch = async () => {
    await conn.write(request);
    let ends = 0;
    let state = 0; // how much of "END\r\n" was just seen
    const end = [69, 78, 68, 13, 10];
    while (ends < batch) {
      const n = (await conn.read(buffer))!;
      for (let i = 0; i < n; i++) {
        const byte = buffer[i]!;
        state = byte === end[state] ? state + 1 : byte === 69 ? 1 : 0;
        if (state === 5) {
          ends++;
          state = 0;
        }
      }
    }
  };
  await runBatch();
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await runBatch();
    count += batch;
  }
  const rate = count / ((performance.now() - started) / 1000);
  conn.close();
  return rate;
}

async function spindle(port: number): Promise<number> {
  const client = await connectMemcache(`tcp:127.0.0.1:${port}`);
  const keys = Array.from({ length: batch }, (_, i) => `k${i % KEYS}`);
  const runBatch = () => Promise.all(keys.map((key) => client.get(key)));
  await runBatch();
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await runBatch();
    count += batch;
  }
  const rate = count / ((performance.now() - started) / 1000);
  await client.close();
  return rate;
}

async function twisted(port: number): Promise<number> {
  const output = await new Deno.Command("/usr/bin/python3", {
    args: [
      new URL("./memcache_twisted.py", import.meta.url).pathname,
      String(port),
      String(batch),
      String(seconds),
      String(KEYS),
    ],
    stdout: "piped",
  }).output();
  return Number(new TextDecoder().decode(output.stdout).trim());
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await startMemcached("memcached");
try {
  const setup = await connectMemcache(`tcp:127.0.0.1:${server.port}`);
  await Promise.all(
    Array.from({ length: KEYS }, (_, i) => setup.set(`k${i}`, "x".repeat(100))),
  );
  await setup.close();
  const results: Record<string, number[]> = {
    raw: [],
    spindle: [],
    twisted: [],
  };
  for (let round = 0; round < rounds; round++) {
    results.raw!.push(await raw(server.port));
    results.spindle!.push(await spindle(server.port));
    results.twisted!.push(await twisted(server.port));
  }
  const rate = Object.fromEntries(
    Object.entries(results).map(([name, values]) => [name, median(values)]),
  );
  for (const [name, value] of Object.entries(rate)) {
    console.log(
      `${name.padEnd(8)} ${Math.round(value).toString().padStart(9)} gets/s`,
    );
  }
  // Each round runs the three side by side, so its ratios share the
  // machine's state of that moment: their range is the honest spread.
  const range = (a: number[], b: number[]) => {
    const ratios = a.map((value, i) => value / b[i]!);
    return `${Math.min(...ratios).toFixed(2)}-${
      Math.max(...ratios).toFixed(2)
    }x`;
  };
  const { raw: r, spindle: s, twisted: t } = results as Record<
    string,
    number[]
  >;
  console.log(
    `spindle: ${(rate.spindle! / rate.raw!).toFixed(2)}x raw (rounds ${
      range(s!, r!)
    }, target 0.9x), ${
      (rate.spindle! / rate.twisted!).toFixed(1)
    }x Twisted (rounds ${range(s!, t!)}, target 3x); the raw loop is ${
      range(r!, t!)
    } Twisted; batches of ${batch}, 100-byte values`,
  );
  for (
    const [peer, key] of [
      ["a raw Deno.Conn loop", "raw"],
      ["Twisted MemCacheProtocol", "twisted"],
    ] as const
  ) {
    reportRatio({
      bench: "memcache",
      figure:
        `memcache client, gets of 100-byte values from memcached in batches of ${batch}`,
      kind: "rate",
      metric: "gets per second",
      peer,
      ratio: rate.spindle! / rate[key]!,
    });
  }
} finally {
  await server.stop();
}
