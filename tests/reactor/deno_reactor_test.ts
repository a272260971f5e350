import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
} from "../../trial/assertions.ts";
import { captureLogs } from "../../log/mod.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import { connectStream } from "../../reactor/stream_connect.ts";
import { findPeer, PEERS } from "../_peers.ts";

// Makes a stale Unix socket file: bound by a process that then exits.
const python = findPeer(PEERS.python);
import {
  AddressInUseError,
  ConnectionRefusedError,
  ConnectTimeoutError,
  DNSLookupError,
} from "../../reactor/errors.ts";
import type {
  Connection,
  ConnectionFactory,
  Reactor,
} from "../../reactor/interfaces.ts";
import { decoder, encoder, portOf, readAll } from "./_helpers.ts";

async function echo(conn: Connection): Promise<void> {
  await conn.readable.pipeTo(conn.writable);
}

Deno.test("listenTCP serves each connection with a handler function", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTCP(0, echo, { interface: "127.0.0.1" });
  const conn = await reactor.connectTCP("127.0.0.1", portOf(port.getHost()));
  await conn.write(encoder.encode("ping"));
  await conn.closeWrite();
  assertEquals(decoder.decode(await readAll(() => conn.read())), "ping");
  await conn.closed;
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("listenTCP and connectTCP work over IPv6 loopback", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTCP(0, echo, { interface: "::1" });
  const number = portOf(port.getHost());
  const error = await assertRejects(async () => {
    await reactor.listenTCP(number, echo, { interface: "::1" });
  }, AddressInUseError);
  assertEquals(error.address, `[::1]:${number}`);
  const conn = await reactor.connectTCP("::1", number);
  await conn.write(encoder.encode("six"));
  await conn.closeWrite();
  assertEquals(decoder.decode(await readAll(() => conn.read())), "six");
  await conn.closed;
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("stopListening resolves when the port can be bound again", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTCP(0, echo, { interface: "127.0.0.1" });
  const number = portOf(port.getHost());
  await port.stopListening();
  const again = Deno.listen({ hostname: "127.0.0.1", port: number });
  again.close();
});

Deno.test("listening on a taken port fails with AddressInUseError naming the address", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTCP(0, echo, { interface: "127.0.0.1" });
  const number = portOf(port.getHost());
  const error = await assertRejects(
    async () => {
      await reactor.listenTCP(number, echo, { interface: "127.0.0.1" });
    },
    AddressInUseError,
  );
  assertEquals(error.address, `127.0.0.1:${number}`);
  await port.stopListening();
});

Deno.test("connecting to a closed port fails with ConnectionRefusedError", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTCP(0, echo, { interface: "127.0.0.1" });
  const number = portOf(port.getHost());
  await port.stopListening();
  const error = await assertRejects(
    async () => {
      await reactor.connectTCP("127.0.0.1", number);
    },
    ConnectionRefusedError,
  );
  assertEquals(error.port, number);
});

Deno.test("an unresolvable host fails with DNSLookupError", async () => {
  const reactor = new DenoReactor();
  await assertRejects(async () => {
    await reactor.connectTCP("no-such-host.invalid", 80);
  }, DNSLookupError);
});

Deno.test("a handler that throws is logged and the listener serves the next connection", async () => {
  const reactor = new DenoReactor();
  using logs = captureLogs({ level: "error" });
  let calls = 0;
  const port = await reactor.listenTCP(0, async (conn) => {
    calls++;
    if (calls === 1) throw new Error("handler bug");
    await echo(conn);
  }, { interface: "127.0.0.1" });
  const first = await reactor.connectTCP("127.0.0.1", portOf(port.getHost()));
  assertEquals(
    await readAll(() => first.read()).catch(() => null) !== undefined,
    true,
  );
  await first.close();
  const second = await reactor.connectTCP("127.0.0.1", portOf(port.getHost()));
  await second.write(encoder.encode("still here"));
  await second.closeWrite();
  assertEquals(
    decoder.decode(await readAll(() => second.read())),
    "still here",
  );
  await second.closed;
  assertEquals(logs.records.length, 1);
  assertInstanceOf(logs.records[0]?.fields.error, Error);
  assertEquals((logs.records[0]?.fields.error as Error).message, "handler bug");
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("a connection is closed once its handler's promise resolves", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTCP(0, async (conn) => {
    await conn.write(encoder.encode("bye"));
  }, { interface: "127.0.0.1" });
  const conn = await reactor.connectTCP("127.0.0.1", portOf(port.getHost()));
  assertEquals(decoder.decode(await readAll(() => conn.read())), "bye");
  await conn.close();
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("a ConnectionFactory is started, used for each connection, and stopped", async () => {
  const reactor = new DenoReactor();
  const events: string[] = [];
  const factory: ConnectionFactory = {
    doStart: () => void events.push("start"),
    doStop: () => void events.push("stop"),
    handleConnection(conn: Connection, r: Reactor) {
      events.push(`conn:${r === reactor}`);
      return echo(conn);
    },
  };
  const port = await reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  const conn = await reactor.connectTCP("127.0.0.1", portOf(port.getHost()));
  await conn.write(encoder.encode("x"));
  await conn.closeWrite();
  assertEquals(decoder.decode(await readAll(() => conn.read())), "x");
  await conn.closed;
  await port.stopListening();
  assertEquals(events, ["start", "conn:true", "stop"]);
});

Deno.test("connectTCP with a handler serves the new connection", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTCP(0, async (conn) => {
    await conn.write(encoder.encode("hello"));
    await conn.closeWrite();
    assertEquals(decoder.decode(await readAll(() => conn.read())), "hello");
  }, { interface: "127.0.0.1" });
  const done = Promise.withResolvers<void>();
  await reactor.connectTCP("127.0.0.1", portOf(port.getHost()), {
    handler: async (conn) => {
      await echo(conn);
      done.resolve();
    },
  });
  await done.promise;
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("a connect that takes longer than its timeout fails with ConnectTimeoutError and its late connection is closed", async () => {
  const reactor = new DenoReactor();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const late = Promise.withResolvers<void>();
  let signal: AbortSignal | undefined;
  const attempt = connectStream(reactor, {
    open: async (abandoned) => {
      signal = abandoned;
      await late.promise;
      return await Deno.connect({
        hostname: "127.0.0.1",
        port: listener.addr.port,
      });
    },
    host: "127.0.0.1",
    port: listener.addr.port,
    timeout: 20,
  });
  const error = await assertRejects(
    () => attempt.asPromise(),
    ConnectTimeoutError,
  );
  assertEquals(error.timeout, 20);
  assertEquals(signal?.aborted, true);
  late.resolve();
  const accepted = await listener.accept();
  // The abandoned connection is closed by the reactor: the server reads EOF or a reset.
  const buffer = new Uint8Array(1);
  assertEquals(await accepted.read(buffer).catch(() => null), null);
  accepted.close();
  listener.close();
  assertEquals(reactor.openResources(), []);
});

Deno.test("cancelling a connect fails it with CancelledError", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTCP(0, echo, { interface: "127.0.0.1" });
  const attempt = reactor.connectTCP("127.0.0.1", portOf(port.getHost()));
  attempt.cancel();
  await assertRejects(() => attempt.asPromise(), CancelledError);
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("listenUnix and connectUnix carry bytes over a Unix socket", async () => {
  const reactor = new DenoReactor();
  const dir = await Deno.makeTempDir();
  const path = `${dir}/echo.sock`;
  const port = await reactor.listenUnix(path, echo);
  assertEquals(port.getHost(), { transport: "unix", path });
  const conn = await reactor.connectUnix(path);
  await conn.write(encoder.encode("unix"));
  await conn.closeWrite();
  assertEquals(decoder.decode(await readAll(() => conn.read())), "unix");
  await conn.closed;
  await port.stopListening();
  await reactor.cleanUp();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("listenUnix refuses a socket path that another listener serves", async () => {
  const reactor = new DenoReactor();
  const dir = await Deno.makeTempDir();
  const path = `${dir}/busy.sock`;
  const port = await reactor.listenUnix(path, echo);
  await assertRejects(async () => {
    await reactor.listenUnix(path, echo);
  }, AddressInUseError);
  await port.stopListening();
  await reactor.cleanUp();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("listenUnix replaces a stale socket file that nobody serves", {
  ignore: python.ignore,
}, async () => {
  const reactor = new DenoReactor();
  const dir = await Deno.makeTempDir();
  const path = `${dir}/stale.sock`;
  // A socket file left behind by a process that bound it and exited.
  const bound = await new Deno.Command(python.path, {
    args: [
      "-c",
      "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])",
      path,
    ],
  }).output();
  assertEquals(bound.code, 0);
  const port = await reactor.listenUnix(path, echo);
  const conn = await reactor.connectUnix(path);
  await conn.write(encoder.encode("fresh"));
  await conn.closeWrite();
  assertEquals(decoder.decode(await readAll(() => conn.read())), "fresh");
  await conn.closed;
  await port.stopListening();
  await reactor.cleanUp();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a Unix socket path can be listened on again after stopListening", async () => {
  const reactor = new DenoReactor();
  const dir = await Deno.makeTempDir();
  const path = `${dir}/again.sock`;
  const first = await reactor.listenUnix(path, echo, { removeStale: false });
  await first.stopListening();
  const second = await reactor.listenUnix(path, echo, { removeStale: false });
  await second.stopListening();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("connectUnix to a missing socket fails with ConnectionRefusedError", async () => {
  const reactor = new DenoReactor();
  await assertRejects(async () => {
    await reactor.connectUnix("/nonexistent/spindle.sock");
  }, ConnectionRefusedError);
});

Deno.test("openResources lists what is left and cleanUp releases it", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTCP(0, echo, { interface: "127.0.0.1" });
  const conn = await reactor.connectTCP("127.0.0.1", portOf(port.getHost()));
  reactor.callLater(10_000, function reminder() {});
  const kinds = reactor.openResources().map((r) => r.kind).sort();
  assert(kinds.includes("listener"));
  assert(kinds.includes("connection"));
  assert(kinds.includes("delayed call"));
  await reactor.cleanUp();
  assertEquals(reactor.openResources(), []);
  await conn.closed.catch(() => {});
});
