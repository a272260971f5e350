/**
 * UDP queries per second, measured with dnsperf (Debian `dnsperf`) against,
 * in one run and on the same zone:
 * - the Spindle DNS server (`serveDNS`),
 * - Twisted's names server (`/usr/bin/python3` with python3-twisted),
 * - a raw `Deno.listenDatagram` loop that answers without parsing (the ceiling).
 *
 * Run: deno run -A --unstable-net bench/dns_bench.ts [--count N] [--seconds S] [--rounds R] [--json FILE]
 * Each server runs in its own process, all started up front. dnsperf then runs
 * R rounds (default 3); in each round it sends at most N queries for at most S
 * seconds to each server in turn (defaults 100,000 and 4). A server's score is
 * its best round, so a burst of load from elsewhere on the machine does not
 * decide the ratio.
 */
import { reportRatio } from "./_report.ts";
import { announce, cpuSeconds, option } from "./_util.ts";
import { serveDNS, Zone } from "../protocols/dns/mod.ts";

const here = new URL(".", import.meta.url).pathname;
const zonePath =
  `${here}../tests/protocols/dns/fixtures/simple.example.org.zone`;
const twistedServer =
  `${here}../tests/protocols/dns/fixtures/twisted_names_server.py`;
const QUERIES = [
  "www.example.org A",
  "www.example.org AAAA",
  "example.org MX",
  "mail.example.org A",
  "example.org SOA",
  "nope.example.org A",
].join("\n") + "\n";

// ---- server modes (the benchmark runs itself as each server)

async function serveSpindle(port: number): Promise<void> {
  const zone = await Zone.load(zonePath, { origin: "example.org" });
  const server = await serveDNS(zone, {
    listen: `udp:${port}:interface=127.0.0.1`,
  });
  announce(server.addr.port);
}

async function serveRaw(port: number): Promise<void> {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port,
  });
  announce(port);
  const buffer = new Uint8Array(65536);
  for (;;) {
    const [query, from] = await socket.receive(buffer);
    // Turn the query into a (FORMERR-free, empty) response: set QR, keep the rest.
    const response = query.slice();
    response[2]! |= 0x80;
    await socket.send(response, from);
  }
}

const mode = option("serve", "");
if (mode !== "") {
  const port = Number(option("port", "0"));
  await (mode === "spindle" ? serveSpindle(port) : serveRaw(port));
} else {
  await main();
}

// ---- the benchmark

function freePort(): number {
  for (;;) {
    const tcp = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (tcp.addr as Deno.NetAddr).port;
    try {
      Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port })
        .close();
      tcp.close();
      return port;
    } catch {
      tcp.close();
    }
  }
}

async function startServer(
  command: string,
  args: string[],
): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 15_000);
  while (!text.includes("listening on")) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(deadline);
      throw new Error(`${command} ${args.join(" ")} exited before listening`);
    }
    text += value;
  }
  clearTimeout(deadline);
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return child;
}

async function dnsperf(
  port: number,
  queryFile: string,
  count: number,
  seconds: number,
): Promise<
  { qps: number; completed: number; lost: number; cpuMicros?: number }
> {
  const output = await new Deno.Command("dnsperf", {
    args: [
      "-s",
      "127.0.0.1",
      "-p",
      String(port),
      "-d",
      queryFile,
      "-n",
      // -n counts passes through the query file, not queries.
      String(Math.ceil(count / QUERIES.trim().split("\n").length)),
      "-l",
      String(seconds),
      "-q",
      "200",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
  return {
    qps: number(/Queries per second:\s+([\d.]+)/),
    completed: number(/Queries completed:\s+(\d+)/),
    lost: number(/Queries lost:\s+(\d+)/),
  };
}

async function haveTwisted(): Promise<boolean> {
  try {
    const result = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", "import twisted.names"],
      stdout: "null",
      stderr: "null",
    }).output();
    return result.success;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const count = Number(option("count", "100000"));
  const seconds = Number(option("seconds", "4"));
  const rounds = Number(option("rounds", "3"));
  const queryFile = await Deno.makeTempFile({ suffix: ".queries" });
  await Deno.writeTextFile(queryFile, QUERIES);
  const self = new URL(import.meta.url).pathname;
  const deno = [Deno.execPath(), [
    "run",
    "-A",
    "--unstable-net",
    self,
  ]] as const;
  const servers: {
    name: string;
    command: string;
    args: (port: number) => string[];
  }[] = [
    {
      name: "raw Deno.listenDatagram loop",
      command: deno[0],
      args: (port) => [...deno[1], "--serve", "raw", "--port", String(port)],
    },
    {
      name: "Spindle serveDNS",
      command: deno[0],
      args: (
        port,
      ) => [...deno[1], "--serve", "spindle", "--port", String(port)],
    },
  ];
  if (await haveTwisted()) {
    servers.push({
      name: "Twisted names",
      command: "/usr/bin/python3",
      args: (port) => [twistedServer, zonePath, String(port)],
    });
  } else {
    console.warn(
      "Twisted names skipped: /usr/bin/python3 with python3-twisted is not installed",
    );
  }
  type Run = {
    qps: number;
    completed: number;
    lost: number;
    cpuMicros?: number;
  };
  const runs: Record<string, Run[]> = {};
  const children: Deno.ChildProcess[] = [];
  try {
    const ports: number[] = [];
    for (const server of servers) {
      const port = freePort();
      children.push(await startServer(server.command, server.args(port)));
      ports.push(port);
      runs[server.name] = [];
    }
    for (let round = 0; round < rounds; round++) {
      for (const [i, server] of servers.entries()) {
        const pid = children[i]!.pid;
        const before = await cpuSeconds(pid);
        const run = await dnsperf(ports[i]!, queryFile, count, seconds);
        run.cpuMicros = (await cpuSeconds(pid) - before) * 1e6 / run.completed;
        runs[server.name]!.push(run);
      }
    }
  } finally {
    for (const child of children) {
      child.kill("SIGTERM");
      await child.status;
    }
    await Deno.remove(queryFile);
  }
  const results: Record<string, Run & { rounds: number[] }> = {};
  for (const [name, list] of Object.entries(runs)) {
    const best = list.reduce((x, y) => (y.qps > x.qps ? y : x));
    const queries = list.reduce((n, r) => n + r.completed, 0);
    const cpu = list.reduce(
      (n, r) => n + (r.cpuMicros ?? NaN) * r.completed,
      0,
    );
    results[name] = {
      ...best,
      // CPU per query over every round: the steadier measure on a busy machine.
      cpuMicros: cpu / queries,
      rounds: list.map((r) => Math.round(r.qps)),
    };
  }
  console.log(
    `\nDNS over UDP, dnsperf, best of ${rounds} rounds of ${count} queries or ${seconds} s per server\n`,
  );
  console.log(
    "server                          best qps   completed  lost  CPU µs/query  all rounds",
  );
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(30)}  ${r.qps.toFixed(0).padStart(9)}  ${
        String(r.completed).padStart(9)
      }  ${String(r.lost).padStart(4)}  ${
        (r.cpuMicros ?? NaN).toFixed(1).padStart(12)
      }  ${r.rounds.join(" ")}`,
    );
  }
  const spindle = results["Spindle serveDNS"]!.qps;
  const raw = results["raw Deno.listenDatagram loop"]!.qps;
  const twisted = results["Twisted names"]?.qps;
  const ratios: Record<string, number> = { "spindle/raw": spindle / raw };
  if (twisted !== undefined) ratios["spindle/twisted"] = spindle / twisted;
  console.log(
    `\nSpindle / raw loop: ${
      ratios["spindle/raw"]!.toFixed(2)
    }x (target >= 0.8x)`,
  );
  if (twisted !== undefined) {
    console.log(
      `Spindle / Twisted:  ${
        ratios["spindle/twisted"]!.toFixed(2)
      }x (target >= 1.8x)`,
    );
  }
  const cpu = (name: string) => results[name]?.cpuMicros ?? NaN;
  ratios["cpu raw/spindle"] = cpu("raw Deno.listenDatagram loop") /
    cpu("Spindle serveDNS");
  ratios["cpu twisted/spindle"] = cpu("Twisted names") /
    cpu("Spindle serveDNS");
  console.log(
    `CPU per query: the raw loop costs ${
      ratios["cpu raw/spindle"]!.toFixed(2)
    }x Spindle's, Twisted ${ratios["cpu twisted/spindle"]!.toFixed(2)}x`,
  );
  const figure = "DNS over UDP, dnsperf, authoritative answers";
  for (
    const [peer, name] of [
      ["a raw Deno.listenDatagram loop", "raw Deno.listenDatagram loop"],
      ["Twisted names", "Twisted names"],
    ] as const
  ) {
    const other = results[name];
    if (other === undefined) continue;
    reportRatio({
      bench: "dns",
      figure,
      kind: "rate",
      metric: "queries per second",
      peer,
      ratio: spindle / other.qps,
    });
    reportRatio({
      bench: "dns",
      figure,
      kind: "cpu",
      metric: "query (the server's)",
      peer,
      ratio: cpu(name) / cpu("Spindle serveDNS"),
    });
  }
  const json = option("json", "");
  const report = { bench: "dns", count, seconds, rounds, results, ratios };
  if (json !== "") {
    await Deno.writeTextFile(json, JSON.stringify(report, null, 2) + "\n");
  }
  console.log(JSON.stringify(report));
}
