/**
 * HTTP hello-world throughput and latency over loopback, one server process
 * at a time under the same `wrk` load (2 threads, 64 keep-alive connections,
 * bounded duration), in one run:
 * - spindle: `serveHTTP` (Spindle's own HTTP/1.1 engine on the reactor);
 * - Deno.serve: Deno's built-in server (hyper, in Rust);
 * - node:http: `http.createServer` under Deno's Node compatibility;
 * - node (binary): the same on the `node` executable, when installed;
 * - twisted.web: a `Site` with a leaf `Resource` (`/usr/bin/python3`).
 *
 * Run: deno run -A bench/http_bench.ts [--ms 5000] [--rounds 3] [--conns 64]
 *        [--threads 2] [--json FILE] [--only spindle,deno] [--varied]
 * (`--varied`: each request asks for a new path, so no request head repeats
 * on a connection and a server's caches of repeated heads never hit.)
 * Prints each server's median round (by requests per second: one noisy
 * moment moves a median less than a best), its latency percentiles, the
 * server's CPU time per request (from /proc, which a busy machine disturbs
 * less than throughput), and Spindle's ratios to the others, by throughput
 * and by CPU per request (targets: ≥ 0.7x Deno.serve, ≥ 2x node:http,
 * ≥ 8x twisted.web).
 */
import { reportRatio } from "./_report.ts";
import { announce, cpuSeconds, option } from "./_util.ts";
import http from "node:http";
import { serveHTTP } from "../protocols/http/mod.ts";

const BODY = "Hello, World!";

// ---- server modes (the benchmark runs itself as each server)

async function serveSpindle(): Promise<void> {
  const server = await serveHTTP(() => new Response(BODY), {
    listen: "tcp:0:interface=127.0.0.1",
  });
  announce((server.addr as Deno.NetAddr).port);
}

function serveDeno(): void {
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => announce(port),
  }, () => new Response(BODY));
}

function serveNodeHTTP(): void {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain;charset=UTF-8" });
    res.end(BODY);
  });
  server.listen(0, "127.0.0.1", () => {
    announce((server.address() as { port: number }).port);
  });
}

const NODE_SERVER = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/plain;charset=UTF-8" });
  res.end(${JSON.stringify(BODY)});
});
server.listen(0, "127.0.0.1", () => console.log("listening on 127.0.0.1:" + server.address().port));
`;

const TWISTED_SERVER = `
from twisted.internet import reactor
from twisted.web import server, resource
class Hello(resource.Resource):
    isLeaf = True
    def render_GET(self, request):
        request.setHeader(b"content-type", b"text/plain;charset=UTF-8")
        return ${JSON.stringify(BODY)}.encode()
port = reactor.listenTCP(0, server.Site(Hello()), interface="127.0.0.1")
print("listening on 127.0.0.1:%d" % port.getHost().port, flush=True)
reactor.run()
`;

// ---- the driver

interface Peer {
  name: string;
  command: string;
  args: string[];
}

interface Result {
  name: string;
  rps: number;
  /** Server CPU time (user + system) per request, in microseconds. */
  cpuPerRequest: number;
  latency: Record<string, number>;
  errors: number;
}

async function available(command: string, args: string[]): Promise<boolean> {
  try {
    const { code } = await new Deno.Command(command, {
      args,
      stdout: "null",
      stderr: "null",
    })
      .output();
    return code === 0;
  } catch {
    return false;
  }
}

async function startPeer(
  peer: Peer,
): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
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
  // Keep draining its output so the server never blocks on a full pipe.
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

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : n;
}

// `--varied`: every request asks for a new path, so no request head repeats
// on a connection (a server's caches of repeated heads never hit).
const VARIED_PATHS_SCRIPT = `
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "/item/" .. counter)
end
`;
let wrkScriptArgs: string[] = [];

async function wrk(
  port: number,
  ms: number,
  threads: number,
  conns: number,
): Promise<Omit<Result, "name" | "cpuPerRequest">> {
  const { stdout, code, stderr } = await new Deno.Command("wrk", {
    args: [
      `-t${threads}`,
      `-c${conns}`,
      `-d${Math.max(1, Math.round(ms / 1000))}s`,
      "--latency",
      ...wrkScriptArgs,
      `http://127.0.0.1:${port}/`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  if (code !== 0) {
    throw new Error(`wrk failed: ${new TextDecoder().decode(stderr)}`);
  }
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? 0);
  const latency: Record<string, number> = {};
  for (
    const m of text.matchAll(/^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$/gm)
  ) {
    latency[`p${m[1]}`] = toMs(m[2]!, m[3]!);
  }
  const errors =
    Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0) +
    [...text.matchAll(/(?:connect|read|write|timeout) (\d+)/g)].reduce(
      (a, m) => a + Number(m[1]),
      0,
    );
  return { rps, latency, errors };
}

async function drive(): Promise<void> {
  const ms = Number(option("ms", "5000"));
  const rounds = Number(option("rounds", "3"));
  const conns = Number(option("conns", "64"));
  const threads = Number(option("threads", "2"));
  const only = option("only", "").split(",").filter((s) => s !== "");
  const varied = Deno.args.includes("--varied");
  if (varied) {
    const script = await Deno.makeTempFile({ suffix: ".lua" });
    await Deno.writeTextFile(script, VARIED_PATHS_SCRIPT);
    wrkScriptArgs = ["-s", script];
  }
  if (
    !(await available("wrk", ["--version"])) &&
    !(await available("wrk", ["-v"]))
  ) {
    // `wrk -v` exits 1 but prints its version; check that it exists at all.
    try {
      await new Deno.Command("wrk", {
        args: ["-v"],
        stdout: "null",
        stderr: "null",
      }).output();
    } catch {
      console.error("wrk is not installed (Debian: apt-get install wrk)");
      Deno.exit(1);
    }
  }
  const self = new URL(import.meta.url).pathname;
  const deno = Deno.execPath();
  const peers: Peer[] = [
    {
      name: "spindle",
      command: deno,
      args: ["run", "-A", self, "--serve", "spindle"],
    },
    {
      name: "Deno.serve",
      command: deno,
      args: ["run", "-A", self, "--serve", "deno"],
    },
    {
      name: "node:http",
      command: deno,
      args: ["run", "-A", self, "--serve", "node"],
    },
  ];
  if (await available("node", ["--version"])) {
    peers.push({
      name: "node (binary)",
      command: "node",
      args: ["-e", NODE_SERVER],
    });
  }
  if (await available("/usr/bin/python3", ["-c", "import twisted.web"])) {
    peers.push({
      name: "twisted.web",
      command: "/usr/bin/python3",
      args: ["-c", TWISTED_SERVER],
    });
  }
  const selected = peers.filter((p) =>
    only.length === 0 || only.some((o) => p.name.toLowerCase().includes(o))
  );
  const all = new Map<string, Result[]>();
  // Rounds interleave the servers, so a noisy moment does not hit only one of them.
  for (let round = 0; round < rounds; round++) {
    for (const peer of selected) {
      const server = await startPeer(peer);
      try {
        // A short warm-up lets the JIT settle before the measured run.
        await wrk(server.port, 1000, threads, conns);
        const cpuBefore = await cpuSeconds(server.pid);
        const measured = await wrk(server.port, ms, threads, conns);
        const cpu = await cpuSeconds(server.pid) - cpuBefore;
        const result = {
          ...measured,
          cpuPerRequest: cpu / (measured.rps * ms / 1000) * 1e6,
        };
        const runs = all.get(peer.name) ?? [];
        runs.push({ name: peer.name, ...result });
        all.set(peer.name, runs);
      } finally {
        await server.stop();
      }
    }
  }
  if (varied) await Deno.remove(wrkScriptArgs[1]!);
  printRounds(all, rounds);
  const best = new Map<string, Result>();
  for (const [name, runs] of all) {
    runs.sort((a, b) => a.rps - b.rps);
    best.set(name, runs[(runs.length - 1) >> 1]!);
  }
  const results = [...best.values()];
  const spindle = best.get("spindle");
  console.log(
    `\nwrk -t${threads} -c${conns}, ${ms} ms per run, median of ${rounds} round(s), "${BODY}" responses${
      varied ? ", a new path for every request (--varied)" : ""
    }\n`,
  );
  console.log(
    `${"server".padEnd(16)}${"req/s".padStart(10)}${"p50 ms".padStart(9)}${
      "p75 ms".padStart(9)
    }${"p90 ms".padStart(9)}${"p99 ms".padStart(9)}${
      "cpu us/req".padStart(12)
    }${"errors".padStart(8)}${"spindle/x".padStart(11)}`,
  );
  for (const r of results) {
    const ratio = spindle && r.rps > 0
      ? (spindle.rps / r.rps).toFixed(2) + "x"
      : "-";
    const p = (k: string) => (r.latency[k]?.toFixed(2) ?? "-").padStart(9);
    console.log(
      `${r.name.padEnd(16)}${r.rps.toFixed(0).padStart(10)}${p("p50")}${
        p("p75")
      }${p("p90")}${p("p99")}${r.cpuPerRequest.toFixed(1).padStart(12)}${
        String(r.errors).padStart(8)
      }${ratio.padStart(11)}`,
    );
  }
  if (spindle) {
    const targets: [string, number][] = [
      ["Deno.serve", 0.7],
      ["node:http", 2],
      ["twisted.web", 8],
    ];
    console.log("");
    for (const [name, target] of targets) {
      const other = best.get(name);
      if (other === undefined || other.rps === 0) continue;
      const ratio = spindle.rps / other.rps;
      const cpuRatio = other.cpuPerRequest / spindle.cpuPerRequest;
      const figure = `HTTP/1.1 hello world, wrk -c${conns}${
        varied ? ", a new path for every request" : ""
      }`;
      reportRatio({
        bench: "http",
        figure,
        kind: "rate",
        metric: "requests per second",
        peer: name,
        ratio,
      });
      reportRatio({
        bench: "http",
        figure,
        kind: "cpu",
        metric: "request (the server's)",
        peer: name,
        ratio: cpuRatio,
      });
      console.log(
        `spindle vs ${name}: ${ratio.toFixed(2)}x req/s, ${
          cpuRatio.toFixed(2)
        }x CPU per request (target ≥ ${target}x) ${
          ratio >= target ? "met" : "NOT met"
        }`,
      );
    }
  }
  const json = option("json", "");
  if (json !== "") {
    await Deno.writeTextFile(
      json,
      JSON.stringify(
        {
          bench: "http",
          threads,
          conns,
          ms,
          rounds,
          results,
          rounds_by_server: Object.fromEntries(all),
        },
        null,
        2,
      ) + "\n",
    );
  }
}

/**
 * Each round's p50/p99 for every server, and the worst round: a tail that
 * is fine in most rounds and bad in one (a GC pause, a timer, unfair
 * scheduling) shows here and not in the median.
 */
function printRounds(all: Map<string, Result[]>, rounds: number): void {
  const names = [...all.keys()];
  console.log(`\nper round (in the order run): req/s, p50 / p99 ms`);
  for (let round = 0; round < rounds; round++) {
    const cells = names.map((name) => {
      const r = all.get(name)![round];
      return r === undefined
        ? `${name}: -`
        : `${name} ${r.rps.toFixed(0)}, ${r.latency.p50?.toFixed(2)} / ${
          r.latency.p99?.toFixed(2)
        }`;
    });
    console.log(`round ${round + 1}: ${cells.join("  |  ")}`);
  }
  const spindle = all.get("spindle");
  const deno = all.get("Deno.serve");
  for (const name of names) {
    const worst = all.get(name)!.reduce((a, b) =>
      (b.latency.p99 ?? 0) > (a.latency.p99 ?? 0) ? b : a
    );
    console.log(
      `worst round of ${name}: p99 ${worst.latency.p99?.toFixed(2)} ms`,
    );
  }
  if (spindle !== undefined && deno !== undefined) {
    // Round by round (the runs keep their order in `all`), against the
    // target: Spindle's p99 at most 2x Deno.serve's in every round.
    const ratios = spindle.map((r, i) =>
      (r.latency.p99 ?? NaN) / (deno[i]?.latency.p99 ?? NaN)
    );
    const worst = Math.max(...ratios);
    console.log(
      `spindle p99 / Deno.serve p99 per round: ${
        ratios.map((x) => x.toFixed(2) + "x").join(", ")
      }; worst ${worst.toFixed(2)}x (target ≤ 2x) ${
        worst <= 2 ? "met" : "NOT met"
      }`,
    );
  }
}

const mode = option("serve", "");
if (mode === "spindle") await serveSpindle();
else if (mode === "deno") serveDeno();
else if (mode === "node") serveNodeHTTP();
else await drive();
