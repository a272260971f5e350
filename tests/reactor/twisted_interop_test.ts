import { assertEquals } from "../../trial/assertions.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { readAll } from "./_helpers.ts";
import { findPeer, PEERS } from "../_peers.ts";

const twisted = findPeer(PEERS.twisted);

const fixtures = new URL("../fixtures/reactor/", import.meta.url).pathname;
const SIZE = 1024 * 1024 + 17;

function payload(size: number): Uint8Array {
  return Uint8Array.from(
    { length: size },
    (_, i) => (i * 7 + Math.floor(i / 251)) % 256,
  );
}

Deno.test(
  "a Twisted echo client gets back everything from a Spindle stream-style server, across a half-close",
  {
    ignore: twisted.ignore,
  },
  async () => {
    const reactor = new DenoReactor();
    const port = await reactor.listenTCP(0, async (conn: Connection) => {
      await conn.readable.pipeTo(conn.writable);
    }, { interface: "127.0.0.1" });
    const { code, stdout, stderr } = await new Deno.Command(twisted.path, {
      args: [
        `${fixtures}twisted_echo_client.py`,
        String((port.getHost() as Deno.NetAddr).port),
        String(SIZE),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(code, 0, new TextDecoder().decode(stderr));
    assertEquals(new TextDecoder().decode(stdout), `${SIZE} ${SIZE} True\n`);
    await port.stopListening();
    await reactor.cleanUp();
  },
);

Deno.test(
  "a Spindle client gets back everything from a Twisted echo server, across a half-close",
  {
    ignore: twisted.ignore,
  },
  async () => {
    const reactor = new DenoReactor();
    const server = new Deno.Command(twisted.path, {
      args: [`${fixtures}twisted_echo_server.py`],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      const reader = server.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      let seen = "";
      while (!seen.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("the Twisted server exited early");
        seen += value;
      }
      await reader.cancel();
      const port = Number(/:(\d+)/.exec(seen)![1]);
      const conn = await reactor.connectTCP("127.0.0.1", port);
      const data = payload(SIZE);
      const sending = (async () => {
        for (let at = 0; at < data.length; at += 4000) {
          await conn.write(data.subarray(at, at + 4000));
        }
        await conn.closeWrite();
      })();
      const echoed = await readAll(() => conn.read());
      await sending;
      assertEquals(echoed.length, SIZE);
      assertEquals(echoed, data);
      await conn.closed;
    } finally {
      server.kill("SIGKILL");
      await server.status;
    }
  },
);
