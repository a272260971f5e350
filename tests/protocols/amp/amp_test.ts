import {
  AMP,
  AmpList,
  BoxDecoderCore,
  CommandLocator,
  defineCommand,
  encodeBox,
  Integer,
  InvalidArgumentError,
  ListOf,
  MissingArgumentError,
  optional,
  RemoteAmpError,
  UnhandledCommandError,
  Unicode,
  UnknownAnswerError,
  UnknownRemoteError,
  UnroutableBoxError,
  ValueTooLongError,
} from "../../../protocols/amp/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import { Deferred } from "../../../deferred/deferred.ts";
import { CancelledError, TimeoutError } from "../../../deferred/errors.ts";
import { Clock } from "../../../reactor/clock.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import { ConnectionLostError } from "../../../reactor/errors.ts";
import { Factory } from "../../../reactor/factory.ts";
import { NotConnectedError } from "../../../reactor/protocol.ts";
import type { Connection } from "../../../reactor/interfaces.ts";
import { runProtocol } from "../../../reactor/transport.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  flushLoggedErrors,
  test,
} from "../../../trial/mod.ts";

class DivideByZeroError extends Error {}
class FatalError extends Error {}

const Sum = defineCommand({
  name: "Sum",
  arguments: { a: Integer, b: Integer },
  response: { total: Integer },
});
const Divide = defineCommand({
  name: "Divide",
  arguments: { numerator: Integer, denominator: Integer },
  response: { result: Integer },
  errors: { ZERO_DIVISION: DivideByZeroError },
  fatalErrors: { FATAL: FatalError },
});
const Notify = defineCommand({
  name: "Notify",
  arguments: { message: Unicode },
  response: {},
  requiresAnswer: false,
});
const Echo = defineCommand({
  name: "Echo",
  arguments: { text: Unicode, rows: optional(AmpList({ n: Integer })) },
  response: { text: Unicode, rows: optional(AmpList({ n: Integer })) },
});
const Fail = defineCommand({
  name: "Fail",
  arguments: {},
  response: {},
});

/** Runs two peers on a connected pair; `close()` ends both and waits. */
function connect(server: AMP, client: AMP) {
  const [serverConn, clientConn] = connectedPair();
  const clock = new Clock();
  const done = Promise.all([
    runProtocol(server, serverConn, { reactor: clock }),
    runProtocol(client, clientConn, { reactor: clock }),
  ]);
  return {
    done,
    async close() {
      client.transport.loseConnection();
      await done;
    },
  };
}

/** Runs `server` against a raw connection the test writes boxes to. */
function connectRaw(server: AMP) {
  const [serverConn, raw] = connectedPair();
  const done = runProtocol(server, serverConn, { reactor: new Clock() });
  return { raw, done };
}

async function readAll(conn: Connection) {
  const core = new BoxDecoderCore();
  const boxes: Map<string, Uint8Array>[] = [];
  for (let chunk = await conn.read(); chunk; chunk = await conn.read()) {
    core.decode(chunk, boxes);
  }
  await conn.close();
  return boxes.map((box) =>
    Object.fromEntries(
      [...box].map(([k, v]) => [k, new TextDecoder().decode(v)]),
    )
  );
}

const text = new TextEncoder();
const rawBox = (entries: Record<string, string>) =>
  encodeBox(
    new Map(Object.entries(entries).map(([k, v]) => [k, text.encode(v)])),
  );

test("callRemote resolves with the responder's typed response", async () => {
  const server = new AMP().respond(Sum, ({ a, b }) => ({ total: a + b }));
  const client = new AMP();
  const pair = connect(server, client);
  const response = await client.callRemote(Sum, { a: 1, b: 2 });
  assertEquals(response, { total: 3 });
  await pair.close();
});

test("callRemote returns a Deferred", async () => {
  const server = new AMP().respond(Sum, ({ a, b }) => ({ total: a + b }));
  const client = new AMP();
  const pair = connect(server, client);
  const d = client.callRemote(Sum, { a: 20, b: 22 });
  assertInstanceOf(d, Deferred);
  const total = await d.addCallback(({ total }) => total);
  assertEquals(total, 42);
  await pair.close();
});

test("responders may answer with a Promise or a Deferred, in any order", async () => {
  const later = new Deferred<{ total: number }>();
  const server = new AMP().respond(Sum, ({ a, b }) => {
    if (a === 0) return later;
    return Promise.resolve({ total: a + b });
  });
  const client = new AMP();
  const pair = connect(server, client);
  const first = client.callRemote(Sum, { a: 0, b: 1 });
  const second = await client.callRemote(Sum, { a: 5, b: 5 });
  assertEquals(second, { total: 10 });
  later.callback({ total: -1 });
  assertEquals(await first, { total: -1 });
  await pair.close();
});

test("many calls in flight are each answered with their own response", async () => {
  const server = new AMP().respond(Sum, async ({ a, b }) => {
    await new Promise((resolve) => setTimeout(resolve, (a * 7) % 5));
    return { total: a + b };
  });
  const client = new AMP();
  const pair = connect(server, client);
  const calls = Array.from(
    { length: 200 },
    (_, i) => client.callRemote(Sum, { a: i, b: i }),
  );
  const totals = (await Promise.all(calls)).map(({ total }) => total);
  assertEquals(totals, Array.from({ length: 200 }, (_, i) => 2 * i));
  await pair.close();
});

test("every argument type crosses the connection", async () => {
  const All = defineCommand({
    name: "All",
    arguments: {
      i: Integer,
      u: Unicode,
      list: ListOf(Unicode),
      rows: AmpList({ n: Integer, s: Unicode }),
    },
    response: {
      i: Integer,
      u: Unicode,
      list: ListOf(Unicode),
      rows: AmpList({ n: Integer, s: Unicode }),
    },
  });
  const server = new AMP().respond(All, (args) => args);
  const client = new AMP();
  const pair = connect(server, client);
  const args = {
    i: -9,
    u: "snow ☃",
    list: ["a", "", "c"],
    rows: [{ n: 1, s: "one" }, { n: 2, s: "two" }],
  };
  assertEquals(await client.callRemote(All, args), args);
  await pair.close();
});

test("a declared error is raised on the caller as its class, with the description", async () => {
  const server = new AMP().respond(Divide, ({ numerator, denominator }) => {
    if (denominator === 0) throw new DivideByZeroError("cannot divide by zero");
    return { result: Math.trunc(numerator / denominator) };
  });
  const client = new AMP();
  const pair = connect(server, client);
  const error = await assertRejects(
    () =>
      client.callRemote(Divide, { numerator: 1, denominator: 0 }).asPromise(),
    DivideByZeroError,
  );
  assertEquals(error.message, "cannot divide by zero");
  // The connection stays usable after a declared error.
  assertEquals(
    await client.callRemote(Divide, { numerator: 9, denominator: 3 }),
    {
      result: 3,
    },
  );
  await pair.close();
});

test("a declared fatal error is sent, then the responder closes the connection", async () => {
  const server = new AMP().respond(Divide, () => {
    throw new FatalError("giving up");
  });
  const client = new AMP();
  const pair = connect(server, client);
  await assertRejects(
    () =>
      client.callRemote(Divide, { numerator: 1, denominator: 1 }).asPromise(),
    FatalError,
  );
  await pair.done;
});

test("a RemoteAmpError thrown by a responder sends its own code", async () => {
  const server = new AMP().respond(Sum, () => {
    throw new RemoteAmpError("QUOTA", "over quota");
  });
  const client = new AMP();
  const pair = connect(server, client);
  const error = await assertRejects(
    () => client.callRemote(Sum, { a: 1, b: 1 }).asPromise(),
    RemoteAmpError,
  );
  assertEquals([error.code, error.description], ["QUOTA", "over quota"]);
  await pair.close();
});

test("a command without a responder fails with UnhandledCommandError and the connection stays up", async () => {
  const server = new AMP();
  const client = new AMP();
  const pair = connect(server, client);
  const error = await assertRejects(
    () => client.callRemote(Sum, { a: 1, b: 1 }).asPromise(),
    UnhandledCommandError,
  );
  assertEquals(error.code, "UNHANDLED");
  server.respond(Sum, ({ a, b }) => ({ total: a + b }));
  assertEquals(await client.callRemote(Sum, { a: 1, b: 1 }), { total: 2 });
  await pair.close();
});

test("an undeclared responder error is logged, answered UNKNOWN, and closes the connection", async () => {
  using _quiet = captureLogs({ namespace: "spindle.amp" });
  const bug = new TypeError("bug in the responder");
  const server = new AMP().respond(Fail, () => {
    throw bug;
  });
  const client = new AMP();
  const pair = connect(server, client);
  const error = await assertRejects(
    () => client.callRemote(Fail, {}).asPromise(),
    UnknownRemoteError,
  );
  assertEquals(error.description, "Unknown Error");
  await pair.done;
  const logged = flushLoggedErrors(TypeError);
  assertEquals(logged.length, 1);
  assertStrictEquals(logged[0], bug);
});

test("requiresAnswer false sends no _ask, returns nothing, and the responder still runs", async () => {
  const received = new Deferred<string>();
  const server = new AMP().respond(Notify, ({ message }) => {
    received.callback(message);
    return {};
  });
  const client = new AMP();
  const pair = connect(server, client);
  const result: void = client.callRemote(Notify, { message: "hi" });
  assertEquals(result, undefined);
  assertEquals(await received, "hi");
  await pair.close();
});

test("the peer's responders can call back the caller during a call", async () => {
  const server = new AMP().respond(Echo, async ({ text }, peer) => {
    const { total } = await peer.callRemote(Sum, { a: text.length, b: 0 });
    return { text: `${text}:${total}` };
  });
  const client = new AMP().respond(Sum, ({ a, b }) => ({ total: a + b }));
  const pair = connect(server, client);
  assertEquals(await client.callRemote(Echo, { text: "abc" }), {
    text: "abc:3",
  });
  await pair.close();
});

test("losing the connection fails outstanding calls and later calls with ConnectionLostError", async () => {
  const never = new Deferred<{ total: number }>();
  const server = new AMP().respond(Sum, () => never);
  const client = new AMP();
  const pair = connect(server, client);
  const pending = client.callRemote(Sum, { a: 1, b: 1 });
  await new Promise((resolve) => setTimeout(resolve, 10));
  server.transport.loseConnection();
  await assertRejects(() => pending.asPromise(), ConnectionLostError);
  await assertRejects(
    () => client.callRemote(Sum, { a: 1, b: 1 }).asPromise(),
    ConnectionLostError,
  );
  await pair.done;
  never.callback({ total: 0 });
});

test("arguments that cannot be encoded fail the call without sending", async () => {
  const client = new AMP();
  const server = new AMP().respond(Echo, ({ text }) => ({ text }));
  const pair = connect(server, client);
  await assertRejects(
    () => client.callRemote(Sum, { a: 0.5, b: 1 }).asPromise(),
    InvalidArgumentError,
  );
  await assertRejects(
    () => client.callRemote(Echo, { text: "x".repeat(70000) }).asPromise(),
    ValueTooLongError,
  );
  await assertRejects(
    // @ts-expect-error b is missing
    () => client.callRemote(Sum, { a: 1 }).asPromise(),
    MissingArgumentError,
  );
  assertEquals(await client.callRemote(Echo, { text: "still up" }), {
    text: "still up",
  });
  await pair.close();
});

test("a response the responder cannot encode is logged and answered UNKNOWN", async () => {
  using _quiet = captureLogs({ namespace: "spindle.amp" });
  const server = new AMP().respond(Echo, () => ({ text: "x".repeat(70000) }));
  const client = new AMP();
  const pair = connect(server, client);
  await assertRejects(
    () => client.callRemote(Echo, { text: "" }).asPromise(),
    UnknownRemoteError,
  );
  await pair.done;
  assertEquals(flushLoggedErrors(ValueTooLongError).length, 1);
});

test("a command box is answered on the wire with _answer echoing _ask", async () => {
  const { raw, done } = connectRaw(
    new AMP().respond(Sum, ({ a, b }) => ({ total: a + b })),
  );
  await raw.write(rawBox({ _command: "Sum", _ask: "ff", a: "4", b: "5" }));
  await raw.write(rawBox({ _command: "Nope", _ask: "100" }));
  await raw.closeWrite();
  assertEquals(await readAll(raw), [
    { total: "9", _answer: "ff" },
    {
      _error: "100",
      _error_code: "UNHANDLED",
      _error_description: 'Unhandled Command: "Nope"',
    },
  ]);
  await done;
});

test("arguments from the peer that do not decode are answered UNKNOWN, then the connection closes", async () => {
  using _logs = captureLogs({ namespace: "spindle.amp" });
  const { raw, done } = connectRaw(
    new AMP().respond(Sum, ({ a, b }) => ({ total: a + b })),
  );
  await raw.write(rawBox({ _command: "Sum", _ask: "1", a: "four", b: "5" }));
  const [answer] = await readAll(raw);
  assertEquals(answer!._error_code, "UNKNOWN");
  assert(answer!._error_description!.includes('"a"'));
  await done;
});

for (
  const [name, bytes, errorClass] of [
    ["malformed bytes", new Uint8Array([0xff, 0xff]), "KeyTooLongError"],
    ["a box with no routing key", rawBox({ a: "1" }), UnroutableBoxError.name],
    [
      "an answer to a request never made",
      rawBox({ _answer: "99" }),
      UnknownAnswerError.name,
    ],
  ] as const
) {
  test(`${name} from the peer close the connection and fail outstanding calls`, async () => {
    using logs = captureLogs({ namespace: "spindle.amp" });
    const client = new AMP();
    const [clientConn, raw] = connectedPair();
    const done = runProtocol(client, clientConn, { reactor: new Clock() });
    const pending = client.callRemote(Sum, { a: 1, b: 2 });
    await raw.write(bytes);
    const error = await assertRejects(
      () => pending.asPromise(),
      ConnectionLostError,
    );
    assertEquals((error.cause as Error).name, errorClass);
    await readAll(raw);
    await done;
    assertEquals(logs.records[0]!.level, "warn");
  });
}

test("a shared CommandLocator serves every connection a Factory builds", async () => {
  const locator = new CommandLocator().respond(
    Sum,
    ({ a, b }) => ({ total: a + b }),
  );
  class SumServer extends AMP {
    constructor() {
      super({ locator });
    }
  }
  const factory = Factory.forProtocol(SumServer);
  const clock = new Clock();
  const served: Promise<void>[] = [];
  for (const n of [1, 2]) {
    const [serverConn, clientConn] = connectedPair();
    served.push(factory.handleConnection(serverConn, clock));
    const client = new AMP();
    const done = runProtocol(client, clientConn, { reactor: clock });
    assertEquals(await client.callRemote(Sum, { a: n, b: n }), {
      total: 2 * n,
    });
    client.transport.loseConnection();
    await done;
  }
  await Promise.all(served);
});

test("callRemote before the peer is connected fails with NotConnectedError", async () => {
  await assertRejects(
    () => new AMP().callRemote(Sum, { a: 1, b: 1 }).asPromise(),
    NotConnectedError,
  );
});

test("a call can time out with addTimeout; the late answer is then ignored", async (t) => {
  const answer = new Deferred<{ total: number }>();
  const server = new AMP().respond(Sum, () => answer);
  const client = new AMP();
  const pair = connect(server, client);
  const call = client.callRemote(Sum, { a: 1, b: 1 }).addTimeout(1000, t.clock);
  t.clock.advance(1000);
  await assertRejects(() => call.asPromise(), TimeoutError);
  answer.callback({ total: 2 });
  // The connection is still in good shape for the next call.
  server.respond(Sum, ({ a, b }) => ({ total: a + b }));
  assertEquals(await client.callRemote(Sum, { a: 2, b: 2 }), { total: 4 });
  await pair.close();
});

test("a cancelled call leaves the answer table at once", async () => {
  const answer = new Deferred<{ total: number }>();
  const server = new AMP().respond(Sum, () => answer);
  const client = new AMP();
  const pair = connect(server, client);
  const call = client.callRemote(Sum, { a: 1, b: 1 });
  assertEquals(client.outstandingCalls, 1);
  call.cancel();
  assertEquals(client.outstandingCalls, 0);
  await assertRejects(() => call.asPromise(), CancelledError);
  answer.callback({ total: 2 });
  await pair.close();
});

test("the late answer to a cancelled call is dropped quietly and the connection goes on", async () => {
  const answer = new Deferred<{ total: number }>();
  const server = new AMP().respond(Sum, ({ a, b }) => {
    if (a === 0) return answer;
    return { total: a + b };
  });
  const client = new AMP();
  const pair = connect(server, client);
  const call = client.callRemote(Sum, { a: 0, b: 1 });
  await turns();
  call.cancel();
  await assertRejects(() => call.asPromise(), CancelledError);
  answer.callback({ total: 1 });
  await turns();
  assert(client.connected, "the late answer closed the connection");
  assertEquals(await client.callRemote(Sum, { a: 2, b: 3 }), { total: 5 });
  await pair.close();
});

test("the late error answer to a cancelled call is dropped quietly too", async () => {
  const answer = new Deferred<{ result: number }>();
  const server = new AMP().respond(
    Divide,
    ({ numerator, denominator }) =>
      denominator === 0 ? answer : { result: numerator / denominator },
  );
  const client = new AMP();
  const pair = connect(server, client);
  const call = client.callRemote(Divide, { numerator: 1, denominator: 0 });
  await turns();
  call.cancel();
  await assertRejects(() => call.asPromise(), CancelledError);
  answer.errback(new DivideByZeroError("division by zero"));
  await turns();
  assert(client.connected, "the late error closed the connection");
  assertEquals(
    await client.callRemote(Divide, { numerator: 6, denominator: 3 }),
    {
      result: 2,
    },
  );
  await pair.close();
});

test("cancelling one call leaves the other calls to their answers", async () => {
  const gates = new Map<number, Deferred<{ total: number }>>();
  const server = new AMP().respond(Sum, ({ a }) => {
    const gate = new Deferred<{ total: number }>();
    gates.set(a, gate);
    return gate;
  });
  const client = new AMP();
  const pair = connect(server, client);
  const calls = [1, 2, 3].map((a) => client.callRemote(Sum, { a, b: 0 }));
  while (gates.size < 3) await turns(1);
  calls[1]!.cancel();
  assertEquals(client.outstandingCalls, 2);
  for (const [a, gate] of gates) gate.callback({ total: a * 10 });
  assertEquals(await calls[0], { total: 10 });
  assertEquals(await calls[2], { total: 30 });
  await assertRejects(() => calls[1]!.asPromise(), CancelledError);
  assertEquals(client.outstandingCalls, 0);
  await pair.close();
});

test("a second answer for a cancelled call is an UnknownAnswerError", async () => {
  using _logs = captureLogs({ namespace: "spindle.amp" });
  const client = new AMP();
  const [clientConn, raw] = connectedPair();
  const done = runProtocol(client, clientConn, { reactor: new Clock() });
  const cancelled = client.callRemote(Sum, { a: 1, b: 1 });
  cancelled.cancel();
  await assertRejects(() => cancelled.asPromise(), CancelledError);
  const pending = client.callRemote(Sum, { a: 1, b: 2 });
  await raw.write(rawBox({ _answer: "1", total: "2" }));
  await raw.write(rawBox({ _answer: "1", total: "2" }));
  const error = await assertRejects(
    () => pending.asPromise(),
    ConnectionLostError,
  );
  assertInstanceOf(error.cause, UnknownAnswerError);
  await readAll(raw);
  await done;
});

/** Lets the connected pair move bytes for a few event-loop turns. */
async function turns(count = 20) {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

test("at maxInFlight, the peer's further commands wait until an answer goes out", async () => {
  const gates: Deferred<{ total: number }>[] = [];
  const server = new AMP({ maxInFlight: 2 }).respond(Sum, () => {
    const gate = new Deferred<{ total: number }>();
    gates.push(gate);
    return gate;
  });
  const client = new AMP();
  const pair = connect(server, client);
  const calls = [1, 2, 3, 4, 5].map((a) => client.callRemote(Sum, { a, b: 0 }));
  await turns();
  assertEquals(gates.length, 2);
  gates[0]!.callback({ total: 1 });
  assertEquals(await calls[0], { total: 1 });
  await turns();
  assertEquals(gates.length, 3);
  for (let i = 1; i < 5; i++) {
    while (gates.length <= i) await turns(1);
    gates[i]!.callback({ total: i + 1 });
  }
  const totals = (await Promise.all(calls)).map(({ total }) => total);
  assertEquals(totals, [1, 2, 3, 4, 5]);
  await pair.close();
});

test("responders that answer at once do not count against maxInFlight", async () => {
  const server = new AMP({ maxInFlight: 1 }).respond(
    Sum,
    ({ a, b }) => ({ total: a + b }),
  );
  const client = new AMP();
  const pair = connect(server, client);
  const calls = Array.from(
    { length: 50 },
    (_, i) => client.callRemote(Sum, { a: i, b: 1 }),
  );
  const totals = (await Promise.all(calls)).map(({ total }) => total);
  assertEquals(totals, Array.from({ length: 50 }, (_, i) => i + 1));
  await pair.close();
});

test("at maxInFlight 1, async responders still answer every call, one at a time", async () => {
  const server = new AMP({ maxInFlight: 1 }).respond(Sum, async ({ a, b }) => {
    await turns(1);
    return { total: a + b };
  });
  const client = new AMP();
  const pair = connect(server, client);
  const calls = Array.from(
    { length: 20 },
    (_, i) => client.callRemote(Sum, { a: i, b: i }),
  );
  const totals = (await Promise.all(calls)).map(({ total }) => total);
  assertEquals(totals, Array.from({ length: 20 }, (_, i) => 2 * i));
  await pair.close();
});

test("maxInFlight below 1 is a RangeError", () => {
  let thrown: unknown;
  try {
    new AMP({ maxInFlight: 0 });
  } catch (error) {
    thrown = error;
  }
  assertInstanceOf(thrown, RangeError);
});
