/**
 * Interop with Twisted's `twisted.protocols.amp` (/usr/bin/python3 with
 * Debian's python3-twisted): a Spindle client calls a Twisted server, and a
 * Twisted client calls a Spindle server, each way also starting TLS with
 * `amp.StartTLS` (pyOpenSSL, a dependency of python3-twisted; certificates
 * from tests/reactor/_tls.ts). The commands mirror twisted_commands.py.
 */
import {
  AMP,
  AmpList,
  BigInteger,
  CommandLocator,
  DateTime,
  Decimal,
  defineCommand,
  Float,
  Integer,
  ListOf,
  optional,
  StartTLS,
  String as Bytes,
  UnhandledCommandError,
  Unicode,
  UnknownRemoteError,
} from "../../../protocols/amp/mod.ts";
import * as amp from "../../../protocols/amp/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import { tlsInfo } from "../../../reactor/tls.ts";
import { runProtocol } from "../../../reactor/transport.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  flushLoggedErrors,
  test,
} from "../../../trial/mod.ts";

class ZeroDivisionError extends Error {}

const Sum = defineCommand({
  name: "Sum",
  arguments: { a: Integer, b: Integer },
  response: { total: Integer },
});
const Divide = defineCommand({
  name: "Divide",
  arguments: { numerator: Integer, denominator: Integer },
  response: { result: Float },
  errors: { ZERO_DIVISION: ZeroDivisionError },
});
const all = {
  i: Integer,
  big: BigInteger,
  s: Bytes,
  u: Unicode,
  yes: amp.Boolean,
  no: amp.Boolean,
  x: Float,
  inf: Float,
  d: DateTime,
  dec: Decimal,
  ints: ListOf(Integer),
  words: ListOf(Unicode),
  rows: AmpList({ n: Integer, u: Unicode }),
  maybe: optional(Unicode),
};
const EchoAll = defineCommand({
  name: "EchoAll",
  arguments: all,
  response: all,
});
const Note = defineCommand({
  name: "Note",
  arguments: { text: Unicode },
  response: {},
  requiresAnswer: false,
});
const Notes = defineCommand({
  name: "Notes",
  arguments: {},
  response: { notes: ListOf(Unicode) },
});
const AskBack = defineCommand({
  name: "AskBack",
  arguments: { a: Integer, b: Integer },
  response: { total: Integer },
});
const Crash = defineCommand({ name: "Crash", arguments: {}, response: {} });
const Missing = defineCommand({ name: "Missing", arguments: {}, response: {} });
const Secure = defineCommand({
  name: "Secure",
  arguments: {},
  response: { secure: amp.Boolean },
});

const here = new URL(".", import.meta.url).pathname;
const twisted = findPeer(PEERS.twisted);
// The StartTLS tests make their certificates with openssl.
const twistedAndOpenssl = {
  ignore: twisted.ignore || findPeer(PEERS.openssl).ignore,
};

/** Starts a Python script; `firstLine` resolves with its first stdout line. */
function python(script: string, args: string[] = []) {
  const child = new Deno.Command(twisted.path, {
    args: [here + script, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const { promise: firstLine, resolve: resolveLine } = Promise
    .withResolvers<string>();
  const stdout = (async () => {
    for await (
      const text of child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      output += text;
      if (output.includes("\n")) resolveLine(output.split("\n")[0]!);
    }
    resolveLine(output);
    return output;
  })();
  const stderr = new Response(child.stderr).text();
  return {
    firstLine,
    async finish() {
      const [status, out, err] = await Promise.all([
        child.status,
        stdout,
        stderr,
      ]);
      return { code: status.code, stdout: out, stderr: err };
    },
  };
}

const values = {
  i: -12345,
  big: 2n ** 70n,
  s: Uint8Array.from({ length: 256 }, (_, i) => i),
  u: "snow \u2603 and \u{1F600}",
  yes: true,
  no: false,
  x: 0.1,
  inf: -Infinity,
  d: new Date(Date.UTC(2012, 0, 23, 12, 34, 56, 54)),
  dec: "-1.10E+5",
  ints: [1, -2, 3],
  words: ["a", "", "\u00e9"],
  rows: [{ n: 1, u: "one" }, { n: 2, u: "two" }],
};

test("interop: a Spindle client calls a Twisted AMP server", async (t) => {
  const server = python("twisted_server.py");
  const line = await server.firstLine;
  const port = Number(/^listening on 127\.0\.0\.1:(\d+)$/.exec(line)?.[1]);
  assert(port > 0, `the server did not say where it listens: ${line}`);
  const reactor = t.reactor;
  const conn = await reactor.connectTCP("127.0.0.1", port);
  const client = new AMP().respond(Sum, ({ a, b }) => ({ total: a + b }));
  const done = runProtocol(client, conn, { reactor });

  assertEquals(await client.callRemote(Sum, { a: 13, b: 81 }), { total: 94 });
  assertEquals(await client.callRemote(EchoAll, values), values);
  // Twisted answers AskBack by calling Sum on this client.
  assertEquals(await client.callRemote(AskBack, { a: 2, b: 3 }), { total: 5 });
  assertEquals(
    await client.callRemote(EchoAll, { ...values, maybe: "here" }),
    { ...values, maybe: "here" },
  );
  assertEquals(
    await client.callRemote(Divide, { numerator: 7, denominator: 2 }),
    {
      result: 3.5,
    },
  );
  const zero = await assertRejects(
    () =>
      client.callRemote(Divide, { numerator: 1, denominator: 0 }).asPromise(),
    ZeroDivisionError,
  );
  assert(zero.message.includes("zero"), zero.message);
  await assertRejects(
    () => client.callRemote(Missing, {}).asPromise(),
    UnhandledCommandError,
  );
  client.callRemote(Note, { text: "first" });
  client.callRemote(Note, { text: "second" });
  assertEquals(await client.callRemote(Notes, {}), {
    notes: ["first", "second"],
  });
  // An undeclared error: Twisted answers UNKNOWN and drops the connection.
  await assertRejects(
    () => client.callRemote(Crash, {}).asPromise(),
    UnknownRemoteError,
  );
  await done;
  const result = await server.finish();
  assertEquals(result.code, 0, result.stderr);
}, { ignore: twisted.ignore });

test("interop: a Twisted AMP client calls a Spindle server", async (t) => {
  using _quiet = captureLogs({ namespace: "spindle.amp" });
  const notes: string[] = [];
  const locator = new CommandLocator()
    .respond(Sum, ({ a, b }) => ({ total: a + b }))
    .respond(Divide, ({ numerator, denominator }) => {
      if (denominator === 0) {
        throw new ZeroDivisionError("division by zero");
      }
      return { result: numerator / denominator };
    })
    .respond(EchoAll, (args) => args)
    .respond(Note, ({ text }) => {
      notes.push(text);
      return {};
    })
    .respond(Notes, () => ({ notes }))
    .respond(Crash, () => {
      throw new Error("the Spindle server crashed on purpose");
    });
  const reactor = t.reactor;
  const served: Promise<Error>[] = [];
  const listening = await reactor.listenTCP(0, (conn) => {
    served.push(runProtocol(new AMP({ locator }), conn, { reactor }));
  }, { interface: "127.0.0.1" });
  const { port } = listening.getHost() as Deno.NetAddr;

  const client = python("twisted_client.py", [String(port)]);
  const result = await client.finish();
  await Promise.all(served);
  await listening.stopListening();

  assertEquals(result.code, 0, result.stdout + result.stderr);
  assertEquals(result.stdout.trim().split("\n"), [
    "ok sum",
    "ok every argument type",
    "ok declared remote error",
    "ok float response",
    "ok unhandled command",
    "ok requiresAnswer False",
    "ok undeclared remote error",
  ]);
  assertEquals(flushLoggedErrors(Error).length, 1);
}, { ignore: twisted.ignore });

test(
  "interop: a Spindle client starts TLS with a Twisted AMP server",
  async (t) => {
    const pki = await makeTestPki();
    const server = python("twisted_tls_server.py", [pki.dir]);
    const line = await server.firstLine;
    const port = Number(/^listening on 127\.0\.0\.1:(\d+)$/.exec(line)?.[1]);
    assert(port > 0, `the server did not say where it listens: ${line}`);
    const reactor = t.reactor;
    const conn = await reactor.connectTCP("127.0.0.1", port);
    const client = new AMP();
    const done = runProtocol(client, conn, { reactor });

    assertEquals(await client.callRemote(Sum, { a: 1, b: 2 }), { total: 3 });
    assertEquals(await client.callRemote(Secure, {}), { secure: false });
    assertEquals(
      await client.callRemote(StartTLS, {
        tls_verifyAuthorities: [pki.caCert],
      }),
      {},
    );
    assert((await tlsInfo(conn)) !== null, "the connection is not TLS");
    assertEquals(await client.callRemote(Secure, {}), { secure: true });
    assertEquals(await client.callRemote(Sum, { a: 20, b: 22 }), { total: 42 });
    client.transport.loseConnection();
    await done;
    const result = await server.finish();
    assertEquals(result.code, 0, result.stderr);
  },
  twistedAndOpenssl,
);

test(
  "interop: a Twisted AMP client starts TLS with a Spindle server",
  async (t) => {
    const pki = await makeTestPki();
    const locator = new CommandLocator()
      .respond(Sum, ({ a, b }) => ({ total: a + b }))
      .respond(StartTLS, () => ({
        tls_localCertificate: pki.leaves["localhost"]!,
      }))
      .respond(Secure, async (_, peer) => ({
        secure: (await tlsInfo(peer.transport.connection)) !== null,
      }));
    const reactor = t.reactor;
    const served: Promise<Error>[] = [];
    const listening = await reactor.listenTCP(0, (conn) => {
      served.push(runProtocol(new AMP({ locator }), conn, { reactor }));
    }, { interface: "127.0.0.1" });
    const { port } = listening.getHost() as Deno.NetAddr;

    const client = python("twisted_tls_client.py", [String(port), pki.dir]);
    const result = await client.finish();
    await Promise.all(served);
    await listening.stopListening();

    assertEquals(result.code, 0, result.stdout + result.stderr);
    assertEquals(result.stdout.trim().split("\n"), [
      "ok sum in the clear",
      "ok the server is not TLS before StartTLS",
      "ok StartTLS",
      "ok the server is TLS after StartTLS",
      "ok sum over TLS",
      "ok the server's certificate",
    ]);
  },
  twistedAndOpenssl,
);
