/**
 * Port forwarding throughput: 64 MiB sent through a relay process to a sink
 * that answers once it has read everything, side by side in one run:
 * - raw: a `Deno.Conn` `read()`/`write()` relay loop (the ceiling);
 * - spindle: `portForwardHandler` (what `spindle portforward` runs).
 * Each relay runs in its own process; the client and the sink run here.
 * Prints MiB/s of each relay's median round, its CPU seconds, and the ratio
 * (target: spindle >= 0.85x raw).
 *
 * Run: deno run -A bench/portforward_bench.ts [--mib 64] [--rounds 3]
 *      deno run -A bench/portforward_bench.ts --serve raw|spindle --to PORT
 */
import { reportRatio } from "./_report.ts";
import { announce, cpuSeconds, option } from "./_util.ts";
import { portForwardHandler } from "../protocols/portforward/mod.ts";
import { reactor } from "../reactor/mod.ts";

async function serveRaw(to: number): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  announce(listener.addr.port);
  const pump = async (from: Deno.Conn, into: Deno.Conn) => {
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      for (let at = 0; at < n;) at += await into.write(buffer.subarray(at, n));
    }
    await into.closeWrite();
  };
  for await (const client of listener) {
    (async () => {
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: to });
      try {
        await Promise.all([pump(client, upstream), pump(upstream, client)]);
      } finally {
        client.close();
        upstream.close();
      }
    })().catch(() => {});
  }
}

async function serveSpindle(to: number): Promise<void> {
  const port = await reactor.listenTCP(
    0,
    portForwardHandler(`tcp:127.0.0.1:${to}`),
    { interface: "127.0.0.1" },
  );
  announce((port.getHost() as Deno.NetAddr).port);
  await new Promise(() => {});
}

/** The sink: reads a connection to its end, then answers "ok". */
function startSink(): { port: number; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of listener) {
      (async () => {
        const buffer = new Uint8Array(256 * 1024);
        while (await conn.read(buffer) !== null) {
          // Counting is not needed: the client checks the answer arrives.
        }
        await conn.write(new TextEncoder().encode("ok"));
        conn.close();
      })().catch(() => {});
    }
  })().catch(() => {});
  return {
    port: listener.addr.port,
    close: () => listener.close(),
  };
}

async function startRelay(
  mode: string,
  to: number,
): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--serve",
      mode,
      "--to",
      String(to),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/listening on \S+:(\d+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${mode} relay exited before listening`);
    text += value;
  }
  const port = Number(/listening on \S+:(\d+)/.exec(text)![1]);
  return {
    port,
    pid: child.pid,
    async stop() {
      child.kill();
      reader.cancel().catch(() => {});
      await child.status;
    },
  };
}

async function sendThrough(port: number, mib: number): Promise<number> {
  const chunk = new Uint8Array(64 * 1024).fill(120);
  const started = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  for (let i = 0; i < mib * 16; i++) {
    for (let at = 0; at < chunk.length;) {
      at += await conn.write(chunk.subarray(at));
    }
  }
  await conn.closeWrite();
  const answer = new Uint8Array(2);
  if (await conn.read(answer) !== 2) throw new Error("the sink did not answer");
  conn.close();
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const mib = Number(option("mib", "64"));
  const rounds = Number(option("rounds", "3"));
  const sink = startSink();
  const results: Record<string, { rate: number; cpu: number }> = {};
  try {
    for (const mode of ["raw", "spindle"]) {
      const relay = await startRelay(mode, sink.port);
      try {
        await sendThrough(relay.port, 8); // warm-up
        const runs: { rate: number; cpu: number }[] = [];
        for (let i = 0; i < rounds; i++) {
          const before = await cpuSeconds(relay.pid);
          const seconds = await sendThrough(relay.port, mib);
          runs.push({
            rate: mib / seconds,
            cpu: (await cpuSeconds(relay.pid)) - before,
          });
        }
        runs.sort((a, b) => a.rate - b.rate);
        results[mode] = runs[Math.floor(runs.length / 2)]!;
      } finally {
        await relay.stop();
      }
    }
  } finally {
    sink.close();
  }
  for (const [mode, { rate, cpu }] of Object.entries(results)) {
    console.log(
      `${mode.padEnd(8)} ${rate.toFixed(0).padStart(6)} MiB/s  ${
        cpu.toFixed(2)
      } CPU s per ${mib} MiB`,
    );
  }
  const raw = results.raw!;
  const spindle = results.spindle!;
  console.log(
    `spindle/raw: ${(spindle.rate / raw.rate).toFixed(2)}x throughput, ${
      (raw.cpu / spindle.cpu).toFixed(2)
    }x by CPU (target >= 0.85x)`,
  );
  const figure = `Port forwarding, ${mib} MiB through a relay process`;
  reportRatio({
    bench: "portforward",
    figure,
    kind: "rate",
    metric: "MiB per second",
    peer: "a raw Deno.Conn relay loop",
    ratio: spindle.rate / raw.rate,
  });
  reportRatio({
    bench: "portforward",
    figure,
    kind: "cpu",
    metric: "MiB relayed (the relay's)",
    peer: "a raw Deno.Conn relay loop",
    ratio: raw.cpu / spindle.cpu,
  });
}

const serve = option("serve", "");
if (serve === "raw") await serveRaw(Number(option("to", "0")));
else if (serve === "spindle") await serveSpindle(Number(option("to", "0")));
else await main();
