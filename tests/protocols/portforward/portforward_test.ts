// Port forwarding: the relay's backpressure and half-close, the handler
// over TCP, curl through `spindle portforward`, and its usage errors.
import {
  portForwardHandler,
  relay,
  splice,
} from "../../../protocols/portforward/mod.ts";
import { plugin } from "../../../protocols/portforward/plugin.ts";
import { UsageError } from "../../../app/options.ts";
import type { StreamServerEndpointService } from "../../../app/endpoint_service.ts";
import { serveHTTP } from "../../../protocols/http/mod.ts";
import { echo } from "../../../protocols/wire/mod.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import type { Connection } from "../../../reactor/interfaces.ts";
import type { DenoReactor } from "../../../reactor/mod.ts";
import { concatChunks } from "../../../reactor/bytes.ts";
import { assertEquals, assertRejects, test } from "../../../trial/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { run } from "../dns/_interop.ts";

const curl = findPeer(PEERS.curl);

async function readAll(conn: Connection): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (let chunk; (chunk = await conn.read()) !== null;) chunks.push(chunk);
  return concatChunks(chunks);
}

test("relay copies to the end of input, then half-closes the other side", async () => {
  const [a, fromA] = connectedPair();
  const [toB, b] = connectedPair();
  await a.write(new TextEncoder().encode("one "));
  await a.write(new TextEncoder().encode("two"));
  await a.closeWrite();
  await relay(fromA, toB);
  assertEquals(new TextDecoder().decode(await readAll(b)), "one two");
  // b's own direction is still open: the half-close went through alone.
  await b.write(new TextEncoder().encode("back"));
  assertEquals(new TextDecoder().decode((await toB.read())!), "back");
  for (const conn of [a, fromA, toB, b]) conn.abort();
});

test("splice aborts both sides when one of them fails", async () => {
  const [client, a] = connectedPair();
  const [b, server] = connectedPair();
  const done = splice(a, b);
  client.abort(new Error("reset"));
  await assertRejects(() => done);
  server.abort();
  await Promise.all([a, b].map((conn) => conn.closed.catch(() => {})));
});

async function withForwarder(
  reactor: DenoReactor,
  target: string,
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const port = await reactor.listenTCP(
    0,
    portForwardHandler(target, { reactor }),
    { interface: "127.0.0.1" },
  );
  try {
    await fn((port.getHost() as Deno.NetAddr).port);
  } finally {
    await port.stopListening();
  }
}

test("a forwarded connection carries 1 MiB both ways and passes on the half-close", async (t) => {
  const target = await t.reactor.listenTCP(0, echo, { interface: "127.0.0.1" });
  try {
    const targetPort = (target.getHost() as Deno.NetAddr).port;
    await withForwarder(
      t.reactor,
      `tcp:127.0.0.1:${targetPort}`,
      async (port) => {
        const conn = await t.reactor.connectTCP("127.0.0.1", port);
        const data = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
        const sending = (async () => {
          await conn.write(data);
          await conn.closeWrite();
        })();
        const back = await readAll(conn);
        await sending;
        assertEquals(back.length, data.length);
        assertEquals(back, data);
        await conn.close();
      },
    );
  } finally {
    await target.stopListening();
  }
});

test("a connection whose target cannot be reached is closed", async (t) => {
  const free = await t.reactor.listenTCP(0, echo, { interface: "127.0.0.1" });
  const deadPort = (free.getHost() as Deno.NetAddr).port;
  await free.stopListening();
  await withForwarder(t.reactor, `tcp:127.0.0.1:${deadPort}`, async (port) => {
    const conn = await t.reactor.connectTCP("127.0.0.1", port);
    await readAll(conn).catch(() => {});
    conn.abort();
    await conn.closed.catch(() => {});
  });
});

test("curl fetches a page through spindle portforward", async (t) => {
  await using web = await serveHTTP(() => new Response("through the relay\n"), {
    listen: "tcp:0:interface=127.0.0.1",
    reactor: t.reactor,
  });
  const options = await plugin.validate({
    options: {
      listen: "tcp:0:interface=127.0.0.1",
      to: `tcp:127.0.0.1:${(web.addr as Deno.NetAddr).port}`,
    },
    args: [],
  });
  const service = await plugin.makeService(options, {
    reusePort: false,
  }) as StreamServerEndpointService;
  await service.startService();
  try {
    const { port } = service.port!.getHost() as Deno.NetAddr;
    assertEquals(
      await run(curl.path, ["-s", `http://127.0.0.1:${port}/`]),
      "through the relay\n",
    );
  } finally {
    await service.stopService();
  }
}, { ignore: curl.ignore });

test("spindle portforward without --to is a usage error", async () => {
  await assertRejects(
    async () =>
      await plugin.validate({ options: { listen: "tcp:0" }, args: [] }),
    UsageError,
    "--to",
  );
});
