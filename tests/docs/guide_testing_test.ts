// The trial tests of docs/testing_with_trial.md, for the Shout protocol of
// examples/guide_testing.ts. `deno task test` runs them.
import { fail, TimeoutError } from "../../deferred/mod.ts";
import { captureLogs } from "../../log/mod.ts";
import { connectedPair, Factory, runProtocol } from "../../reactor/mod.ts";
import {
  assertEquals,
  assertFailure,
  assertNoResult,
  failureResultOf,
  flushLoggedErrors,
  successResultOf,
  test,
} from "../../trial/mod.ts";
import { IDLE_TIMEOUT, Shout } from "../../examples/guide_testing.ts";

const encode = (text: string) => new TextEncoder().encode(text);

test("each line comes back in capitals, and bye ends the conversation", async (t) => {
  const [client, server] = connectedPair();
  const shout = new Shout();
  const ended = runProtocol(shout, server, { reactor: t.clock });
  await client.write(encode("hello\nbye\n"));
  assertEquals(await new Response(client.readable).text(), "HELLO\nbye\n");
  await ended;
  assertEquals(successResultOf(shout.done), "bye");
});

test("a silent connection is closed after IDLE_TIMEOUT", async (t) => {
  const [client, server] = connectedPair();
  const shout = new Shout();
  const ended = runProtocol(shout, server, { reactor: t.clock });
  t.clock.advance(IDLE_TIMEOUT - 1);
  assertNoResult(shout.done);
  t.clock.advance(1); // no real waiting: the fake clock jumps
  assertEquals(successResultOf(shout.done), "idle");
  assertEquals(await new Response(client.readable).text(), "idle\n");
  await ended;
});

test("a Deferred's timeout fails it with TimeoutError", (t) => {
  const shout = new Shout(); // never connected: done never fires by itself
  const waited = shout.done.addTimeout(1_000, t.clock);
  t.clock.advance(1_000);
  failureResultOf(waited, TimeoutError);
});

test("assertFailure awaits a Deferred that fails later", async (t) => {
  const waited = new Shout().done.addTimeout(1_000, t.clock);
  const checked = assertFailure(waited, TimeoutError);
  t.clock.advance(1_000);
  await checked;
});

test("an unhandled failure fails the test unless it is flushed", () => {
  using _quiet = captureLogs(); // the report goes here, not to the terminal
  fail(new RangeError("nobody handles this"));
  assertEquals(flushLoggedErrors(RangeError).length, 1);
});

test("over real TCP on t.reactor, which must be left clean", async (t) => {
  const port = await t.reactor.listenTCP(0, Factory.forProtocol(Shout), {
    interface: "127.0.0.1",
  });
  t.addCleanup(() => port.stopListening());
  const { port: number } = port.getHost() as Deno.NetAddr;
  await using conn = await t.reactor.connectTCP("127.0.0.1", number);
  await conn.write(encode("tcp\nbye\n"));
  assertEquals(await new Response(conn.readable).text(), "TCP\nbye\n");
});
