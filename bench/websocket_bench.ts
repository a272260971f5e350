/**
 * WebSocket echo over loopback: 64 connections, each sending a message and
 * waiting for its echo, for a bounded time per server, one server process at
 * a time, in one run:
 * - spindle: `serveHTTP` + `upgradeWebSocket`;
 * - Deno.serve: `Deno.serve` + `Deno.upgradeWebSocket` (Rust);
 * - ws: npm `ws`'s `WebSocketServer` under Deno's Node compatibility.
 * The load runs in this process on Spindle's client (the same for every
 * server), at 1 KiB and 64 KiB, and at 1 KiB with permessage-deflate
 * (Spindle and `ws`; Deno's server does not compress).
 *
 * Run: deno run -A bench/websocket_bench.ts [--ms 3000] [--rounds 1]
 *        [--conns 64] [--only spindle,deno,ws]
 * Prints round trips per second, the server's CPU time per round trip (from
 * /proc), and Spindle's ratios to each peer (targets: ≥ 1.0x Deno.serve's
 * WebSocket, ≥ 1.5x ws).
 */
import { announce, cpuSeconds, option } from "./_util.ts";
import { reportRatio } from "./_report.ts";
import { serveHTTP } from "../protocols/http/mod.ts";
import {
  connectWebSocket,
  upgradeWebSocket,
} from "../protocols/websocket/mod.ts";

// ---- server modes (the benchmark runs itself as each server)

async function serveSpindle(): Promise<void> {
  const server = await serveHTTP((request, info) => {
    const { socket, response } = upgradeWebSocket(request, info);
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => socket.send(event.data);
    return response;
  }, { listen: "tcp:0:interface=127.0.0.1" });
  announce((server.addr as Deno.NetAddr).port);
}

function serveDeno(): void {
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => announce(port),
  }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => socket.send(event.data);
    return response;
  });
}

async function serveWs(): Promise<void> {
  const { WebSocketServer } = await import("npm:ws@8.18.0");
  const server = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    perMessageDeflate: Deno.args.includes("--deflate"),
  });
  // ws ships no types of its own (they are in @types/ws): the shapes used here.
  type WsSocket = {
    on(
      event: "message",
      listener: (data: unknown, binary: boolean) => void,
    ): void;
    send(data: unknown, options: { binary: boolean }): void;
  };
  server.on("connection", (socket: WsSocket) => {
    socket.on("message", (data, binary) => socket.send(data, { binary }));
  });
  server.on("listening", () => announce(server.address().port));
}

// ---- the driver

interface Result {
  rate: number;
  /** Server CPU time per round trip, microseconds. */
  cpu: number;
}

async function startServer(
  mode: string,
  deflate: boolean,
): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      new URL(import.meta.url).pathname,
      "--serve",
      mode,
      ...(deflate ? ["--deflate"] : []),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let port: number | undefined;
  while (port === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${mode} exited before listening: ${seen}`);
    seen += value;
    const m = /listening on [^:]+:(\d+)/.exec(seen);
    if (m) port = Number(m[1]);
  }
  (async () => {
    try {
      while (!(await reader.read()).done);
    } catch { /* ended */ }
  })();
  return {
    port,
    pid: child.pid,
    async stop() {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

/** One connection of the load: send a message, wait for its echo. */
interface Lane {
  send(data: Uint8Array): void;
  next(): Promise<void>;
  close(): void;
}

// The load runs on Spindle's client for every server: Deno's own WebSocket
// client measured 3 to 4 times slower here (2,700 against 11,000 round trips
// a second on 16 connections), so it, not the server, set the pace.
async function openLane(url: string, deflate: boolean): Promise<Lane> {
  let wake: () => void = () => {};
  const socket = await connectWebSocket(url, { deflate });
  socket.onmessage = () => wake();
  return {
    send: (data) => socket.send(data),
    next: () => new Promise((resolve) => wake = resolve),
    close: () => socket.close(),
  };
}

async function measure(
  mode: string,
  options: { size: number; conns: number; ms: number; deflate: boolean },
): Promise<Result> {
  const server = await startServer(mode, options.deflate);
  try {
    const url = `ws://127.0.0.1:${server.port}/`;
    const lanes = await Promise.all(
      Array.from(
        { length: options.conns },
        () => openLane(url, options.deflate),
      ),
    );
    // Text-like, compressible payload, as real messages are.
    const message = new TextEncoder().encode(
      JSON.stringify({
        type: "update",
        values: Array.from({ length: options.size }, (_, i) => i % 97),
      }).slice(0, options.size),
    );
    const run = async (ms: number) => {
      let count = 0;
      const until = performance.now() + ms;
      await Promise.all(lanes.map(async (lane) => {
        while (performance.now() < until) {
          const echoed = lane.next();
          lane.send(message);
          await echoed;
          count++;
        }
      }));
      return count;
    };
    await run(Math.min(1000, options.ms / 3)); // warm-up
    const cpu0 = await cpuSeconds(server.pid);
    const t0 = performance.now();
    const count = await run(options.ms);
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = await cpuSeconds(server.pid);
    for (const lane of lanes) lane.close();
    return { rate: count / seconds, cpu: ((cpu1 - cpu0) * 1e6) / count };
  } finally {
    await server.stop();
  }
}

async function drive(): Promise<void> {
  const ms = Number(option("ms", "3000"));
  const rounds = Number(option("rounds", "1"));
  const conns = Number(option("conns", "64"));
  const only = option("only", "").split(",").filter((s) => s !== "");
  const figures: {
    title: string;
    size: number;
    deflate: boolean;
    peers: string[];
  }[] = [
    {
      title: "1 KiB",
      size: 1024,
      deflate: false,
      peers: ["spindle", "deno", "ws"],
    },
    {
      title: "64 KiB",
      size: 65536,
      deflate: false,
      peers: ["spindle", "deno", "ws"],
    },
    {
      title: "1 KiB, permessage-deflate",
      size: 1024,
      deflate: true,
      peers: ["spindle", "ws"],
    },
  ];
  const names: Record<string, string> = {
    spindle: "spindle",
    deno: "Deno.serve",
    ws: "ws",
  };
  for (const figure of figures) {
    console.log(`\n${figure.title}, ${conns} connections, echo round trips:`);
    const results = new Map<string, Result>();
    for (const peer of figure.peers) {
      if (only.length > 0 && !only.includes(peer)) continue;
      const runs: Result[] = [];
      for (let i = 0; i < rounds; i++) {
        runs.push(await measure(peer, { ...figure, conns, ms }));
      }
      runs.sort((a, b) => a.rate - b.rate);
      const median = runs[Math.floor(runs.length / 2)]!;
      results.set(peer, median);
      console.log(
        `  ${names[peer]!.padEnd(11)} ${
          Math.round(median.rate).toString().padStart(8)
        } round trips/s  ${
          median.cpu.toFixed(1).padStart(7)
        } µs CPU/round trip`,
      );
    }
    const spindle = results.get("spindle");
    if (spindle === undefined) continue;
    for (const [peer, result] of results) {
      if (peer === "spindle") continue;
      const rate = spindle.rate / result.rate;
      const cpu = result.cpu / spindle.cpu;
      console.log(
        `  spindle / ${names[peer]}: ${rate.toFixed(2)}x by rate, ${
          cpu.toFixed(2)
        }x by CPU`,
      );
      for (const [kind, ratio] of [["rate", rate], ["cpu", cpu]] as const) {
        reportRatio({
          bench: "websocket",
          figure: `WebSocket echo, ${conns} connections, ${figure.title}`,
          kind,
          metric: kind === "rate"
            ? "round trips per second"
            : "round trip (the server's)",
          peer: names[peer]!,
          ratio,
        });
      }
    }
  }
}

const serve = option("serve", "");
if (serve === "spindle") await serveSpindle();
else if (serve === "deno") serveDeno();
else if (serve === "ws") await serveWs();
else await drive();
