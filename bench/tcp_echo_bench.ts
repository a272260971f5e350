/**
 * TCP echo round trips over loopback, one server process at a time under the
 * same bounded load (bench/echo_load.c, built at run time with `cc`: N
 * connections, each sending a message and waiting for all of its echo), in
 * one run, at 1 KiB and 16 KiB messages:
 * - raw: a `Deno.Conn` `read()`/`write()` loop (the ceiling);
 * - deno-pipeto: Deno's own `conn.readable.pipeTo(conn.writable)`;
 * - stream-pipeto: a Spindle handler `conn.readable.pipeTo(conn.writable)`;
 * - stream-for-await: `for await (const chunk of conn.readable)` with a
 *   standard writer on `conn.writable`;
 * - protocol: a Twisted-style `Protocol` whose `dataReceived` writes back;
 * - node:net: `socket.on("data", (d) => socket.write(d))`;
 * - Twisted: the same echo `Protocol` on Twisted (`/usr/bin/python3`).
 *
 * Run: deno run -A bench/tcp_echo_bench.ts
 *        [--conns 64] [--sizes 1024,16384] [--ms 2000] [--rounds 3] [--json FILE]
 *        [--only stream-for-await,protocol] (raw, node:net and Twisted always run)
 *        [--malloc-trim BYTES] (sets glibc's MALLOC_TRIM_THRESHOLD_ for every
 *        server process alike, see below)
 *      deno run -A bench/tcp_echo_bench.ts --serve <mode> [--for MS]
 *        (one server, for profiling: exits normally after MS ms if given)
 * Prints each server's median round and its ratios to raw, node:net and
 * Twisted, twice: round trips per second, and round trips per CPU second of
 * the server process (from /proc), which stays meaningful when other work
 * competes for the CPUs.
 *
 * Servers that allocate per read (node:net, Spindle: a chunk read belongs to
 * its reader, so it is fresh memory) pay for page faults when glibc hands
 * freed memory back to the kernel after each garbage collection and faults it
 * in again; on a VM those faults are costly (a third of the server's CPU at
 * 16 KiB here). `--malloc-trim 1073741824` measures the servers with glibc
 * keeping that memory (a deployment setting, the same for every server).
 */
import { reportRatio } from "./_report.ts";
import { announce, cpuSeconds, option } from "./_util.ts";
import net from "node:net";
import { Factory, Protocol, reactor } from "../reactor/mod.ts";
import type { Connection } from "../reactor/mod.ts";

const here = new URL(".", import.meta.url).pathname;

// ---- server modes (the benchmark runs itself as each server)

async function serveRaw(): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  announce(listener.addr.port);
  for await (const conn of listener) {
    (async () => {
      conn.setNoDelay(true);
      const buffer = new Uint8Array(64 * 1024);
      try {
        for (;;) {
          const n = await conn.read(buffer);
          if (n === null) break;
          for (let at = 0; at < n;) {
            at += await conn.write(buffer.subarray(at, n));
          }
        }
      } catch {
        // The load generator closes connections without ceremony.
      }
      conn.close();
    })();
  }
}

async function serveDenoPipe(): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  announce(listener.addr.port);
  for await (const conn of listener) {
    conn.setNoDelay(true);
    conn.readable.pipeTo(conn.writable).catch(() => {});
  }
}

async function serveSpindle(
  handler: Parameters<typeof reactor.listenTCP>[1],
): Promise<void> {
  const port = await reactor.listenTCP(0, handler, { interface: "127.0.0.1" });
  announce((port.getHost() as Deno.NetAddr).port);
}

class Echo extends Protocol {
  override connectionMade(): void {
    this.transport.setTcpNoDelay(true);
  }
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

function serveNode(): Promise<void> {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on("data", (data) => socket.write(data));
    socket.on("error", () => {});
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      announce((server.address() as net.AddressInfo).port);
      resolve();
    });
  });
}

const TWISTED = `
from twisted.internet import reactor, protocol
class Echo(protocol.Protocol):
    def connectionMade(self):
        self.transport.setTcpNoDelay(True)
    def dataReceived(self, data):
        self.transport.write(data)
port = reactor.listenTCP(0, protocol.Factory.forProtocol(Echo), interface="127.0.0.1")
print("listening on 127.0.0.1:%d" % port.getHost().port, flush=True)
reactor.run()
`;

const modes: Record<string, () => Promise<void>> = {
  raw: serveRaw,
  "deno-pipeto": serveDenoPipe,
  "stream-pipeto": () =>
    serveSpindle(async (conn: Connection) => {
      conn.setNoDelay(true);
      await conn.readable.pipeTo(conn.writable).catch(() => {});
    }),
  "stream-for-await": () =>
    serveSpindle(async (conn: Connection) => {
      conn.setNoDelay(true);
      const writer = conn.writable.getWriter();
      try {
        for await (const chunk of conn.readable) await writer.write(chunk);
      } catch {
        // As above: connections end abruptly.
      }
    }),
  protocol: () => serveSpindle(Factory.forProtocol(Echo)),
  "node:net": serveNode,
};

// ---- the driver

interface Server {
  port: number;
  /** CPU seconds (user + system) the server process has used so far. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

/** Environment of the server processes (`--malloc-trim`). */
function serverEnv(): Record<string, string> {
  const trim = option("malloc-trim", "");
  return trim === "" ? {} : { MALLOC_TRIM_THRESHOLD_: trim };
}

async function start(mode: string): Promise<Server> {
  const command = mode === "Twisted"
    ? new Deno.Command("/usr/bin/python3", {
      args: ["-c", TWISTED],
      env: serverEnv(),
      stdout: "piped",
      stderr: "inherit",
    })
    : new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", import.meta.filename!, "--serve", mode],
      env: serverEnv(),
      stdout: "piped",
      stderr: "inherit",
    });
  const child = command.spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the ${mode} server exited before listening`);
    seen += value;
  }
  await reader.cancel();
  const match = /listening on [^:]+:(\d+)/.exec(seen);
  if (match === null) throw new Error(`unexpected ${mode} output: ${seen}`);
  return {
    port: Number(match[1]),
    cpu: () => cpuSeconds(child.pid),
    async stop() {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

async function buildLoad(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "spindle-bench-" });
  const binary = `${dir}/echo_load`;
  const cc = await new Deno.Command("cc", {
    args: ["-O2", "-o", binary, `${here}echo_load.c`],
  }).output();
  if (!cc.success) {
    throw new Error(`cc failed: ${new TextDecoder().decode(cc.stderr)}`);
  }
  return binary;
}

interface Measure {
  /** Round trips per second of wall-clock time. */
  rate: number;
  /** Round trips per CPU second of the server: steady when the machine is busy. */
  efficiency: number;
}

async function load(
  binary: string,
  server: Server,
  conns: number,
  size: number,
  ms: number,
): Promise<Measure> {
  const cpuBefore = await server.cpu();
  const out = await new Deno.Command(binary, {
    args: [String(server.port), String(conns), String(size), String(ms), "300"],
  }).output();
  const cpu = (await server.cpu()) - cpuBefore;
  const result = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    trips: number;
    seconds: number;
    errors: number;
    all_trips: number;
  };
  if (result.errors > 0) throw new Error(`${result.errors} load errors`);
  return {
    rate: result.trips / result.seconds,
    efficiency: result.all_trips / Math.max(cpu, 0.01),
  };
}

async function main(): Promise<void> {
  const conns = Number(option("conns", "64"));
  const sizes = option("sizes", "1024,16384").split(",").map(Number);
  const ms = Number(option("ms", "2000"));
  const rounds = Number(option("rounds", "3"));
  const only = option("only", "");
  const all = [...Object.keys(modes), "Twisted"];
  const chosen = only === "" ? [] : only.split(",");
  const unknown = chosen.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `--only: unknown server ${unknown.join(", ")}: use names from ${
        all.join(", ")
      }`,
    );
  }
  const names = all.filter((name) =>
    only === "" || ["raw", "node:net", "Twisted", ...chosen].includes(name)
  );
  const binary = await buildLoad();
  const report: Record<string, Record<string, Measure[]>> = {};
  for (const size of sizes) {
    const perSize: Record<string, Measure[]> = {};
    report[`${size}`] = perSize;
    // Rounds are interleaved so that drifts in machine load hit every server.
    for (let round = 0; round < rounds; round++) {
      for (const name of names) {
        const server = await start(name);
        try {
          const measure = await load(binary, server, conns, size, ms);
          (perSize[name] ??= []).push(measure);
        } finally {
          await server.stop();
        }
      }
    }
  }
  await Deno.remove(binary.slice(0, binary.lastIndexOf("/")), {
    recursive: true,
  });
  const summary: Record<string, Record<string, object>> = {};
  for (const [size, perSize] of Object.entries(report)) {
    const median = (name: string, key: keyof Measure) => {
      const values = (perSize[name] ?? []).map((m) => m[key]).sort((a, b) =>
        a - b
      );
      const middle = values.length >> 1;
      return values.length % 2 === 1
        ? values[middle]!
        : (values[middle - 1]! + values[middle]!) / 2;
    };
    summary[size] = {};
    for (const key of ["rate", "efficiency"] as const) {
      const raw = median("raw", key);
      const node = median("node:net", key);
      const twisted = median("Twisted", key);
      console.log(
        `\nTCP echo, ${conns} connections, ${size}-byte messages, median of ${rounds} x ${ms} ms: ${
          key === "rate"
            ? "round trips per second"
            : "round trips per server CPU second (steadier on a busy machine)"
        }`,
      );
      console.log(
        `${"server".padEnd(20)}${"trips/s".padStart(10)}${"x raw".padStart(8)}${
          "x node".padStart(8)
        }${"x Twisted".padStart(11)}`,
      );
      for (const name of names) {
        const value = median(name, key);
        const entry = (summary[size]![name] ??= {}) as Record<string, unknown>;
        entry[key] = {
          median: Math.round(value),
          rounds: perSize[name]!.map((m) => Math.round(m[key])),
          vsRaw: +(value / raw).toFixed(2),
          vsNode: +(value / node).toFixed(2),
          vsTwisted: +(value / twisted).toFixed(2),
        };
        console.log(
          `${name.padEnd(20)}${String(Math.round(value)).padStart(10)}${
            (value / raw).toFixed(2).padStart(8)
          }${(value / node).toFixed(2).padStart(8)}${
            (value / twisted).toFixed(2).padStart(11)
          }`,
        );
      }
      if (names.includes("protocol")) {
        const spindle = median("protocol", key);
        const peers = {
          "a raw Deno.Conn loop": raw,
          "node:net": node,
          Twisted: twisted,
        };
        for (const [peer, value] of Object.entries(peers)) {
          reportRatio({
            bench: "tcp_echo",
            figure:
              `TCP echo, ${conns} connections, ${size}-byte messages (Spindle's Protocol)`,
            kind: key === "rate" ? "rate" : "cpu",
            metric: key === "rate"
              ? "round trips per second"
              : "round trip (the server's)",
            peer,
            ratio: spindle / value,
          });
        }
      }
    }
  }
  const json = option("json", "");
  if (json !== "") {
    await Deno.writeTextFile(
      json,
      JSON.stringify(
        {
          bench: "tcp_echo",
          conns,
          ms,
          rounds,
          mallocTrim: option("malloc-trim", "") || null,
          results: summary,
        },
        null,
        2,
      ) + "\n",
    );
  }
}

const serveIndex = Deno.args.indexOf("--serve");
if (serveIndex >= 0) {
  const mode = Deno.args[serveIndex + 1]!;
  const serve = modes[mode];
  if (serve === undefined) {
    throw new Error(
      `unknown mode ${mode}: use one of ${Object.keys(modes).join(", ")}`,
    );
  }
  // A bounded server run ends with a normal exit, so --cpu-prof writes its profile.
  const forMs = Number(option("for", "0"));
  if (forMs > 0) setTimeout(() => Deno.exit(0), forMs);
  await serve();
} else {
  await main();
}
