/**
 * IMAP over a mailbox of 10,000 messages of 4 KiB, against, in one run and
 * on the same maildir:
 * - the Spindle server (`serveIMAP`, in a process of its own),
 * - Dovecot (Debian `dovecot-imapd`; C, with its own index files).
 *
 * Run: deno run -A --unstable-net bench/imap_bench.ts [--messages N] [--rounds R] [--json FILE]
 * One bounded client (a raw socket that counts bytes up to the tagged OK, so
 * neither server is measured through a client parser) logs in to each
 * server and times, R rounds (default 3), best round kept:
 * - SELECT INBOX after the first (the first builds the servers' lists);
 * - FETCH 1:* (FLAGS ENVELOPE);
 * - FETCH 1:* BODY.PEEK[].
 * The first FETCH of each kind is a warm-up (it fills Dovecot's cache file
 * and Spindle's envelope cache alike). It prints the ratios (Spindle's speed
 * over Dovecot's) and Spindle's peak memory (VmHWM).
 */
import { reportRatio } from "./_report.ts";
import { announce, option } from "./_util.ts";
import { checkerFromString } from "../cred/mod.ts";
import { serveIMAP } from "../protocols/imap/mod.ts";
import { deliverMessage, MailStore } from "../protocols/mail/mod.ts";
import { dovecotPeer, startDovecot } from "../tests/protocols/imap/_dovecot.ts";

const encoder = new TextEncoder();

async function serveSpindle(root: string, port: number): Promise<void> {
  const server = await serveIMAP(new MailStore(root), {
    listen: `tcp:${port}:interface=127.0.0.1`,
    checker: checkerFromString("memory:bench=pw"),
    allowInsecureAuth: true,
  });
  announce((server.addr as Deno.NetAddr).port);
}

function message(n: number): Uint8Array {
  const head =
    `From: Sender ${n} <sender${n}@example.org>\r\nTo: Bench <bench@example.test>\r\nCc: other${n}@example.net\r\nSubject: message number ${n} of the benchmark\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <${n}.bench@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n`;
  const line =
    "the quick brown fox jumps over the lazy dog, again and again.\r\n";
  let body = "";
  while (head.length + body.length + line.length <= 4096) body += line;
  body += "x".repeat(4096 - head.length - body.length - 2) + "\r\n";
  return encoder.encode(head + body);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

// A client that writes a command and counts the bytes up to its tagged OK.
class RawIMAP {
  #conn: Deno.TcpConn;
  #buffer = new Uint8Array(1 << 20);
  #tag = 0;
  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }
  static async connect(port: number): Promise<RawIMAP> {
    const client = new RawIMAP(
      await Deno.connect({ hostname: "127.0.0.1", port }),
    );
    await client.#until(encoder.encode("\r\n"), true);
    return client;
  }
  async command(text: string): Promise<{ ms: number; bytes: number }> {
    const tag = `Q${++this.#tag}X`;
    const start = performance.now();
    await this.#conn.write(encoder.encode(`${tag} ${text}\r\n`));
    const bytes = await this.#until(encoder.encode(`\r\n${tag} `), false);
    return { ms: performance.now() - start, bytes };
  }
  // Reads until `marker` (then the rest of its line); returns the bytes read.
  async #until(marker: Uint8Array, greeting: boolean): Promise<number> {
    let total = 0;
    // Every answer starts on a new line: the previous one ended with CRLF.
    let tail = encoder.encode("\r\n");
    let found = false;
    for (;;) {
      const n = await this.#conn.read(this.#buffer);
      if (n === null) throw new Error("the server closed the connection");
      total += n;
      const chunk = this.#buffer.subarray(0, n);
      const window = new Uint8Array(tail.length + chunk.length);
      window.set(tail);
      window.set(chunk, tail.length);
      const text = new TextDecoder("latin1").decode(window);
      const at = greeting ? 0 : text.indexOf(new TextDecoder().decode(marker));
      if (greeting || at >= 0 || found) {
        found = true;
        const from = Math.max(at, 0);
        const end = text.indexOf("\r\n", from + (greeting ? 0 : marker.length));
        if (end >= 0) {
          if (!greeting && !/^\r\n\S+ OK/.test(text.slice(at))) {
            throw new Error(`command failed: ${text.slice(at, end)}`);
          }
          return total;
        }
      }
      tail = window.slice(Math.max(0, window.length - 256));
    }
  }
  close(): void {
    this.#conn.close();
  }
}

async function vmHWM(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

async function measure(
  name: string,
  port: number,
  rounds: number,
): Promise<Record<string, number>> {
  const client = await RawIMAP.connect(port);
  await client.command("LOGIN bench pw");
  const first = await client.command("SELECT INBOX");
  const results: Record<string, number> = { "first SELECT": first.ms };
  const best = (key: string, ms: number) => {
    results[key] = Math.min(results[key] ?? Infinity, ms);
  };
  await client.command("FETCH 1:* (FLAGS ENVELOPE)");
  await client.command("FETCH 1:* BODY.PEEK[]");
  for (let round = 0; round < rounds; round++) {
    best("SELECT", (await client.command("SELECT INBOX")).ms);
    best(
      "FETCH 1:* (FLAGS ENVELOPE)",
      (await client.command("FETCH 1:* (FLAGS ENVELOPE)")).ms,
    );
    best(
      "FETCH 1:* BODY.PEEK[]",
      (await client.command("FETCH 1:* BODY.PEEK[]")).ms,
    );
  }
  await client.command("LOGOUT").catch(() => {});
  client.close();
  console.log(
    `${name}: ${
      Object.entries(results).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(
        ", ",
      )
    }`,
  );
  return results;
}

async function main(): Promise<void> {
  if (dovecotPeer.ignore) {
    console.warn("imap_bench skipped: dovecot-imapd is not installed");
    return;
  }
  const count = Number(option("messages", "10000"));
  const rounds = Number(option("rounds", "3"));
  const root = await Deno.makeTempDir({ prefix: "spindle-imap-bench-" });
  await Deno.chmod(root, 0o755);
  const store = new MailStore(root);
  await store.createMailboxes(["bench"]);
  const inbox = store.mailbox("bench");
  const started = performance.now();
  for (let n = 1; n <= count; n++) {
    await deliverMessage([inbox], message(n), { fsync: false });
  }
  console.log(
    `${count} messages of 4 KiB delivered in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );
  const dovecot = await startDovecot(root, { bench: "pw" });
  const port = freePort();
  const spindle = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      new URL(import.meta.url).pathname,
      "--serve",
      root,
      "--port",
      String(port),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = spindle.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  while (!text.includes("listening on")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the Spindle server exited before listening");
    text += value;
  }
  reader.releaseLock();
  spindle.stdout.cancel().catch(() => {});
  try {
    const ours = await measure("Spindle", port, rounds);
    const theirs = await measure("Dovecot", dovecot.port, rounds);
    const memory = await vmHWM(spindle.pid);
    console.log(`Spindle server peak memory (VmHWM): ${memory.toFixed(0)} MiB`);
    const json = option("json", "");
    const out: Record<string, number> = { spindleMemoryMiB: memory };
    for (
      const key of [
        "SELECT",
        "FETCH 1:* (FLAGS ENVELOPE)",
        "FETCH 1:* BODY.PEEK[]",
      ]
    ) {
      const ratio = theirs[key]! / ours[key]!;
      out[key] = ratio;
      console.log(`${key}: Spindle ${ratio.toFixed(2)}x Dovecot's speed`);
      reportRatio({
        bench: "imap",
        figure: `IMAP, ${count} messages of 4 KiB`,
        kind: "rate",
        metric: `${key} per second`,
        peer: "Dovecot",
        ratio,
      });
    }
    if (json !== "") {
      await Deno.writeTextFile(
        json,
        JSON.stringify({ ours, theirs, ...out }, null, 2),
      );
    }
  } finally {
    spindle.kill("SIGTERM");
    await spindle.status;
    await dovecot.stop();
    await Deno.remove(root, { recursive: true });
  }
}

const serveRoot = option("serve", "");
if (serveRoot !== "") {
  await serveSpindle(serveRoot, Number(option("port", "0")));
} else {
  await main();
}
