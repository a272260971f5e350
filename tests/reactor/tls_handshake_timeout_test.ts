// The TLS handshake deadline, on every path over real TCP: a peer that sends
// nothing, or the 5 bytes of a record header and then nothing, has its
// connection closed once `handshakeTimeout` has passed, with a
// TLSHandshakeTimeoutError; a real peer still completes. The bounds below are
// generous (a deadline of 200 ms, closed within 5 s): the tests say "closed",
// not how fast.
import {
  assert,
  assertEquals,
  assertInstanceOf,
} from "../../trial/assertions.ts";
import { captureLogs } from "../../log/capture.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import {
  clientFromString,
  serverFromString,
} from "../../reactor/endpoints/from_string.ts";
import type {
  TLSClientEndpoint,
  TLSServerEndpoint,
} from "../../reactor/endpoints/tls.ts";
import { TLSHandshakeTimeoutError } from "../../reactor/errors.ts";
import type { Connection, ListeningPort } from "../../reactor/interfaces.ts";
import { startTLS } from "../../reactor/tls.ts";
import { decoder, encoder, portOf, readAll } from "./_helpers.ts";
import { makeTestPki } from "./_tls.ts";

const pki = await makeTestPki();
const localhost = pki.leaves["localhost"]!;
const DEADLINE = 200;
const BOUND = 5000;

/** A ClientHello's record header (handshake, TLS 1.0 record version, 512 bytes) and no body. */
const CLIENT_RECORD_HEADER = new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00]);
/** A ServerHello's record header (handshake, TLS 1.2, 122 bytes) and no body. */
const SERVER_RECORD_HEADER = new Uint8Array([0x16, 0x03, 0x03, 0x00, 0x7a]);

/** Resolves with `promise`, or with "pending" once `bound` ms have passed. */
async function within<T>(
  promise: Promise<T>,
  bound = BOUND,
): Promise<T | "pending"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<"pending">((resolve) => {
    timer = setTimeout(() => resolve("pending"), bound);
  });
  try {
    return await Promise.race([promise, pending]);
  } finally {
    clearTimeout(timer);
  }
}

/** "closed" once the peer of `socket` has closed it (end of input or a reset). */
async function closedBy(socket: Deno.Conn): Promise<"closed" | "pending"> {
  const buffer = new Uint8Array(1024);
  const closed = (async () => {
    try {
      while (await socket.read(buffer) !== null) {
        // What a peer sends before it gives up does not matter here.
      }
    } catch {
      // A reset is closed too.
    }
    return "closed" as const;
  })();
  const result = await within(closed);
  socket.close();
  if (result === "pending") await closed;
  return result;
}

async function echo(conn: Connection): Promise<void> {
  await conn.readable.pipeTo(conn.writable);
}

/** Waits up to the bound for `predicate`; true when it held. */
async function eventually(predicate: () => boolean): Promise<boolean> {
  const end = Date.now() + BOUND;
  while (!predicate()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

// ---- Servers: a client that stalls its handshake is closed. ----

interface ServerPath {
  name: string;
  /** Listens with a handshake deadline of DEADLINE ms. */
  listen(reactor: DenoReactor): PromiseLike<ListeningPort>;
  /** What the path reports a timed-out handshake with. */
  timedOut(): Promise<unknown>;
  /** A real client's round trip through the server: the echoed text. */
  client(reactor: DenoReactor, port: number): Promise<string>;
}

/** A reactor's own client: handshakes, waits past the deadline, echoes. */
async function tlsClient(reactor: DenoReactor, port: number): Promise<string> {
  const conn = await reactor.connectTLS("localhost", port, {
    caCerts: [pki.caCert],
  });
  // Past the deadline: a finished handshake is no longer timed.
  await new Promise((resolve) => setTimeout(resolve, 2 * DEADLINE));
  await conn.write(encoder.encode("real client"));
  await conn.closeWrite();
  const text = decoder.decode(await readAll(() => conn.read()));
  await conn.close();
  return text;
}

/** Listener paths report a timed-out handshake in the reactor's log. */
function loggedTimeout(): { timedOut: () => Promise<unknown> } {
  return {
    timedOut: async () => {
      using logs = captureLogs({ namespace: "spindle.reactor" });
      const found = () =>
        logs.records.find((r) =>
          r.fields.error instanceof TLSHandshakeTimeoutError
        );
      await eventually(() => found() !== undefined);
      assertEquals(
        logs.records.filter((r) => r.level !== "debug" && r.level !== "info"),
        [],
      );
      return found()?.fields.error;
    },
  };
}

function startTLSPath(): ServerPath {
  let failures = Promise.withResolvers<unknown>();
  return {
    name: "a server-side STARTTLS",
    listen: (reactor) => {
      failures = Promise.withResolvers<unknown>();
      return reactor.listenTCP(0, async (conn) => {
        try {
          await startTLS(conn, {
            isServer: true,
            ...localhost,
            handshakeTimeout: DEADLINE,
          });
        } catch (error) {
          failures.resolve(error);
          return;
        }
        await echo(conn);
      }, { interface: "127.0.0.1" });
    },
    timedOut: () => failures.promise,
    client: async (reactor, port) => {
      const conn = await reactor.connectTCP("127.0.0.1", port);
      await startTLS(conn, { hostname: "localhost", caCerts: [pki.caCert] });
      await new Promise((resolve) => setTimeout(resolve, 2 * DEADLINE));
      await conn.write(encoder.encode("real client"));
      await conn.closeWrite();
      const text = decoder.decode(await readAll(() => conn.read()));
      await conn.close();
      return text;
    },
  };
}

// The log is captured from before the client connects: `timedOut` is called
// first and awaited after.
const SERVER_PATHS: ServerPath[] = [
  {
    name: "a TLS listener",
    listen: (reactor) =>
      reactor.listenTLS(0, echo, {
        interface: "127.0.0.1",
        ...localhost,
        handshakeTimeout: DEADLINE,
      }),
    ...loggedTimeout(),
    client: tlsClient,
  },
  {
    name: "an SNI listener",
    listen: (reactor) =>
      reactor.listenTLS(0, echo, {
        interface: "127.0.0.1",
        ...localhost,
        sni: { "a.example": pki.leaves["a.example"]! },
        handshakeTimeout: DEADLINE,
      }),
    ...loggedTimeout(),
    client: tlsClient,
  },
  {
    name: "a tls: endpoint with handshakeTimeout=",
    listen: (reactor) =>
      serverFromString(
        reactor,
        `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key:handshakeTimeout=${
          DEADLINE / 1000
        }`,
      ).listen(echo),
    ...loggedTimeout(),
    client: tlsClient,
  },
  startTLSPath(),
];

const STALLING_CLIENTS = [
  { name: "sends nothing", first: undefined },
  { name: "sends a record header and stalls", first: CLIENT_RECORD_HEADER },
];

for (const path of SERVER_PATHS) {
  for (const stall of STALLING_CLIENTS) {
    Deno.test(`${path.name} closes a client that ${stall.name}, once its handshakeTimeout has passed`, async () => {
      const reactor = new DenoReactor();
      const port = await path.listen(reactor);
      const timedOut = path.timedOut();
      const socket = await Deno.connect({
        hostname: "127.0.0.1",
        port: portOf(port.getHost()),
      });
      if (stall.first !== undefined) await socket.write(stall.first);
      assertEquals(await closedBy(socket), "closed");
      const error = await within(timedOut);
      assertInstanceOf(error, TLSHandshakeTimeoutError);
      assertEquals(error.timeout, DEADLINE);
      await port.stopListening();
      await reactor.cleanUp();
    });
  }
  Deno.test(`${path.name} with a handshakeTimeout still serves a real client`, async () => {
    const reactor = new DenoReactor();
    const port = await path.listen(reactor);
    assertEquals(
      await path.client(reactor, portOf(port.getHost())),
      "real client",
    );
    await port.stopListening();
    await reactor.cleanUp();
  });
}

// ---- Clients: a server that stalls the handshake is left. ----

interface ClientPath {
  name: string;
  /** Starts TLS towards `port` with a handshake deadline of DEADLINE ms. */
  connect(reactor: DenoReactor, port: number): PromiseLike<unknown>;
}

const CLIENT_PATHS: ClientPath[] = [
  {
    name: "connectTLS",
    connect: (reactor, port) =>
      reactor.connectTLS("localhost", port, {
        caCerts: [pki.caCert],
        handshakeTimeout: DEADLINE,
      }),
  },
  {
    name: "a tls: client endpoint with handshakeTimeout=",
    connect: (reactor, port) =>
      clientFromString(
        reactor,
        `tls:host=localhost:port=${port}:caCerts=${pki.dir}/ca.pem:handshakeTimeout=${
          DEADLINE / 1000
        }`,
      ).connect(),
  },
  {
    name: "a client-side STARTTLS",
    connect: async (reactor, port) => {
      const conn = await reactor.connectTCP("127.0.0.1", port);
      await startTLS(conn, {
        hostname: "localhost",
        caCerts: [pki.caCert],
        handshakeTimeout: DEADLINE,
      });
    },
  },
];

const STALLING_SERVERS = [
  { name: "sends nothing", first: undefined },
  { name: "sends a record header and stalls", first: SERVER_RECORD_HEADER },
];

for (const path of CLIENT_PATHS) {
  for (const stall of STALLING_SERVERS) {
    Deno.test(`${path.name} fails with TLSHandshakeTimeoutError and closes when the server ${stall.name}`, async () => {
      const reactor = new DenoReactor();
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const accepted = listener.accept().then(async (socket) => {
        if (stall.first !== undefined) {
          // After the ClientHello, so that the client reads it as the answer.
          await socket.read(new Uint8Array(4096));
          await socket.write(stall.first);
        }
        return socket;
      });
      const attempt = Promise.resolve(
        path.connect(reactor, portOf(listener.addr)),
      );
      attempt.catch(() => {});
      const socket = await accepted;
      const outcome = await within(attempt.then(() => "connected", (e) => e));
      assertInstanceOf(outcome, TLSHandshakeTimeoutError);
      assertEquals(outcome.timeout, DEADLINE);
      assertEquals(await closedBy(socket), "closed");
      listener.close();
      assert(await eventually(() => reactor.openResources().length === 0));
      await reactor.cleanUp();
    });
  }
}

Deno.test("a client with a handshakeTimeout still completes with a real server", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTLS(0, echo, {
    interface: "127.0.0.1",
    ...localhost,
  });
  const conn = await reactor.connectTLS("localhost", portOf(port.getHost()), {
    caCerts: [pki.caCert],
    handshakeTimeout: DEADLINE,
  });
  await new Promise((resolve) => setTimeout(resolve, 2 * DEADLINE));
  await conn.write(encoder.encode("still here"));
  await conn.closeWrite();
  assertEquals(decoder.decode(await readAll(() => conn.read())), "still here");
  await conn.close();
  await port.stopListening();
  await reactor.cleanUp();
});

Deno.test("handshakeTimeout= reads back the same from tls: and ssl: descriptions", () => {
  const reactor = new DenoReactor();
  const server = "tls:8443:privateKey=key.pem:handshakeTimeout=2.5";
  assertEquals(serverFromString(reactor, server).toString(), server);
  assertEquals(
    serverFromString(
      reactor,
      "ssl:8443:privateKey=key.pem:handshakeTimeout=2.5",
    )
      .toString(),
    server,
  );
  const client = "tls:host=example.org:port=443:handshakeTimeout=2.5";
  assertEquals(clientFromString(reactor, client).toString(), client);
});

Deno.test("handshakeTimeout= in an endpoint string is in seconds, like every endpoint duration", () => {
  const reactor = new DenoReactor();
  const server = serverFromString(
    reactor,
    "tls:8443:privateKey=key.pem:handshakeTimeout=2.5",
  ) as TLSServerEndpoint;
  assertEquals(server.options.handshakeTimeout, 2500);
  const client = clientFromString(
    reactor,
    "tls:host=example.org:port=443:handshakeTimeout=0.25",
  ) as TLSClientEndpoint;
  assertEquals(client.options.handshakeTimeout, 250);
});
