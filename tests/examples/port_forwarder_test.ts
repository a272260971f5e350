/**
 * Smoke test for examples/port_forwarder.ts: 4 MiB go through the forwarder
 * to an echo server and come back intact, read slowly at first (so that
 * backpressure holds the sender), with a half-close passed through.
 */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

const SIZE = 4 * 1024 * 1024;

async function echo(listener: Deno.Listener): Promise<void> {
  for await (const conn of listener) {
    // Echo until end of input, then close: needs the forwarder to pass the
    // client's half-close on, or this never ends.
    (async () => {
      const buffer = new Uint8Array(64 * 1024);
      let n: number | null;
      while ((n = await conn.read(buffer)) !== null) {
        let offset = 0;
        while (offset < n) {
          offset += await conn.write(buffer.subarray(offset, n));
        }
      }
      conn.close();
    })().catch(() => conn.close());
  }
}

export async function smoke(kit: SmokeKit): Promise<void> {
  const target = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const echoing = echo(target).catch(() => {});
  try {
    const server = await kit.start("port_forwarder", [
      "--port",
      "0",
      "--target",
      `127.0.0.1:${target.addr.port}`,
    ]);
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.port,
    });
    const payload = new Uint8Array(SIZE);
    for (let i = 0; i < SIZE; i++) payload[i] = (i * 31 + (i >> 12)) & 0xff;
    const writing = (async () => {
      let offset = 0;
      while (offset < SIZE) {
        offset += await conn.write(payload.subarray(offset, offset + 65536));
      }
      await conn.closeWrite();
    })();
    // Not reading for a moment lets every buffer on the way fill up.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const received = new Uint8Array(
      await new Response(conn.readable).arrayBuffer(),
    );
    await writing;
    if (received.length !== SIZE) {
      throw new Error(
        `port_forwarder: got ${received.length} bytes back, sent ${SIZE}`,
      );
    }
    for (let i = 0; i < SIZE; i++) {
      if (received[i] !== payload[i]) {
        throw new Error(`port_forwarder: byte ${i} differs`);
      }
    }
    const { code, output } = await server.stop();
    if (code !== 0) {
      throw new Error(`port_forwarder exited with ${code}:\n${output}`);
    }
  } finally {
    target.close();
    await echoing;
  }
}

Deno.test("examples/port_forwarder.ts: 4 MiB go through to an echo server and back intact, under backpressure, with the half-close passed on", () =>
  runSmoke(smoke));
