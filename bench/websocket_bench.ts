/**
 * WebSocket echo over loopback: 64 connections, each sending a message and
 * waiting for its echo, for a bounded time per server, one server process at
 * a time, in one run:
 * - spindle: `serveHTTP` + `upgradeWebSocket`;
 * - Deno.serve: `Deno.serve` + `Deno.upgradeWebSocket` (Rust);
 * - ws: npm `ws`'s `WebSocketServer` under Deno's Node compatibility;
 * - raw: the floor, a `Deno.Conn` loop echoing frames with no Spindle layers
 *   (no deflate), to show what Spindle's layers cost.
 * The load runs in this process, writing and parsing frames on raw
 * `Deno.Conn`s (the same for every server, and cheaper than any client), at
 * 1 KiB and 64 KiB, and at 1 KiB with permessage-deflate (Spindle and `ws`;
 * Deno's server does not compress).
 *
 * Run: deno run -A bench/websocket_bench.ts [--ms 3000] [--rounds 1]
 *        [--conns 64] [--only spindle,deno,ws,raw] [--figures 1,2,3]
 *        [--server-flags "--cpu-prof --cpu-prof-dir=/tmp/prof"]
 *        [--server-out /tmp/servers.log]
 *        [--attach "perf stat -e raw_syscalls:sys_enter -p {pid}"]
 * `--server-flags` are Deno flags for the server processes (a profile is
 * written when they exit: they are stopped with SIGTERM then), and
 * `--server-out` a file for what they print (`--v8-flags=--trace-gc`);
 * `--attach` runs a command on each server during the measured run only
 * (`{pid}` is the server's), stopped with SIGINT, so its figures cover that
 * run alone. `--figures` picks 1 KiB, 64 KiB, deflate by number.
 * Prints round trips per second, the server's CPU time per round trip (from
 * /proc), and Spindle's ratios to each peer (targets: ≥ 1.0x Deno.serve's
 * WebSocket, ≥ 1.5x ws).
 */
import { announce, cpuSeconds, option } from "./_util.ts";
import { reportRatio } from "./_report.ts";
import { serveHTTP } from "../protocols/http/mod.ts";
import { upgradeWebSocket } from "../protocols/websocket/mod.ts";

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

// The floor: a `Deno.Conn` loop that answers the upgrade and echoes frames
// (unmasked, one write each) with no Spindle layers, under the same load;
// what is left between it and Spindle is what Spindle's layers cost.
function serveRaw(): void {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  announce(listener.addr.port);
  (async () => {
    for await (const conn of listener) echoRaw(conn).catch(() => {});
  })();
}

async function echoRaw(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  let buffer = new Uint8Array(256 * 1024);
  let have = 0;
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buffer.subarray(have));
    if (n === null) return;
    have += n;
    head = new TextDecoder().decode(buffer.subarray(0, have));
  }
  const key = /sec-websocket-key: *(\S+)/i.exec(head)![1]!;
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
  );
  const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
  await conn.write(new TextEncoder().encode(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
      `Connection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  ));
  const used = head.indexOf("\r\n\r\n") + 4;
  buffer.copyWithin(0, used, have);
  have -= used;
  while (true) {
    let start = 0;
    while (have - start >= 6) {
      const b1 = buffer[start + 1]! & 0x7f;
      let offset = 2, length = b1;
      if (b1 === 126) {
        length = (buffer[start + 2]! << 8) | buffer[start + 3]!;
        offset = 4;
      } else if (b1 === 127) {
        if (have - start < 14) break;
        length = new DataView(buffer.buffer, start + 6, 4).getUint32(0);
        offset = 10;
      }
      if (have - start < offset + 4 + length) break;
      const out = new Uint8Array(offset + length);
      out.set(buffer.subarray(start, start + offset));
      out[1] = out[1]! & 0x7f;
      const mask = buffer.subarray(start + offset, start + offset + 4);
      const payload = start + offset + 4;
      for (let i = 0; i < length; i++) {
        out[offset + i] = buffer[payload + i]! ^ mask[i & 3]!;
      }
      start += offset + 4 + length;
      await conn.write(out);
    }
    buffer.copyWithin(0, start, have);
    have -= start;
    if (have === buffer.byteLength) {
      const bigger = new Uint8Array(buffer.byteLength * 2);
      bigger.set(buffer);
      buffer = bigger;
    }
    const n = await conn.read(buffer.subarray(have));
    if (n === null) return;
    have += n;
  }
}

// ---- the driver

interface Result {
  rate: number;
  /** Server CPU time per round trip, microseconds. */
  cpu: number;
}

const serverFlags = option("server-flags", "").split(" ").filter((s) =>
  s !== ""
);
const serverOut = option("server-out", "");

async function startServer(
  mode: string,
  deflate: boolean,
): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      ...serverFlags,
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
      // What the server prints after that (a `--trace-gc`, say) goes to
      // --server-out if given.
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        if (serverOut !== "") {
          Deno.writeTextFileSync(serverOut, value, { append: true });
        }
      }
    } catch { /* ended */ }
  })();
  return {
    port,
    pid: child.pid,
    async stop() {
      // With Deno flags (a profiler, say), a clean exit writes their output.
      child.kill(serverFlags.length > 0 ? "SIGTERM" : "SIGKILL");
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

// The load writes and parses frames itself on a raw `Deno.Conn`, the same
// for every server: any WebSocket client (Deno's, or Spindle's, which was
// 3 to 4 times faster) spent more CPU per round trip than the servers, so
// on a shared 2-core machine the client, not the server, set the pace.
// Every message is sent masked with one fixed key (servers unmask whatever
// key comes) and uncompressed (legal under permessage-deflate: RSV1 clear);
// the echo is counted when a final frame's last byte arrives.
async function openLane(port: number, deflate: boolean): Promise<Lane> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
    "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
    "Sec-WebSocket-Version: 13\r\n" +
    (deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "") +
    "\r\n";
  await conn.write(new TextEncoder().encode(request));
  const buffer = new Uint8Array(256 * 1024);
  let have = 0;
  let headEnd = -1;
  while (headEnd < 0) {
    const n = await conn.read(buffer.subarray(have));
    if (n === null) throw new Error("the server closed during the handshake");
    have += n;
    headEnd = new TextDecoder().decode(buffer.subarray(0, have)).indexOf(
      "\r\n\r\n",
    );
  }
  const head = new TextDecoder().decode(buffer.subarray(0, headEnd));
  if (!head.startsWith("HTTP/1.1 101")) {
    throw new Error(`the upgrade was refused: ${head.split("\r\n")[0]}`);
  }
  if (deflate && !/permessage-deflate/i.test(head)) {
    throw new Error("the server did not agree to permessage-deflate");
  }
  // Bytes after the response head belong to the first frames.
  buffer.copyWithin(0, headEnd + 4, have);
  let start = 0;
  have -= headEnd + 4;
  let frame: Uint8Array | null = null;
  let wake: () => void = () => {};
  // Parses whole frames from buffer[start..have); true when a final one ended.
  const parse = (): boolean => {
    let done = false;
    while (have - start >= 2) {
      const b0 = buffer[start]!, b1 = buffer[start + 1]! & 0x7f;
      let offset = 2, length = b1;
      if (b1 === 126) {
        if (have - start < 4) break;
        length = (buffer[start + 2]! << 8) | buffer[start + 3]!;
        offset = 4;
      } else if (b1 === 127) {
        if (have - start < 10) break;
        length = new DataView(buffer.buffer, start + 6, 4).getUint32(0);
        offset = 10;
      }
      if (have - start < offset + length) break;
      start += offset + length;
      if ((b0 & 0x80) !== 0 && (b0 & 0x0f) < 8) done = true;
    }
    // Keep the unparsed tail at the front (frames here fit the buffer).
    buffer.copyWithin(0, start, have);
    have -= start;
    start = 0;
    return done;
  };
  (async () => {
    try {
      while (true) {
        if (parse()) wake();
        const n = await conn.read(buffer.subarray(have));
        if (n === null) return;
        have += n;
      }
    } catch { /* closed */ }
  })();
  return {
    send: (data) => {
      frame ??= maskedFrame(data);
      conn.write(frame).catch(() => {});
    },
    next: () => new Promise((resolve) => wake = resolve),
    close: () => conn.close(),
  };
}

/** A masked binary frame of `payload` with a fixed key (see `openLane`). */
function maskedFrame(payload: Uint8Array): Uint8Array {
  const length = payload.byteLength;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = new Uint8Array(header + 4 + length);
  frame[0] = 0x82;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer, 6, 4).setUint32(0, length);
  }
  const key = [0x37, 0xfa, 0x21, 0x3d];
  frame.set(key, header);
  for (let i = 0; i < length; i++) {
    frame[header + 4 + i] = payload[i]! ^ key[i & 3]!;
  }
  return frame;
}

async function measure(
  mode: string,
  options: { size: number; conns: number; ms: number; deflate: boolean },
): Promise<Result> {
  const server = await startServer(mode, options.deflate);
  try {
    const lanes = await Promise.all(
      Array.from(
        { length: options.conns },
        () => openLane(server.port, options.deflate),
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
    const attached = attach(server.pid);
    const cpu0 = await cpuSeconds(server.pid);
    const t0 = performance.now();
    const count = await run(options.ms);
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = await cpuSeconds(server.pid);
    if (attached !== null) {
      attached.kill("SIGINT");
      await attached.status;
      console.log(`  (${mode}: ${count} round trips while attached)`);
    }
    for (const lane of lanes) lane.close();
    return { rate: count / seconds, cpu: ((cpu1 - cpu0) * 1e6) / count };
  } finally {
    await server.stop();
  }
}

/** Starts the `--attach` command on the server `pid`, if one was given. */
function attach(pid: number): Deno.ChildProcess | null {
  const command = option("attach", "").replaceAll("{pid}", String(pid))
    .split(" ").filter((s) => s !== "");
  if (command.length === 0) return null;
  return new Deno.Command(command[0]!, {
    args: command.slice(1),
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
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
      peers: ["spindle", "deno", "ws", "raw"],
    },
    {
      title: "64 KiB",
      size: 65536,
      deflate: false,
      peers: ["spindle", "deno", "ws", "raw"],
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
    raw: "raw floor",
  };
  // 1: 1 KiB, 2: 64 KiB, 3: 1 KiB with permessage-deflate.
  const chosen = option("figures", "1,2,3").split(",").map(Number);
  for (const figure of figures.filter((_, i) => chosen.includes(i + 1))) {
    console.log(`\n${figure.title}, ${conns} connections, echo round trips:`);
    const results = new Map<string, Result>();
    const peers = figure.peers.filter((peer) =>
      only.length === 0 || only.includes(peer)
    );
    // Round by round across the servers, not one server's rounds in a row:
    // load from elsewhere on a shared machine then falls on all of them.
    const runsOf = new Map<string, Result[]>(peers.map((peer) => [peer, []]));
    for (let i = 0; i < rounds; i++) {
      for (const peer of peers) {
        runsOf.get(peer)!.push(await measure(peer, { ...figure, conns, ms }));
      }
    }
    for (const peer of peers) {
      const runs = runsOf.get(peer)!;
      runs.sort((a, b) => a.rate - b.rate);
      const median = runs[Math.floor(runs.length / 2)]!;
      results.set(peer, median);
      console.log(
        `  ${names[peer]!.padEnd(11)} ${
          Math.round(median.rate).toString().padStart(8)
        } round trips/s  ${
          median.cpu.toFixed(1).padStart(7)
        } µs CPU/round trip${
          runs.length > 1
            ? ` (${runs.length} runs: ${Math.round(runs[0]!.rate)}-${
              Math.round(runs[runs.length - 1]!.rate)
            }/s)`
            : ""
        }`,
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
if (serve !== "") {
  // Stopped with SIGTERM when run under Deno flags: exit cleanly, so a
  // profiler's output is written.
  Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
}
if (serve === "spindle") await serveSpindle();
else if (serve === "deno") serveDeno();
else if (serve === "ws") await serveWs();
else if (serve === "raw") serveRaw();
else await drive();
