// Interoperability with Twisted's own receivers (/usr/bin/python3 with Debian's
// python3-twisted): Spindle clients against Twisted echo servers, and a
// Twisted LineReceiver client against a Spindle LineReceiver server.
import { assertEquals, test } from "../../../trial/mod.ts";
import type { Codec } from "../../../reactor/codec.ts";
import {
  frame,
  LengthPrefixedCodec,
  LineCodec,
  LineReceiver,
  NetstringCodec,
} from "../../../protocols/basic/mod.ts";
import { Factory } from "../../../reactor/factory.ts";
import type { DenoReactor } from "../../../reactor/deno_reactor.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const peer = new URL("./fixtures/twisted_basic_peer.py", import.meta.url)
  .pathname;
const twisted = findPeer(PEERS.twisted);

async function startTwistedServers(): Promise<{
  ports: Record<string, number>;
  stop(): Promise<void>;
}> {
  const child = new Deno.Command(twisted.path, {
    args: [peer, "serve"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const ports = Object.fromEntries(
    text.trim().split(" ").map((pair) => {
      const [name, port] = pair.split("=");
      return [name as string, Number(port)];
    }),
  );
  return {
    ports,
    async stop() {
      await child.stdin.close();
      await reader.cancel();
      await child.status;
    },
  };
}

async function echoThrough<M>(
  reactor: DenoReactor,
  port: number,
  codec: Codec<M, string | Uint8Array>,
  messages: string[],
): Promise<M[]> {
  const conn = await reactor.connectTCP("127.0.0.1", port);
  const framed = frame(conn, codec);
  const writer = framed.writable.getWriter();
  for (const message of messages) await writer.write(message);
  const reader = framed.readable.getReader();
  const got: M[] = [];
  while (got.length < messages.length) {
    const { value, done } = await reader.read();
    if (done) break;
    got.push(value);
  }
  reader.releaseLock();
  writer.releaseLock();
  await conn.close();
  return got;
}

const bytes = (text: string) => new TextEncoder().encode(text);

test(
  "Spindle framings round-trip through Twisted's echo receivers",
  async (t) => {
    const twisted = await startTwistedServers();
    t.addCleanup(() => twisted.stop());
    const { line, netstring, int8, int16, int32 } = twisted.ports as Record<
      string,
      number
    >;

    const lines = ["hello", "", "héllo wörld", "x".repeat(10000)];
    assertEquals(
      await echoThrough(t.reactor, line as number, new LineCodec(), lines),
      lines,
    );

    const strings = ["a", "", "3:abc,", "é".repeat(1000)];
    assertEquals(
      await echoThrough(
        t.reactor,
        netstring as number,
        new NetstringCodec(),
        strings,
      ),
      strings.map(bytes),
    );
    for (
      const [port, prefixLength, size] of [
        [int8, 1, 255],
        [int16, 2, 65535],
        [int32, 4, 70000],
      ] as const
    ) {
      const payloads = ["", "ab", "z".repeat(size)];
      assertEquals(
        await echoThrough(
          t.reactor,
          port as number,
          new LengthPrefixedCodec({ prefixLength, maxLength: 1 << 20 }),
          payloads,
        ),
        payloads.map(bytes),
      );
    }
  },
  { ignore: twisted.ignore },
);

class RawEcho extends LineReceiver {
  #rawLeft = 0;
  #raw: number[] = [];
  override lineReceived(line: string): void {
    const raw = /^RAW (\d+)$/.exec(line);
    if (raw) {
      this.#rawLeft = Number(raw[1]);
      this.setRawMode();
    } else this.sendLine(`echo:${line}`);
  }
  override rawDataReceived(data: Uint8Array): void {
    const take = Math.min(this.#rawLeft, data.length);
    this.#raw.push(...data.subarray(0, take));
    this.#rawLeft -= take;
    if (this.#rawLeft === 0) {
      this.sendLine(
        `raw:${
          JSON.stringify(new TextDecoder().decode(new Uint8Array(this.#raw)))
        }`,
      );
      this.setLineMode(data.subarray(take));
    }
  }
}

test(
  "a Twisted LineReceiver client talks to a Spindle LineReceiver that switches to raw mode",
  async (t) => {
    const port = await t.reactor.listenTCP(0, Factory.forProtocol(RawEcho), {
      interface: "127.0.0.1",
    });
    t.addCleanup(() => port.stopListening());
    const output = await new Deno.Command(twisted.path, {
      args: [peer, "client", String((port.getHost() as Deno.NetAddr).port)],
      stdout: "piped",
    }).output();
    assertEquals(JSON.parse(new TextDecoder().decode(output.stdout)), [
      "echo:hello",
      'raw:"ab\\r\\nc"',
      "echo:after é",
    ]);
  },
  { ignore: twisted.ignore },
);
