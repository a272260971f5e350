import { assert, assertEquals, assertMatch, test } from "../../trial/mod.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import { checkReactorClean } from "../../trial/dirty_reactor.ts";

test("t.reactor is a fresh reactor of the test's own", (t) => {
  assert(t.reactor instanceof DenoReactor);
  assertEquals(t.reactor.openResources(), []);
});

test("a test that closes what it opened in t.reactor passes", async (t) => {
  const listening = await t.reactor.listenTCP(0, (conn) => conn.close(), {
    interface: "127.0.0.1",
  });
  const conn = await t.reactor.connectTCP(
    "127.0.0.1",
    (listening.getHost() as Deno.NetAddr).port,
  );
  await conn.close();
  await listening.stopListening();
});

Deno.test("checkReactorClean lists leftovers and closes them", async () => {
  const reactor = new DenoReactor();
  const port = await reactor.listenTCP(0, () => {}, { interface: "127.0.0.1" });
  const number = (port.getHost() as Deno.NetAddr).port;
  const conn = await reactor.connectTCP("127.0.0.1", number);
  reactor.callLater(1000, function tick() {});
  const problems = await checkReactorClean(reactor);
  assertEquals(problems.length, 4, problems.join("\n"));
  assert(
    problems.includes(`an open listener: tcp listener on 127.0.0.1:${number}`),
  );
  assert(
    problems.some((p) => p.startsWith("a pending delayed call: tick() due in")),
  );
  assertEquals(
    problems.filter((p) => p.startsWith("an open connection")).length,
    2,
  );
  assertEquals(reactor.openResources(), []);
  await conn.closed.catch(() => {});
});

Deno.test("checkReactorClean reports and stops a reactor left running", async () => {
  const reactor = new DenoReactor();
  const running = reactor.run({ installSignalHandlers: false });
  assertEquals(await checkReactorClean(reactor), [
    "the reactor is still running: stop() it before the test ends",
  ]);
  await running;
  assertEquals(reactor.state, "stopped");
});

Deno.test("checkReactorClean finds nothing in a clean reactor", async () => {
  assertEquals(await checkReactorClean(new DenoReactor()), []);
});

Deno.test("a trial test that leaves a listener open in t.reactor fails with the list of leftovers", async () => {
  const fixture = new URL(
    "../fixtures/trial/leaves_a_listener.ts",
    import.meta.url,
  );
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "--allow-all", "--no-check", fixture.pathname],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const output = new TextDecoder().decode(stdout) +
    new TextDecoder().decode(stderr);
  assertEquals(code, 1, output);
  assertMatch(output, /DirtyTestError/);
  assertMatch(output, /an open listener: tcp listener on 127\.0\.0\.1:\d+/);
  assertMatch(output, /a pending delayed call: forgotten\(\) due in/);
});
