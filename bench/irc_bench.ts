/**
 * IRC fan-out: 200 clients in one channel, 20 of them sending, counting the
 * messages delivered per second to all members, against, in one run and on
 * the same load:
 * - the Spindle IRC server (`serveIRC`, input flood protection off),
 * - ngIRCd (Debian `ngircd`, a C server; penalties off, no per-address cap).
 *
 * Run: deno run -A --unstable-net bench/irc_bench.ts [--clients N] [--senders N] [--seconds S] [--rounds R] [--window W]
 * Each server runs in its own process, both started up front. In each of R
 * rounds (default 2) the load runs S seconds (default 5) against each server
 * in turn: every sender keeps at most W messages (default 10) in flight, a
 * message counting as delivered to the channel once the last member (which
 * does not send) has read it. Every member reads all it is sent; the score
 * is the lines all members read per second, best round, and the server's CPU
 * time per delivered message over all rounds.
 */
import { reportRatio } from "./_report.ts";
import { announce, cpuSeconds, option } from "./_util.ts";
import { serveIRC } from "../protocols/irc/mod.ts";

const CHANNEL = "#bench";

// ---- the load

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

const encoder = new TextEncoder();
const NEWLINE = 10;

/** One member: a raw socket that reads everything, counting lines. */
class Member {
  readonly conn: Deno.TcpConn;
  lines = 0;
  #text = "";
  #textMode = true;
  #onLine: ((line: string) => void) | undefined;
  closed: Promise<void>;

  constructor(conn: Deno.TcpConn, onLine?: (line: string) => void) {
    this.conn = conn;
    this.#onLine = onLine;
    this.closed = this.#read();
  }

  async #read(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const n = await this.conn.read(buffer);
        if (n === null) return;
        const chunk = buffer.subarray(0, n);
        for (
          let i = chunk.indexOf(NEWLINE);
          i >= 0;
          i = chunk.indexOf(NEWLINE, i + 1)
        ) {
          this.lines++;
        }
        if (this.#textMode || this.#onLine !== undefined) {
          this.#text += decoder.decode(chunk, { stream: true });
          const lines = this.#text.split("\r\n");
          this.#text = lines.pop()!;
          for (const line of lines) this.#line(line);
        }
      }
    } catch {
      // Closed by the benchmark.
    }
  }

  #waiting: { pattern: string; resolve: () => void } | undefined;

  #line(line: string): void {
    if (line.startsWith("PING ")) {
      this.send(`PONG ${line.slice(5)}`);
      return;
    }
    this.#onLine?.(line);
    if (this.#waiting !== undefined && line.includes(this.#waiting.pattern)) {
      const { resolve } = this.#waiting;
      this.#waiting = undefined;
      resolve();
    }
  }

  /** Resolves at the first line holding `pattern` (while lines are parsed). */
  waitFor(pattern: string): Promise<void> {
    return new Promise((resolve) => this.#waiting = { pattern, resolve });
  }

  /** Stops parsing lines (only counting them), once set up. */
  countOnly(): void {
    this.#textMode = false;
  }

  send(line: string): void {
    this.conn.write(encoder.encode(`${line}\r\n`)).catch(() => {});
  }
}

async function join(
  port: number,
  nick: string,
  onLine?: (line: string) => void,
) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const member = new Member(conn, onLine);
  const joined = member.waitFor(` 366 ${nick} `);
  member.send(`NICK ${nick}`);
  member.send(`USER ${nick} 0 * :bench`);
  member.send(`JOIN ${CHANNEL}`);
  await joined;
  return member;
}

interface Round {
  delivered: number;
  seconds: number;
  cpuMicros: number;
}

async function load(
  port: number,
  pid: number,
  clients: number,
  senders: number,
  seconds: number,
  window: number,
): Promise<Round> {
  const acked = new Array<number>(senders).fill(0);
  const wake = new Array<(() => void) | undefined>(senders);
  // The last member, not a sender, is the probe that acknowledges.
  const probe = (line: string) => {
    const at = line.indexOf(" :s");
    if (at < 0) return;
    const space = line.indexOf(" ", at + 3);
    const id = Number(line.slice(at + 3, space));
    acked[id] = Number(line.slice(space + 1, line.indexOf(" ", space + 1)));
    const resume = wake[id];
    wake[id] = undefined;
    resume?.();
  };
  const members: Member[] = [];
  const tag = Math.random().toString(36).slice(2, 6);
  // In batches of 20, so the servers see bursts, not one stampede.
  for (let start = 0; start < clients; start += 20) {
    const batch: Promise<Member>[] = [];
    for (let i = start; i < Math.min(clients, start + 20); i++) {
      batch.push(
        join(port, `b${tag}${i}`, i === clients - 1 ? probe : undefined),
      );
    }
    members.push(...await Promise.all(batch));
  }
  for (const member of members.slice(0, -1)) member.countOnly();
  const padding = "x".repeat(40);
  let running = true;
  const sent = new Array<number>(senders).fill(0);
  const senderLoop = async (id: number) => {
    const member = members[id]!;
    while (running) {
      const room = window - (sent[id]! - acked[id]!);
      if (room <= 0) {
        await new Promise<void>((resolve) => wake[id] = resolve);
        continue;
      }
      let text = "";
      for (let k = 0; k < room; k++) {
        text += `PRIVMSG ${CHANNEL} :s${id} ${++sent[id]!} ${padding}\r\n`;
      }
      await member.conn.write(encoder.encode(text));
    }
  };
  const before = members.reduce((n, m) => n + m.lines, 0);
  const cpuBefore = await cpuSeconds(pid);
  const started = performance.now();
  const loops = Array.from({ length: senders }, (_, id) => senderLoop(id));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - started) / 1000;
  const delivered = members.reduce((n, m) => n + m.lines, 0) - before;
  const cpu = await cpuSeconds(pid) - cpuBefore;
  running = false;
  for (const resume of wake) resume?.();
  await Promise.allSettled(loops);
  for (const member of members) {
    member.send("QUIT");
    try {
      member.conn.close();
    } catch {
      // Closed by the server already.
    }
  }
  await Promise.all(members.map((m) => m.closed));
  return { delivered, seconds: elapsed, cpuMicros: cpu * 1e6 / delivered };
}

async function startSpindle(port: number): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      new URL(import.meta.url).pathname,
      "--serve",
      "spindle",
      "--port",
      String(port),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("listening on")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the Spindle server exited before listening");
    text += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return child;
}

async function startNgircd(port: number, dir: string) {
  const config = `${dir}/ngircd.conf`;
  await Deno.writeTextFile(
    config,
    [
      "[Global]",
      "Name = irc.ngircd.bench",
      "Info = Spindle bench",
      "Listen = 127.0.0.1",
      `Ports = ${port}`,
      "MotdPhrase = bench",
      "[Limits]",
      "MaxConnectionsIP = 0",
      "MaxPenaltyTime = 0",
      "PingTimeout = 600",
      "[Options]",
      "PAM = no",
      "DNS = no",
      "Ident = no",
      "",
    ].join("\n"),
  );
  const child = new Deno.Command("ngircd", {
    args: ["-n", "-f", config],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let attempt = 0;; attempt++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return child;
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function main(): Promise<void> {
  const clients = Number(option("clients", "200"));
  const senders = Number(option("senders", "20"));
  const seconds = Number(option("seconds", "5"));
  const rounds = Number(option("rounds", "2"));
  const window = Number(option("window", "10"));
  const dir = await Deno.makeTempDir({ prefix: "irc-bench-" });
  const servers: { name: string; port: number; child: Deno.ChildProcess }[] =
    [];
  try {
    const spindlePort = freePort();
    servers.push({
      name: "Spindle serveIRC",
      port: spindlePort,
      child: await startSpindle(spindlePort),
    });
    const ngircdPort = freePort();
    try {
      servers.push({
        name: "ngIRCd",
        port: ngircdPort,
        child: await startNgircd(ngircdPort, dir),
      });
    } catch (error) {
      console.warn(`ngIRCd skipped (apt-get install ngircd): ${error}`);
    }
    const runs: Record<string, Round[]> = {};
    for (let round = 0; round < rounds; round++) {
      for (const server of servers) {
        const run = await load(
          server.port,
          server.child.pid,
          clients,
          senders,
          seconds,
          window,
        );
        (runs[server.name] ??= []).push(run);
        console.log(
          `round ${round + 1} ${server.name}: ${
            Math.round(run.delivered / run.seconds)
          } messages/s delivered, ${run.cpuMicros.toFixed(2)} µs CPU each`,
        );
      }
    }
    const results = Object.entries(runs).map(([name, list]) => {
      const rate = Math.max(...list.map((r) => r.delivered / r.seconds));
      const delivered = list.reduce((n, r) => n + r.delivered, 0);
      const cpu = list.reduce((n, r) => n + r.cpuMicros * r.delivered, 0);
      return { name, rate, cpuMicros: cpu / delivered };
    });
    console.log(
      `\nIRC fan-out: ${clients} clients in ${CHANNEL}, ${senders} sending (window ${window}), best of ${rounds} rounds of ${seconds} s\n`,
    );
    console.log("server              delivered/s   CPU µs/delivered");
    for (const r of results) {
      console.log(
        `${r.name.padEnd(18)}  ${r.rate.toFixed(0).padStart(11)}   ${
          r.cpuMicros.toFixed(2).padStart(16)
        }`,
      );
    }
    const [ours, theirs] = results;
    if (ours !== undefined && theirs !== undefined) {
      const rate = ours.rate / theirs.rate;
      const cpu = theirs.cpuMicros / ours.cpuMicros;
      console.log(
        `\nSpindle / ngIRCd: ${
          rate.toFixed(2)
        }x the deliveries per second; CPU per delivered message, ngIRCd's over Spindle's: ${
          cpu.toFixed(2)
        }x (above 1: Spindle uses less)`,
      );
      const figure = `IRC fan-out, ${clients} clients, ${senders} senders`;
      reportRatio({
        bench: "irc",
        figure,
        kind: "rate",
        metric: "messages delivered per second",
        peer: "ngIRCd",
        ratio: rate,
      });
      reportRatio({
        bench: "irc",
        figure,
        kind: "cpu",
        metric: "delivered message",
        peer: "ngIRCd",
        ratio: cpu,
      });
    }
  } finally {
    for (const { child } of servers) {
      child.kill("SIGTERM");
      await child.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
}

// ---- the Spindle server mode (the benchmark runs itself as it), or the benchmark

const mode = option("serve", "");
if (mode === "spindle") {
  const running = await serveIRC({
    listen: `tcp:${option("port", "0")}:interface=127.0.0.1`,
    name: "irc.spindle.bench",
    // The senders flood on purpose; ngIRCd runs with its penalties off too.
    floodBurst: Infinity,
    pingInterval: 600_000,
  });
  announce((running.addr as Deno.NetAddr).port);
} else {
  await main();
}
