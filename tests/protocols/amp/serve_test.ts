import {
  AMP,
  CommandLocator,
  defineCommand,
  Integer,
  serveAMP,
  Unicode,
} from "../../../protocols/amp/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import {
  clientFromString,
  connectProtocol,
  EndpointTransportError,
} from "../../../reactor/endpoints/mod.ts";
import { ConnectionLostError } from "../../../reactor/errors.ts";
import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
  test,
} from "../../../trial/mod.ts";

const Sum = defineCommand({
  name: "Sum",
  arguments: { a: Integer, b: Integer },
  response: { total: Integer },
});
const Echo = defineCommand({
  name: "Echo",
  arguments: { text: Unicode },
  response: { text: Unicode },
});
const locator = new CommandLocator()
  .respond(Sum, ({ a, b }) => ({ total: a + b }))
  .respond(Echo, ({ text }) => ({ text }));

test("serveAMP answers the locator's commands on an endpoint string", async (t) => {
  const server = await serveAMP(locator, {
    listen: "tcp:0:interface=127.0.0.1",
    reactor: t.reactor,
  });
  const { port } = server.addr as Deno.NetAddr;
  const clients = await Promise.all([1, 2].map(() =>
    connectProtocol(
      clientFromString(t.reactor, `tcp:127.0.0.1:${port}`),
      new AMP(),
    )
  ));
  assertEquals(await clients[0]!.callRemote(Sum, { a: 1, b: 2 }), {
    total: 3,
  });
  assertEquals(await clients[1]!.callRemote(Sum, { a: 3, b: 4 }), {
    total: 7,
  });
  for (const client of clients) client.transport.loseConnection();
  await server.shutdown();
});

test("serveAMP's shutdown stops listening, closes its connections and resolves finished", async (t) => {
  const server = await serveAMP(locator, {
    listen: "tcp:0:interface=127.0.0.1",
    reactor: t.reactor,
  });
  const { port } = server.addr as Deno.NetAddr;
  const client = await connectProtocol(
    clientFromString(t.reactor, `tcp:127.0.0.1:${port}`),
    new AMP(),
  );
  assertEquals(await client.callRemote(Sum, { a: 1, b: 1 }), { total: 2 });
  await server.shutdown();
  await server.finished;
  await assertRejects(
    () => client.callRemote(Sum, { a: 1, b: 1 }).asPromise(),
    ConnectionLostError,
  );
  await assertRejects(
    () => t.reactor.connectTCP("127.0.0.1", port).asPromise(),
  );
});

test("serveAMP gives each connection's peer its limits", async (t) => {
  using _logs = captureLogs({ namespace: "spindle.amp" });
  await using server = await serveAMP(locator, {
    listen: "tcp:0:interface=127.0.0.1",
    reactor: t.reactor,
    maxBoxBytes: 64,
  });
  const { port } = server.addr as Deno.NetAddr;
  const client = await connectProtocol(
    clientFromString(t.reactor, `tcp:127.0.0.1:${port}`),
    new AMP(),
  );
  assertEquals(await client.callRemote(Echo, { text: "short" }), {
    text: "short",
  });
  const error = await assertRejects(
    () => client.callRemote(Echo, { text: "x".repeat(100) }).asPromise(),
    ConnectionLostError,
  );
  assertEquals((error.cause as Error).name, "ConnectionDone");
});

test("serveAMP refuses a datagram endpoint", async (t) => {
  const error = await assertRejects(() =>
    serveAMP(locator, { listen: "udp:0", reactor: t.reactor })
  );
  assertInstanceOf(error, EndpointTransportError);
});
