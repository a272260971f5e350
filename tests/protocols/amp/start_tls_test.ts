/**
 * AMP StartTLS (Twisted's `amp.StartTLS`) between two Spindle peers over real
 * TCP, with a relay in the middle that records what crosses the wire, and the
 * hand-over of bytes at the switch on a scripted transport.
 */
import {
  AMP,
  BoxDecoderCore,
  CommandLocator,
  defineCommand,
  encodeBox,
  Integer,
  OnlyOneTLSError,
  PlaintextAfterStartTLSError,
  StartTLS,
  UnhandledCommandError,
  Unicode,
  UnknownRemoteError,
} from "../../../protocols/amp/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import { Deferred } from "../../../deferred/deferred.ts";
import { CancelledError } from "../../../deferred/errors.ts";
import {
  ConnectionLostError,
  TLSHandshakeError,
} from "../../../reactor/errors.ts";
import type { Connection, Reactor } from "../../../reactor/interfaces.ts";
import type { Transport } from "../../../reactor/protocol_interfaces.ts";
import { tlsInfo } from "../../../reactor/tls.ts";
import { runProtocol } from "../../../reactor/transport.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  flushLoggedErrors,
  test,
} from "../../../trial/mod.ts";
import { makeTestPki } from "../../reactor/_tls.ts";

const pki = await makeTestPki();
const certificate = pki.leaves["localhost"]!;

const Echo = defineCommand({
  name: "Echo",
  arguments: { text: Unicode },
  response: { text: Unicode },
});
const Sum = defineCommand({
  name: "Sum",
  arguments: { a: Integer, b: Integer },
  response: { total: Integer },
});

const latin1 = new TextDecoder("latin1");

/** A locator that answers Echo, Sum and StartTLS with the test certificate. */
function serverLocator(): CommandLocator {
  return new CommandLocator()
    .respond(Echo, ({ text }) => ({ text }))
    .respond(Sum, ({ a, b }) => ({ total: a + b }))
    .respond(StartTLS, () => ({ tls_localCertificate: certificate }));
}

/** Copies `from` to `to`, keeping each chunk in `record`. */
async function relay(from: Connection, to: Connection, record: Uint8Array[]) {
  try {
    for (let chunk = await from.read(); chunk; chunk = await from.read()) {
      record.push(chunk.slice());
      await to.write(chunk);
    }
    await to.closeWrite();
  } catch {
    to.abort();
  }
}

/**
 * A server AMP, a relay that records both directions, and a client AMP
 * connected through it, all over TCP on loopback.
 */
async function connectThroughRelay(
  reactor: Reactor,
  locator: CommandLocator,
  client = new AMP(),
) {
  const served: Promise<Error>[] = [];
  const server = await reactor.listenTCP(0, (conn) => {
    served.push(runProtocol(new AMP({ locator }), conn, { reactor }));
  }, { interface: "127.0.0.1" });
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  const relays: Promise<unknown>[] = [];
  const relayPort = await reactor.listenTCP(0, async (inbound) => {
    const outbound = await reactor.connectTCP(
      "127.0.0.1",
      (server.getHost() as Deno.NetAddr).port,
    );
    const both = [
      relay(inbound, outbound, toServer),
      relay(outbound, inbound, toClient),
    ];
    relays.push(...both);
    // The reactor closes a connection once its handler is done.
    await Promise.all(both);
  }, { interface: "127.0.0.1" });
  const conn = await reactor.connectTCP(
    "127.0.0.1",
    (relayPort.getHost() as Deno.NetAddr).port,
  );
  const done = runProtocol(client, conn, { reactor });
  return {
    client,
    conn,
    /** What the client sent, as Latin-1 text, one string per chunk. */
    toServer: () => toServer.map((chunk) => latin1.decode(chunk)),
    toClient: () => toClient.map((chunk) => latin1.decode(chunk)),
    async close() {
      client.transport.loseConnection();
      await done;
      while (served.length < 1 || relays.length < 2) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await Promise.all([...served, ...relays]);
      await server.stopListening();
      await relayPort.stopListening();
    },
  };
}

test("StartTLS: boxes before the switch go in the clear, boxes after it encrypted", async (t) => {
  const peers = await connectThroughRelay(t.reactor, serverLocator());
  const { client } = peers;
  assertEquals(await client.callRemote(Echo, { text: "plain-marker" }), {
    text: "plain-marker",
  });
  assertEquals(await tlsInfo(peers.conn), null);
  assertEquals(
    await client.callRemote(StartTLS, {
      tls_verifyAuthorities: [pki.caCert],
    }),
    {},
  );
  assert((await tlsInfo(peers.conn)) !== null, "the connection is not TLS");
  assertEquals(await client.callRemote(Echo, { text: "secret-marker" }), {
    text: "secret-marker",
  });
  await peers.close();

  const sent = peers.toServer().join("");
  const received = peers.toClient().join("");
  assert(sent.includes("plain-marker"), "the first box was not in the clear");
  assert(sent.includes("StartTLS"), "the StartTLS box was not in the clear");
  assert(
    !sent.includes("secret-marker"),
    "a box after the switch was in the clear",
  );
  assert(
    !received.includes("secret-marker"),
    "an answer after the switch was in the clear",
  );
  // The client's first bytes after StartTLS open a TLS handshake record.
  const afterStartTLS = sent.slice(sent.indexOf("StartTLS"));
  const handshake = afterStartTLS.indexOf("\x16\x03");
  assert(handshake > 0, "no TLS handshake followed StartTLS");
});

test("StartTLS: boxes sent while the answer is on its way are held and go out encrypted", async (t) => {
  const peers = await connectThroughRelay(t.reactor, serverLocator());
  const { client } = peers;
  const started = client.callRemote(StartTLS, {
    tls_verifyAuthorities: [pki.caCert],
    tls_hostname: "localhost",
  });
  const early = client.callRemote(Echo, { text: "held-marker" });
  const sum = client.callRemote(Sum, { a: 2, b: 3 });
  assertEquals(await early, { text: "held-marker" });
  assertEquals(await sum, { total: 5 });
  assertEquals(await started, {});
  await peers.close();
  assert(
    !peers.toServer().join("").includes("held-marker"),
    "a held box went out in the clear",
  );
});

test("StartTLS: a responder that answers later switches when it answers", async (t) => {
  const gate = new Deferred<void>();
  const locator = serverLocator().respond(StartTLS, async () => {
    await gate;
    return { tls_localCertificate: certificate };
  });
  const peers = await connectThroughRelay(t.reactor, locator);
  const { client } = peers;
  const started = client.callRemote(StartTLS, {
    tls_verifyAuthorities: [pki.caCert],
  });
  const held = client.callRemote(Echo, { text: "later-marker" });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertEquals(client.outstandingCalls, 2);
  gate.callback();
  assertEquals(await started, {});
  assertEquals(await held, { text: "later-marker" });
  assert((await tlsInfo(peers.conn)) !== null, "the connection is not TLS");
  await peers.close();
  assert(!peers.toServer().join("").includes("later-marker"));
});

test("StartTLS: answers to the peer's calls while TLS starts are held too", async (t) => {
  // The server asks the client a question right after the switch; the client's
  // answer must be encrypted as well.
  const locator = serverLocator().respond(
    Sum,
    ({ a, b }) => ({ total: a + b }),
  );
  const client = new AMP().respond(Echo, ({ text }) => ({ text }));
  const peers = await connectThroughRelay(t.reactor, locator, client);
  await client.callRemote(StartTLS, { tls_verifyAuthorities: [pki.caCert] });
  assertEquals(await client.callRemote(Sum, { a: 40, b: 2 }), { total: 42 });
  await peers.close();
  assert(!peers.toServer().join("").includes("\0\x05total"));
});

test("StartTLS twice fails with OnlyOneTLSError and the connection goes on", async (t) => {
  const peers = await connectThroughRelay(t.reactor, serverLocator());
  const { client } = peers;
  const first = client.callRemote(StartTLS, {
    tls_verifyAuthorities: [pki.caCert],
  });
  await assertRejects(
    () => client.callRemote(StartTLS, {}).asPromise(),
    OnlyOneTLSError,
  );
  await first;
  await assertRejects(
    () => client.callRemote(StartTLS, {}).asPromise(),
    OnlyOneTLSError,
  );
  assertEquals(await client.callRemote(Sum, { a: 1, b: 1 }), { total: 2 });
  await peers.close();
});

test("StartTLS with a certificate the caller does not trust fails with TLSHandshakeError", async (t) => {
  using _logs = captureLogs({ namespace: "spindle.amp" });
  const peers = await connectThroughRelay(t.reactor, serverLocator());
  const { client } = peers;
  const started = client.callRemote(StartTLS, {});
  const held = client.callRemote(Echo, { text: "never" });
  await assertRejects(() => started.asPromise(), TLSHandshakeError);
  await assertRejects(() => held.asPromise(), ConnectionLostError);
  await peers.close();
});

test("StartTLS to a peer without a StartTLS responder fails UNHANDLED and the connection stays in the clear", async (t) => {
  const locator = new CommandLocator().respond(Echo, ({ text }) => ({ text }));
  const peers = await connectThroughRelay(t.reactor, locator);
  const { client } = peers;
  const refused = client.callRemote(StartTLS, {});
  const held = client.callRemote(Echo, { text: "after refusal" });
  await assertRejects(() => refused.asPromise(), UnhandledCommandError);
  assertEquals(await held, { text: "after refusal" });
  assertEquals(await tlsInfo(peers.conn), null);
  await peers.close();
});

test("a StartTLS responder that returns no certificate is logged, answered UNKNOWN, and closes", async (t) => {
  using _logs = captureLogs({ namespace: "spindle.amp" });
  // deno-lint-ignore no-explicit-any
  const locator = serverLocator().respond(StartTLS, () => ({}) as any);
  const peers = await connectThroughRelay(t.reactor, locator);
  await assertRejects(
    () => peers.client.callRemote(StartTLS, {}).asPromise(),
    UnknownRemoteError,
  );
  await peers.close();
  assertEquals(flushLoggedErrors(TypeError).length, 1);
});

/**
 * A transport that records what the protocol does with it (Twisted's
 * StringTransport), for the byte-exact hand-over at the switch.
 */
function scriptedTransport() {
  const written: Uint8Array[] = [];
  const unshifted: Uint8Array[] = [];
  const tlsRequests: unknown[] = [];
  const handshake = Promise.withResolvers<
    { alpnProtocol: null; serverName: null }
  >();
  let paused = false;
  let aborted = false;
  const transport = {
    write: (data: Uint8Array) => written.push(data),
    startTLS: (options: unknown) => {
      tlsRequests.push(options);
      return handshake.promise;
    },
    connection: { unshift: (data: Uint8Array) => unshifted.push(data.slice()) },
    getPeer: () => ({ transport: "tcp", hostname: "127.0.0.1", port: 1 }),
    pauseProducing: () => paused = true,
    resumeProducing: () => paused = false,
    loseConnection: () => {},
    abortConnection: () => aborted = true,
  };
  return {
    transport: transport as unknown as Transport,
    written,
    unshifted,
    tlsRequests,
    handshakeDone: () =>
      handshake.resolve({ alpnProtocol: null, serverName: null }),
    paused: () => paused,
    aborted: () => aborted,
  };
}

const bytes = (text: string) => new TextEncoder().encode(text);

test("the bytes after the StartTLS answer in the same chunk go back to the connection for TLS", async () => {
  const scripted = scriptedTransport();
  const client = new AMP();
  client.makeConnection(scripted.transport);
  const started = client.callRemote(StartTLS, {});
  const held = client.callRemote(Sum, { a: 1, b: 2 });
  assertEquals(scripted.written.length, 1, "the Sum box was not held");
  const answer = encodeBox(new Map([["_answer", bytes("1")]]));
  const tlsBytes = new Uint8Array([0x16, 0x03, 0x03, 0x00, 0x7a, 0x02]);
  const chunk = new Uint8Array([...answer, ...tlsBytes]);
  // Split inside the answer box: the decoder holds its start over a read.
  client.dataReceived(chunk.subarray(0, 3));
  client.dataReceived(chunk.subarray(3));
  assertEquals(scripted.unshifted, [tlsBytes]);
  assertEquals(scripted.tlsRequests, [{
    hostname: "127.0.0.1",
    caCerts: undefined,
  }]);
  scripted.handshakeDone();
  assertEquals(await started, {});
  assertEquals(scripted.written.length, 2, "the held Sum box was not sent");
  client.dataReceived(
    encodeBox(new Map([["_answer", bytes("2")], ["total", bytes("3")]])),
  );
  assertEquals(await held, { total: 3 });
});

test("the undecoded bytes after the peer's StartTLS command go back to the connection whole", async () => {
  const scripted = scriptedTransport();
  const server = new AMP().respond(
    StartTLS,
    () => ({ tls_localCertificate: certificate }),
  );
  server.makeConnection(scripted.transport);
  const command = encodeBox(
    new Map([["_command", bytes("StartTLS")], ["_ask", bytes("1")]]),
  );
  // The start of a box (a 3-byte key, 1 byte of it): the decoder holds it.
  const rest = new Uint8Array([0x00, 0x03, 0x61]);
  server.dataReceived(new Uint8Array([...command, ...rest]));
  assertEquals(scripted.unshifted, [rest]);
  assertEquals(scripted.tlsRequests, [{ isServer: true, ...certificate }]);
  assertEquals(
    latin1.decode(scripted.written[0]),
    latin1.decode(
      encodeBox(new Map([["_answer", bytes("1")]])),
    ),
  );
  scripted.handshakeDone();
  await new Promise((resolve) => setTimeout(resolve, 0));
});

test("while the StartTLS responder has not answered, the peer is not read", async () => {
  const scripted = scriptedTransport();
  const gate = new Deferred<{ tls_localCertificate: typeof certificate }>();
  const server = new AMP().respond(StartTLS, () => gate);
  server.makeConnection(scripted.transport);
  server.dataReceived(
    encodeBox(new Map([["_command", bytes("StartTLS")], ["_ask", bytes("1")]])),
  );
  assert(scripted.paused(), "reading was not paused");
  assertEquals(scripted.tlsRequests.length, 0);
  gate.callback({ tls_localCertificate: certificate });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(scripted.tlsRequests.length, 1);
  assert(!scripted.paused(), "reading did not resume for the handshake");
  scripted.handshakeDone();
  await new Promise((resolve) => setTimeout(resolve, 0));
});

test("boxes in the clear right after the peer's StartTLS command close the connection", () => {
  using logs = captureLogs({ namespace: "spindle.amp" });
  const scripted = scriptedTransport();
  const echoed: string[] = [];
  const server = new AMP()
    .respond(StartTLS, () => new Deferred<never>())
    .respond(Echo, ({ text }) => {
      echoed.push(text);
      return { text };
    });
  server.makeConnection(scripted.transport);
  server.dataReceived(
    new Uint8Array([
      ...encodeBox(
        new Map([["_command", bytes("StartTLS")], ["_ask", bytes("1")]]),
      ),
      ...encodeBox(
        new Map([["_command", bytes("Echo")], ["_ask", bytes("2")], [
          "text",
          bytes("injected"),
        ]]),
      ),
    ]),
  );
  assertEquals(echoed, []);
  assertInstanceOf(
    logs.records[0]?.fields.protocolError,
    PlaintextAfterStartTLSError,
  );
});

test("cancelling a StartTLS call aborts the connection: the peer may be starting TLS", async () => {
  const scripted = scriptedTransport();
  const client = new AMP();
  client.makeConnection(scripted.transport);
  const started = client.callRemote(StartTLS, {});
  started.cancel();
  assert(scripted.aborted(), "the connection was not aborted");
  assertEquals(client.outstandingCalls, 0);
  await assertRejects(() => started.asPromise(), CancelledError);
});

test("a StartTLS once TLS has started is answered TLS_ERROR", async () => {
  const scripted = scriptedTransport();
  const server = new AMP().respond(
    StartTLS,
    () => ({ tls_localCertificate: certificate }),
  );
  server.makeConnection(scripted.transport);
  const startTLS = (ask: string) =>
    encodeBox(new Map([["_command", bytes("StartTLS")], ["_ask", bytes(ask)]]));
  server.dataReceived(startTLS("1"));
  scripted.handshakeDone();
  await new Promise((resolve) => setTimeout(resolve, 0));
  server.dataReceived(startTLS("2"));
  assertEquals(scripted.tlsRequests.length, 1);
  const core = new BoxDecoderCore();
  const boxes: Map<string, Uint8Array>[] = [];
  for (const chunk of scripted.written) core.decode(chunk, boxes);
  assertEquals(latin1.decode(boxes[1]!.get("_error")), "2");
  assertEquals(latin1.decode(boxes[1]!.get("_error_code")), "TLS_ERROR");
});
