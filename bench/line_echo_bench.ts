/**
 * Line-echo round trips over loopback TCP, one server process at a time under
 * the same bounded load (bench/echo_load.c, built at run time with `cc`, each
 * message a 1 KiB line ending in CRLF), in one run:
 * - raw: a `Deno.Conn` read/write loop that runs `LineDecoderCore` and
 *   `LineEncoderCore` by hand (the ceiling for this codec);
 * - stream: `frame(conn, new LineCodec())` and `readable.pipeTo(writable)`;
 * - stream, for await: `for await (const line of readable) writer.write(line)`;
 * - web streams: `conn.readable.pipeThrough(new LineDecoder())
 *   .pipeThrough(new LineEncoder()).pipeTo(conn.writable)`;
 * - LineReceiver: a Twisted-style `LineReceiver` that calls `sendLine`;
 * - for reference, what the layers below cost: the raw loop on a Spindle
 *   Connection's `read()`/`write()` (connection-loop), and a `Protocol` that
 *   echoes bytes without decoding lines (protocol-bytes);
 * - Twisted: Twisted's own `LineReceiver` echo (`/usr/bin/python3`).
 *
 * Run: deno run -A --unstable-net bench/line_echo_bench.ts
 *        [--conns N] [--size BYTES] [--ms MS] [--rounds R] [--json FILE]
 * Prints each server's best round (round trips per second) and its ratio to
 * the raw loop.
 */
import { reportRatio } from "./_report.ts";
import { announce, option } from "./_util.ts";
import {
  frame,
  LineCodec,
  LineDecoder,
  LineDecoderCore,
  LineEncoder,
  LineEncoderCore,
  LineReceiver,
} from "../protocols/basic/mod.ts";
import { Factory, Protocol, reactor } from "../reactor/mod.ts";

const here = new URL(".", import.meta.url).pathname;

// ---- server modes (the benchmark runs itself as each server)

async function serveRaw(): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  announce((listener.addr as Deno.NetAddr).port);
  for await (const conn of listener) {
    (async () => {
      conn.setNoDelay(true);
      const decoder = new LineDecoderCore();
      const encoder = new LineEncoderCore();
      const lines: string[] = [];
      const buffer = new Uint8Array(64 * 1024);
      try {
        for (;;) {
          const n = await conn.read(buffer);
          if (n === null) break;
          decoder.decode(buffer.subarray(0, n), lines);
          for (const line of lines) {
            const bytes = encoder.encode(line);
            for (let at = 0; at < bytes.length;) {
              at += await conn.write(bytes.subarray(at));
            }
          }
          lines.length = 0;
        }
      } catch {
        // The load generator closes connections without ceremony.
      }
      conn.close();
    })();
  }
}

async function serveSpindle(
  handler: Parameters<typeof reactor.listenTCP>[1],
): Promise<void> {
  const port = await reactor.listenTCP(0, handler, { interface: "127.0.0.1" });
  announce((port.getHost() as Deno.NetAddr).port);
}

class EchoReceiver extends LineReceiver {
  override lineReceived(line: string): void {
    this.sendLine(line);
  }
}

class EchoBytes extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

const servers: Record<string, () => Promise<void>> = {
  raw: serveRaw,
  // The same loop as raw, on a Spindle Connection's read()/write(): what the
  // connection itself costs, before any framing.
  "connection-loop": () =>
    serveSpindle(async (conn) => {
      conn.setNoDelay(true);
      const decoder = new LineDecoderCore();
      const encoder = new LineEncoderCore();
      const lines: string[] = [];
      try {
        for (;;) {
          const chunk = await conn.read();
          if (chunk === null) break;
          decoder.decode(chunk, lines);
          for (const line of lines) await conn.write(encoder.encode(line));
          lines.length = 0;
        }
      } catch {
        // As above: connections end abruptly.
      }
      await conn.close();
    }),
  stream: () =>
    serveSpindle(async (conn) => {
      conn.setNoDelay(true);
      const { readable, writable } = frame(conn, new LineCodec());
      await readable.pipeTo(writable).catch(() => {});
      await conn.close();
    }),
  "stream-for-await": () =>
    serveSpindle(async (conn) => {
      conn.setNoDelay(true);
      const { readable, writable } = frame(conn, new LineCodec());
      const writer = writable.getWriter();
      try {
        for await (const line of readable) await writer.write(line);
      } catch {
        // As above: connections end abruptly.
      }
      await conn.close();
    }),
  "web-streams": () =>
    serveSpindle(async (conn) => {
      conn.setNoDelay(true);
      await conn.readable
        .pipeThrough(new LineDecoder())
        .pipeThrough(new LineEncoder())
        .pipeTo(conn.writable)
        .catch(() => {});
      await conn.close();
    }),
  "line-receiver": () => serveSpindle(Factory.forProtocol(EchoReceiver)),
  // A Protocol that echoes bytes without decoding lines: what the Twisted-style
  // transport itself costs.
  "protocol-bytes": () => serveSpindle(Factory.forProtocol(EchoBytes)),
};

const TWISTED = `
import sys
from twisted.internet import reactor, protocol
from twisted.protocols.basic import LineReceiver
class Echo(LineReceiver):
    MAX_LENGTH = 16384
    def connectionMade(self):
        self.transport.setTcpNoDelay(True)
    def lineReceived(self, line):
        self.sendLine(line)
factory = protocol.Factory.forProtocol(Echo)
port = reactor.listenTCP(0, factory, interface="127.0.0.1")
print("listening on 127.0.0.1:%d" % port.getHost().port, flush=True)
reactor.run()
`;

const mode = option("serve", "");
if (mode !== "") {
  const serve = servers[mode];
  if (serve === undefined) throw new Error(`unknown server ${mode}`);
  await serve();
} else {
  await main();
}

// ---- the benchmark

async function buildLoad(dir: string): Promise<string> {
  const source = await Deno.readTextFile(`${here}echo_load.c`);
  const fill = "memset(out, 'x', size);";
  if (!source.includes(fill)) {
    throw new Error(
      "bench/echo_load.c changed: cannot make its messages lines",
    );
  }
  // Each message becomes one line: the same bytes, ending in CRLF.
  const patched = source.replace(
    fill,
    `${fill} out[size - 2] = '\\r'; out[size - 1] = '\\n';`,
  );
  await Deno.writeTextFile(`${dir}/line_load.c`, patched);
  const binary = `${dir}/line_load`;
  const cc = await new Deno.Command("cc", {
    args: ["-O2", "-o", binary, `${dir}/line_load.c`],
  }).output();
  if (!cc.success) {
    throw new Error(`cc failed: ${new TextDecoder().decode(cc.stderr)}`);
  }
  return binary;
}

interface Load {
  trips: number;
  seconds: number;
  errors: number;
}

async function measure(
  command: Deno.Command,
  load: string,
  args: string[],
): Promise<Load> {
  const server = command.spawn();
  const lines = server.stdout.pipeThrough(new LineDecoder({ delimiter: "\n" }));
  const reader = lines.getReader();
  try {
    let port = 0;
    while (port === 0) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the server exited before listening");
      const match = /^listening on [^:]+:(\d+)$/.exec(value);
      if (match) port = Number(match[1]);
    }
    const output = await new Deno.Command(load, {
      args: [String(port), ...args],
      stdout: "piped",
    }).output();
    return JSON.parse(new TextDecoder().decode(output.stdout));
  } finally {
    reader.releaseLock();
    server.kill("SIGKILL");
    await server.status;
    await lines.cancel().catch(() => {});
  }
}

async function main(): Promise<void> {
  const conns = option("conns", "64");
  const size = option("size", "1024");
  const ms = option("ms", "1500");
  const rounds = Number(option("rounds", "3"));
  const dir = await Deno.makeTempDir({ prefix: "line_echo_bench" });
  const results: Record<string, Load | string> = {};
  try {
    const loadBinary = await buildLoad(dir);
    const self = new URL(import.meta.url).pathname;
    const commands: [string, Deno.Command][] = Object.keys(servers).map((
      name,
    ) => [
      name,
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--unstable-net", self, "--serve", name],
        stdout: "piped",
        stderr: "inherit",
      }),
    ]);
    commands.push([
      "twisted",
      new Deno.Command("/usr/bin/python3", {
        args: ["-c", TWISTED],
        stdout: "piped",
        stderr: "inherit",
      }),
    ]);
    console.log(
      `line echo: ${conns} connections, ${size}-byte lines, ${ms} ms per server and round, ${rounds} rounds`,
    );
    // Rounds alternate between the servers so that load from elsewhere on the
    // machine hits them alike; each server's best round is reported.
    for (let round = 0; round < rounds; round++) {
      for (const [name, command] of commands) {
        try {
          const load = await measure(command, loadBinary, [
            conns,
            size,
            ms,
            "300",
          ]);
          const best = results[name];
          if (
            typeof best !== "object" ||
            load.trips / load.seconds > best.trips / best.seconds
          ) results[name] = load;
        } catch (error) {
          results[name] ??= String(error);
        }
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const raw = results.raw;
  const rawRate = typeof raw === "object" ? raw.trips / raw.seconds : NaN;
  console.log("\nserver               trips/s   errors   vs raw loop");
  for (const [name, result] of Object.entries(results)) {
    if (typeof result === "string") {
      console.log(`${name.padEnd(18)} failed: ${result}`);
      continue;
    }
    const rate = result.trips / result.seconds;
    console.log(
      `${name.padEnd(18)} ${rate.toFixed(0).padStart(9)} ${
        String(result.errors).padStart(8)
      }   ${(rate / rawRate).toFixed(2)}x`,
    );
  }
  // Spindle's ways against the ceiling and against Twisted, for the report.
  const peers = { "a raw Deno.Conn line loop": raw, Twisted: results.twisted };
  const ways = {
    "web-streams": "conn.readable.pipeThrough(new LineDecoder())",
    stream: "frame(conn, new LineCodec()) piped",
    "line-receiver": "a Twisted-style LineReceiver",
  };
  for (const [name, way] of Object.entries(ways)) {
    const ours = results[name];
    for (const [peer, theirs] of Object.entries(peers)) {
      if (typeof ours !== "object" || typeof theirs !== "object") continue;
      reportRatio({
        bench: "line_echo",
        figure: `Line echo, ${conns} connections, ${size}-byte lines: ${way}`,
        kind: "rate",
        metric: "round trips per second",
        peer,
        ratio: (ours.trips / ours.seconds) / (theirs.trips / theirs.seconds),
      });
    }
  }
  const json = option("json", "");
  if (json !== "") {
    await Deno.writeTextFile(
      json,
      JSON.stringify({ bench: "line_echo_bench", results }, null, 2) + "\n",
    );
  }
}
