/**
 * Messages of 4 KiB accepted per second over 16 connections, each server
 * delivering to a maildir, in one run:
 * - Spindle (`serveSMTP` with `MaildirDelivery`),
 * - Twisted's ESMTP server (`/usr/bin/python3` with python3-twisted),
 * - aiosmtpd (python3-aiosmtpd).
 *
 * Run: deno run -A --unstable-net bench/smtp_bench.ts [--count N] [--seconds S] [--fsync]
 * Each server runs in its own process. The driver (this process) keeps 16
 * connections busy, each sending MAIL, RCPT, DATA and the message one step
 * at a time (no pipelining: aiosmtpd and Twisted do not offer it), until N
 * messages (default 20,000) or S seconds (default 8) per server. The
 * servers' peak memory (VmHWM) is read from /proc. Without `--fsync` no
 * server flushes messages to disk (the default of Spindle's delivery is to
 * flush; this measures the servers, not the disk); with it, all three do.
 */
import { reportRatio } from "./_report.ts";
import { announce, cpuSeconds, option } from "./_util.ts";
import { MailStore } from "../protocols/mail/mod.ts";
import { MaildirDelivery, serveSMTP } from "../protocols/smtp/mod.ts";

const here = new URL(".", import.meta.url).pathname;
const pythonServers = `${here}../tests/protocols/smtp/python_mail_servers.py`;
const CONNECTIONS = 16;
const fsync = Deno.args.includes("--fsync");

// ---- server mode (the benchmark runs itself as the Spindle server)

async function serveSpindle(root: string): Promise<void> {
  const store = new MailStore(root);
  await store.createMailboxes(["alice"]);
  const server = await serveSMTP(new MaildirDelivery(store, { fsync }), {
    listen: "tcp:0:interface=127.0.0.1",
    domains: ["example.test"],
    hostname: "bench.example.test",
    maxErrors: 1_000_000,
  });
  announce((server.addr as Deno.NetAddr).port);
  // An exit with an empty event loop, so that --cpu-prof writes its profile.
  const stop = () => {
    Deno.removeSignalListener("SIGTERM", stop);
    server.shutdown();
  };
  Deno.addSignalListener("SIGTERM", stop);
}

function message(): Uint8Array {
  let text = "From: bench@example.org\r\nTo: alice@example.test\r\n" +
    "Subject: benchmark\r\n\r\n";
  const line = `${
    "The quick brown fox jumps over the lazy dog. ".repeat(2)
  }\r\n`;
  while (text.length + line.length <= 4096 - 5) text += line;
  text += "x".repeat(4096 - 5 - text.length) + "\r\n.\r\n";
  return new TextEncoder().encode(text);
}

// ---- the driver

const encoder = new TextEncoder();

class Client {
  #conn: Deno.TcpConn;
  #buffer = "";
  #decoder = new TextDecoder();
  #chunk = new Uint8Array(4096);

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  // The code of the next whole reply (its last line is "ddd text").
  async reply(): Promise<number> {
    for (;;) {
      const match = /(?:^|\n)(\d{3}) [^\n]*\r\n/.exec(this.#buffer);
      if (match !== null) {
        this.#buffer = this.#buffer.slice(match.index + match[0].length);
        return Number(match[1]);
      }
      const n = await this.#conn.read(this.#chunk);
      if (n === null) throw new Error("the server closed the connection");
      this.#buffer += this.#decoder.decode(this.#chunk.subarray(0, n));
    }
  }

  async command(line: string | Uint8Array, expect: number): Promise<void> {
    const bytes = typeof line === "string" ? encoder.encode(line) : line;
    for (let written = 0; written < bytes.length;) {
      written += await this.#conn.write(bytes.subarray(written));
    }
    const code = await this.reply();
    if (code !== expect) throw new Error(`expected ${expect}, got ${code}`);
  }

  close(): void {
    this.#conn.close();
  }
}

async function drive(
  port: number,
  count: number,
  seconds: number,
): Promise<{ messages: number; elapsed: number }> {
  const body = message();
  let sent = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    const client = new Client(
      await Deno.connect({ hostname: "127.0.0.1", port }),
    );
    await client.reply();
    await client.command("EHLO bench.test\r\n", 250);
    while (sent < count && performance.now() < deadline) {
      sent++;
      await client.command("MAIL FROM:<bench@example.org>\r\n", 250);
      await client.command("RCPT TO:<alice@example.test>\r\n", 250);
      await client.command("DATA\r\n", 354);
      await client.command(body, 250);
    }
    await client.command("QUIT\r\n", 221).catch(() => {});
    client.close();
  }));
  return { messages: sent, elapsed: (performance.now() - started) / 1000 };
}

async function startServer(
  command: string,
  args: string[],
): Promise<{ child: Deno.ChildProcess; port: number }> {
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
    env: fsync ? { SPINDLE_BENCH_FSYNC: "1" } : {},
  }).spawn();
  const output = child.stdout.pipeThrough(new TextDecoderStream());
  const reader = output.getReader();
  let text = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 15_000);
  let match: RegExpExecArray | null = null;
  while (
    (match = /(?:listening on 127\.0\.0\.1:|PORT )(\d+)/.exec(text)) === null
  ) {
    const { value, done } = await reader.read();
    if (done) {
      clearTimeout(deadline);
      throw new Error(`${command} ${args.join(" ")} exited before listening`);
    }
    text += value;
  }
  clearTimeout(deadline);
  reader.releaseLock();
  // Drained, so that a server logging each message never waits on the pipe.
  output.pipeTo(new WritableStream()).catch(() => {});
  return { child, port: Number(match[1]) };
}

async function peakMemoryMiB(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  const count = Number(option("count", "20000"));
  const seconds = Number(option("seconds", "8"));
  const self = new URL(import.meta.url).pathname;
  const servers = [
    {
      name: "Spindle serveSMTP",
      command: Deno.execPath(),
      args: (dir: string) => [
        "run",
        "-A",
        "--unstable-net",
        self,
        "--serve",
        dir,
        ...(fsync ? ["--fsync"] : []),
      ],
    },
    {
      name: "Twisted ESMTP",
      command: "/usr/bin/python3",
      args: (dir: string) => [pythonServers, "twisted", `${dir}/alice`],
    },
    {
      name: "aiosmtpd",
      command: "/usr/bin/python3",
      args: (dir: string) => [pythonServers, "aiosmtpd", `${dir}/alice`],
    },
  ];
  const results: Record<
    string,
    { rate: number; messages: number; cpuMicros: number; memory: number }
  > = {};
  for (const server of servers) {
    const dir = await Deno.makeTempDir({ prefix: "spindle-smtp-bench-" });
    let started: { child: Deno.ChildProcess; port: number } | undefined;
    try {
      started = await startServer(server.command, server.args(dir));
      // A short warm-up (JIT, first files), then the measured run.
      await drive(started.port, 200, 1);
      const before = await cpuSeconds(started.child.pid);
      const run = await drive(started.port, count, seconds);
      const cpu = await cpuSeconds(started.child.pid) - before;
      results[server.name] = {
        rate: run.messages / run.elapsed,
        messages: run.messages,
        cpuMicros: cpu * 1e6 / run.messages,
        memory: await peakMemoryMiB(started.child.pid),
      };
    } catch (error) {
      console.warn(`${server.name} skipped: ${(error as Error).message}`);
    } finally {
      if (started !== undefined) {
        started.child.kill("SIGTERM");
        await started.child.status;
      }
      await Deno.remove(dir, { recursive: true });
    }
  }
  console.log(
    `\nSMTP, 4 KiB messages over ${CONNECTIONS} connections, up to ${count} messages or ${seconds} s per server, maildir delivery${
      fsync ? " with fsync" : " without fsync"
    }\n`,
  );
  console.log(
    "server                 messages/s  messages  CPU µs/message  peak RSS MiB",
  );
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(21)}  ${r.rate.toFixed(0).padStart(10)}  ${
        String(r.messages).padStart(8)
      }  ${r.cpuMicros.toFixed(0).padStart(14)}  ${
        r.memory.toFixed(1).padStart(12)
      }`,
    );
  }
  const spindle = results["Spindle serveSMTP"];
  if (spindle === undefined) return;
  for (
    const [peer, target] of [["Twisted ESMTP", 3], ["aiosmtpd", 2]] as const
  ) {
    const other = results[peer];
    if (other === undefined) continue;
    const ratio = spindle.rate / other.rate;
    console.log(
      `Spindle / ${peer}: ${
        ratio.toFixed(2)
      }x messages/s (target >= ${target}x); CPU per message ${
        (other.cpuMicros / spindle.cpuMicros).toFixed(2)
      }x less`,
    );
    reportRatio({
      bench: "smtp",
      figure: "SMTP, 4 KiB messages over 16 connections, maildir delivery",
      kind: "rate",
      metric: "messages accepted per second",
      peer,
      ratio,
    });
  }
  console.log(
    `Spindle server peak memory: ${
      spindle.memory.toFixed(1)
    } MiB (target < 100 MiB)`,
  );
}

// --serve DIR runs the Spindle server alone; --drive PORT drives a server
// already running (to profile one side at a time).
const serveDir = option("serve", "");
const drivePort = Number(option("drive", "0"));
if (serveDir !== "") await serveSpindle(serveDir);
else if (drivePort !== 0) {
  console.log(await drive(drivePort, Number(option("count", "20000")), 8));
} else await main();
