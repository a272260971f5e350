/**
 * HTTP/2 throughput and latency over loopback with `h2load` (nghttp2-client),
 * cleartext with prior knowledge, 16 connections of 32 concurrent streams,
 * one server process at a time, rounds interleaved, in one run:
 * - spindle: `serveHTTP` (protocols/http2 behind the preface check);
 * - Deno.serve: Deno's built-in server (hyper, in Rust);
 * - node http2: `http2.createServer` on the `node` executable.
 * Two responses: "Hello, World!" and 64 KiB.
 *
 * Run: deno run -A bench/http2_bench.ts [--seconds 5] [--rounds 3]
 *        [--conns 16] [--streams 32] [--only spindle,deno]
 * Prints each server's median round (by req/s), its p50/p99 latency (from
 * h2load's per-request log), the server's CPU time per request (from /proc),
 * and Spindle's ratios (targets: hello ≥ 0.8x Deno.serve and ≥ 2x node;
 * 64 KiB ≥ 1.0x Deno.serve; against node on 64 KiB, no target).
 */
import { reportRatio } from "./_report.ts";
import { announce, cpuSeconds, option } from "./_util.ts";
import { serveHTTP } from "../protocols/http/mod.ts";

const HELLO = "Hello, World!";
const BIG = new Uint8Array(64 * 1024).fill(0x61);

function handle(path: string): Response {
  return path === "/64k" ? new Response(BIG) : new Response(HELLO);
}

async function serveSpindle(): Promise<void> {
  const server = await serveHTTP(
    (request) => handle(new URL(request.url).pathname),
    { listen: "tcp:0:interface=127.0.0.1" },
  );
  announce((server.addr as Deno.NetAddr).port);
}

function serveDeno(): void {
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => announce(port),
  }, (request) => handle(new URL(request.url).pathname));
}

const NODE_SERVER = `
const http2 = require("node:http2");
const big = Buffer.alloc(64 * 1024, 0x61);
const server = http2.createServer({ settings: { maxConcurrentStreams: 100 } });
server.on("stream", (stream, headers) => {
  const isBig = headers[":path"] === "/64k";
  stream.respond({ ":status": 200, "content-type": isBig ? "application/octet-stream" : "text/plain;charset=UTF-8" });
  stream.end(isBig ? big : ${JSON.stringify(HELLO)});
});
server.listen(0, "127.0.0.1", () => console.log("listening on 127.0.0.1:" + server.address().port));
`;

interface Peer {
  name: string;
  command: string;
  args: string[];
}

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  cpuPerRequest: number;
  failed: number;
}

async function startPeer(peer: Peer) {
  const child = new Deno.Command(peer.command, {
    args: peer.args,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let port: number | undefined;
  while (port === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${peer.name} exited before listening: ${seen}`);
    seen += value;
    const m = /listening on [^:]+:(\d+)/.exec(seen);
    if (m) port = Number(m[1]);
  }
  (async () => {
    try {
      while (!(await reader.read()).done);
    } catch { /* the process ended */ }
  })();
  return {
    port,
    pid: child.pid,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
    },
  };
}

/** Runs h2load; req/s from its summary, percentiles from its per-request log. */
async function h2load(
  url: string,
  seconds: number,
  conns: number,
  streams: number,
): Promise<Omit<Result, "name" | "cpuPerRequest">> {
  const log = await Deno.makeTempFile();
  try {
    const { stdout, code, stderr } = await new Deno.Command("h2load", {
      args: [
        "-c",
        String(conns),
        "-m",
        String(streams),
        "-D",
        String(seconds),
        "--warm-up-time",
        "1",
        "--log-file",
        log,
        url,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout);
    if (code !== 0) {
      throw new Error(
        `h2load failed: ${new TextDecoder().decode(stderr)}${text}`,
      );
    }
    const rps = Number(
      /finished in [^,]+, ([\d.]+) req\/s/.exec(text)?.[1] ?? 0,
    );
    const failed = Number(/(\d+) failed/.exec(text)?.[1] ?? 0);
    const latencies = (await Deno.readTextFile(log)).trim().split("\n")
      .map((line) => Number(line.split("\t")[2]) / 1000)
      .filter((n) => Number.isFinite(n))
      .sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[
        Math.min(latencies.length - 1, Math.floor(q * latencies.length))
      ] ?? NaN;
    return { rps, p50: at(0.5), p99: at(0.99), failed };
  } finally {
    await Deno.remove(log);
  }
}

async function drive(): Promise<void> {
  const seconds = Number(option("seconds", "5"));
  const rounds = Number(option("rounds", "3"));
  const conns = Number(option("conns", "16"));
  const streams = Number(option("streams", "32"));
  const only = option("only", "").split(",").filter((s) => s !== "");
  const self = new URL(import.meta.url).pathname;
  const deno = Deno.execPath();
  const peers: Peer[] = [
    {
      name: "spindle",
      command: deno,
      args: ["run", "-A", "--unstable-net", self, "--serve", "spindle"],
    },
    {
      name: "Deno.serve",
      command: deno,
      args: ["run", "-A", self, "--serve", "deno"],
    },
    { name: "node http2", command: "node", args: ["-e", NODE_SERVER] },
  ].filter((p) =>
    only.length === 0 || only.some((o) => p.name.toLowerCase().includes(o))
  );
  for (
    const [label, path] of [["hello world", "/"], ["64 KiB", "/64k"]] as const
  ) {
    const all = new Map<string, Result[]>();
    for (let round = 0; round < rounds; round++) {
      for (const peer of peers) {
        const server = await startPeer(peer);
        try {
          const url = `http://127.0.0.1:${server.port}${path}`;
          const before = await cpuSeconds(server.pid);
          const measured = await h2load(url, seconds, conns, streams);
          const cpu = await cpuSeconds(server.pid) - before;
          // The CPU window includes the 1 s warm-up: count its requests too.
          const requests = measured.rps * (seconds + 1);
          const runs = all.get(peer.name) ?? [];
          runs.push({
            name: peer.name,
            ...measured,
            cpuPerRequest: cpu / requests * 1e6,
          });
          all.set(peer.name, runs);
        } finally {
          await server.stop();
        }
      }
    }
    const median = new Map<string, Result>();
    for (const [name, runs] of all) {
      runs.sort((a, b) => a.rps - b.rps);
      median.set(name, runs[(runs.length - 1) >> 1]!);
    }
    console.log(
      `\nh2load -c${conns} -m${streams}, ${seconds} s per run, median of ${rounds} round(s), ${label}\n`,
    );
    console.log(
      `${"server".padEnd(14)}${"req/s".padStart(10)}${"p50 ms".padStart(9)}${
        "p99 ms".padStart(9)
      }${"cpu us/req".padStart(12)}${"failed".padStart(8)}`,
    );
    for (const r of median.values()) {
      console.log(
        `${r.name.padEnd(14)}${r.rps.toFixed(0).padStart(10)}${
          r.p50.toFixed(2).padStart(9)
        }${r.p99.toFixed(2).padStart(9)}${
          r.cpuPerRequest.toFixed(1).padStart(12)
        }${String(r.failed).padStart(8)}`,
      );
    }
    const spindle = median.get("spindle");
    const targets: Array<[string, number]> = path === "/"
      ? [["Deno.serve", 0.8], ["node http2", 2]]
      : [["Deno.serve", 1.0], ["node http2", 0]];
    for (const [name, target] of targets) {
      const other = median.get(name);
      if (spindle === undefined || other === undefined || other.rps === 0) {
        continue;
      }
      const ratio = spindle.rps / other.rps;
      console.log(
        `spindle vs ${name}: ${ratio.toFixed(2)}x req/s, ${
          (other.cpuPerRequest / spindle.cpuPerRequest).toFixed(2)
        }x CPU per request${
          target === 0
            ? " (no target)"
            : ` (target ≥ ${target}x) ${ratio >= target ? "met" : "NOT met"}`
        }`,
      );
    }
    for (const [name, other] of median) {
      if (spindle === undefined || name === "spindle" || other.rps === 0) {
        continue;
      }
      const figure = `HTTP/2 ${label}, h2load -c${conns} -m${streams}`;
      reportRatio({
        bench: "http2",
        figure,
        kind: "rate",
        metric: "requests per second",
        peer: name,
        ratio: spindle.rps / other.rps,
      });
      reportRatio({
        bench: "http2",
        figure,
        kind: "cpu",
        metric: "request (the server's)",
        peer: name,
        ratio: other.cpuPerRequest / spindle.cpuPerRequest,
      });
    }
  }
}

const mode = option("serve", "");
if (mode === "spindle") await serveSpindle();
else if (mode === "deno") serveDeno();
else await drive();
