/**
 * Messages of 4 KiB accepted per second over 16 connections, each server
 * delivering to a maildir, in one run:
 * - Spindle (`serveSMTP` with `MaildirDelivery`),
 * - Twisted's ESMTP server (`/usr/bin/python3` with python3-twisted),
 * - aiosmtpd (python3-aiosmtpd),
 * - a raw Deno floor (`--floor`): the same dialogue answered minimally and
 *   the same file operations per message, to show what Deno itself costs.
 *
 * Run: deno run -A --unstable-net bench/smtp_bench.ts [--count N] [--seconds S] [--fsync]
 *   [--semi-space MIB]
 * Each server runs in its own process. The load (bench/smtp_load.c, built
 * at run time with `cc`) keeps 16 connections busy, each sending MAIL,
 * RCPT, DATA and the message one step at a time (no pipelining: aiosmtpd
 * and Twisted do not offer it), until N messages (default 20,000) or S
 * seconds (default 8) per server. The
 * servers' peak memory (VmHWM) is read from /proc. Without `--fsync` no
 * server flushes messages to disk (the default of Spindle's delivery is to
 * flush; this measures the servers, not the disk); with it, all do.
 * `--semi-space MIB` runs both Deno servers with V8's young generation
 * capped (`--v8-flags=--max-semi-space-size=MIB`): under sustained load V8
 * grows each semi-space up to 32 MiB, which is most of the peak RSS.
 */
import { reportRatio } from "./_report.ts";
import { announce, cpuSeconds, option } from "./_util.ts";
import { MailStore } from "../protocols/mail/mod.ts";
import { MaildirDelivery, serveSMTP } from "../protocols/smtp/mod.ts";

const here = new URL(".", import.meta.url).pathname;
const pythonServers = `${here}../tests/protocols/smtp/python_mail_servers.py`;
const CONNECTIONS = 16;
const fsync = Deno.args.includes("--fsync");
const semiSpace = option("semi-space", "");
const v8Flags = semiSpace === ""
  ? []
  : [`--v8-flags=--max-semi-space-size=${semiSpace}`];

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

// ---- the floor: the same dialogue and file operations, nothing else

// A raw Deno server that answers the bench's dialogue minimally (no
// parsing beyond the verb, no dot-unstuffing, no trace headers, no log)
// and delivers each message as Spindle's maildir does (open, write,
// [fsync,] close, rename): what Deno itself costs per message.
async function serveFloor(root: string): Promise<void> {
  const maildir = `${root}/alice`;
  for (const sub of ["tmp", "new", "cur"]) {
    Deno.mkdirSync(`${maildir}/${sub}`, { recursive: true });
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  announce(listener.addr.port);
  Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
  let counter = 0;
  const deliver = async (bytes: Uint8Array) => {
    const name = `${Date.now()}.P${Deno.pid}Q${++counter}.floor`;
    const file = Deno.openSync(`${maildir}/tmp/${name}`, {
      write: true,
      createNew: true,
      mode: 0o600,
    });
    for (let at = 0; at < bytes.length;) {
      at += file.writeSync(bytes.subarray(at));
    }
    if (fsync) await file.sync();
    file.close();
    Deno.renameSync(`${maildir}/tmp/${name}`, `${maildir}/new/${name}`);
  };
  for await (const conn of listener) floorSession(conn, deliver);
}

async function floorSession(
  conn: Deno.Conn,
  deliver: (bytes: Uint8Array) => Promise<void>,
): Promise<void> {
  const buffer = new Uint8Array(256 * 1024);
  let length = 0;
  let inData = false;
  let quit = false;
  try {
    await conn.write(encoder.encode("220 floor ESMTP\r\n"));
    while (!quit) {
      const n = await conn.read(buffer.subarray(length));
      if (n === null) break;
      length += n;
      let out = "";
      let at = 0;
      for (;;) {
        if (inData) {
          const end = messageEnd(buffer, at, length);
          if (end < 0) break;
          await deliver(buffer.subarray(at, end));
          out += "250 2.0.0 Ok\r\n";
          at = end + 3;
          inData = false;
          continue;
        }
        const lf = buffer.indexOf(10, at);
        if (lf < 0 || lf >= length) break;
        const verb = String.fromCharCode(...buffer.subarray(at, at + 4))
          .toUpperCase();
        at = lf + 1;
        if (verb === "EHLO") out += "250-floor\r\n250 PIPELINING\r\n";
        else if (verb === "DATA") {
          out += "354 Go ahead\r\n";
          inData = true;
        } else if (verb === "QUIT") {
          out += "221 Bye\r\n";
          quit = true;
          break;
        } else out += "250 Ok\r\n";
      }
      buffer.copyWithin(0, at, length);
      length -= at;
      if (out !== "") await conn.write(encoder.encode(out));
    }
  } catch {
    // The client left.
  } finally {
    conn.close();
  }
}

// Where the message ending at ".\r\n" after a CRLF starts its dot, from
// `from` (the message's first byte) on; -1 while it has not arrived.
function messageEnd(buffer: Uint8Array, from: number, length: number): number {
  for (let dot = buffer.indexOf(46, from); dot >= 0 && dot + 2 < length;) {
    if (
      dot >= from + 2 && buffer[dot - 1] === 10 && buffer[dot - 2] === 13 &&
      buffer[dot + 1] === 13 && buffer[dot + 2] === 10
    ) return dot;
    dot = buffer.indexOf(46, dot + 1);
  }
  return -1;
}

// ---- the driver: bench/smtp_load.c, built at run time with `cc`

const encoder = new TextEncoder();

async function buildLoad(dir: string): Promise<string> {
  const binary = `${dir}/smtp_load`;
  const cc = await new Deno.Command("cc", {
    args: ["-O2", "-o", binary, `${here}smtp_load.c`],
  }).output();
  if (!cc.success) {
    throw new Error(`cc failed: ${new TextDecoder().decode(cc.stderr)}`);
  }
  await Deno.writeFile(`${dir}/message.eml`, message());
  return binary;
}

async function drive(
  binary: string,
  port: number,
  count: number,
  seconds: number,
): Promise<{ messages: number; elapsed: number }> {
  const body = `${binary.slice(0, binary.lastIndexOf("/"))}/message.eml`;
  const output = await new Deno.Command(binary, {
    args: [
      String(port),
      String(CONNECTIONS),
      String(count),
      String(seconds * 1000),
      body,
    ],
    stderr: "inherit",
  }).output();
  const result = JSON.parse(new TextDecoder().decode(output.stdout));
  if (result.errors > 0) {
    throw new Error(
      `${result.errors} unexpected replies or dropped connections`,
    );
  }
  return { messages: result.messages, elapsed: result.seconds };
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
  const loadDir = await Deno.makeTempDir({ prefix: "spindle-smtp-load-" });
  const load = await buildLoad(loadDir);
  const servers = [
    {
      name: "Spindle serveSMTP",
      command: Deno.execPath(),
      args: (dir: string) => [
        "run",
        "-A",
        "--unstable-net",
        ...v8Flags,
        self,
        "--serve",
        dir,
        ...(fsync ? ["--fsync"] : []),
      ],
    },
    {
      name: "raw Deno floor",
      command: Deno.execPath(),
      args: (dir: string) => [
        "run",
        "-A",
        ...v8Flags,
        self,
        "--floor",
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
      await drive(load, started.port, 200, 1);
      const before = await cpuSeconds(started.child.pid);
      const run = await drive(load, started.port, count, seconds);
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
  await Deno.remove(loadDir, { recursive: true });
  console.log(
    `\nSMTP, 4 KiB messages over ${CONNECTIONS} connections, up to ${count} messages or ${seconds} s per server, maildir delivery${
      fsync ? " with fsync" : " without fsync"
    }${
      semiSpace === ""
        ? ""
        : `, Deno servers with --max-semi-space-size=${semiSpace}`
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
    reportRatio({
      bench: "smtp",
      figure: "SMTP, 4 KiB messages over 16 connections, maildir delivery",
      kind: "cpu",
      metric: "message accepted (the server's)",
      peer,
      ratio: other.cpuMicros / spindle.cpuMicros,
    });
  }
  console.log(
    `Spindle server peak memory: ${
      spindle.memory.toFixed(1)
    } MiB (target < 100 MiB)`,
  );
}

// --serve DIR runs the Spindle server alone, --floor DIR the raw Deno floor;
// --drive PORT drives a server already running (to profile one side at a
// time).
const serveDir = option("serve", "");
const floorDir = option("floor", "");
const drivePort = Number(option("drive", "0"));
if (serveDir !== "") await serveSpindle(serveDir);
else if (floorDir !== "") await serveFloor(floorDir);
else if (drivePort !== 0) {
  const loadDir = await Deno.makeTempDir({ prefix: "spindle-smtp-load-" });
  const load = await buildLoad(loadDir);
  const count = Number(option("count", "20000"));
  console.log(await drive(load, drivePort, count, 8));
  await Deno.remove(loadDir, { recursive: true });
} else await main();
