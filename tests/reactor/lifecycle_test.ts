import { assert, assertEquals, assertRejects } from "../../trial/assertions.ts";
import { captureLogs } from "../../log/mod.ts";
import { Deferred } from "../../deferred/deferred.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import { react } from "../../reactor/react.ts";
import { encoder } from "./_helpers.ts";

const quiet = { installSignalHandlers: false };

Deno.test("run fires the startup triggers in phase order, then callWhenRunning", async () => {
  const reactor = new DenoReactor();
  const events: string[] = [];
  reactor.addSystemEventTrigger("after", "startup", () => events.push("after"));
  reactor.addSystemEventTrigger(
    "during",
    "startup",
    () => events.push("during"),
  );
  reactor.addSystemEventTrigger(
    "before",
    "startup",
    () => events.push("before"),
  );
  reactor.callWhenRunning((name: string) => {
    events.push(name);
    assertEquals(reactor.state, "running");
    reactor.stop();
  }, "running");
  await reactor.run(quiet);
  assertEquals(events, ["before", "during", "after", "running"]);
  assertEquals(reactor.state, "stopped");
});

Deno.test("stop fires the shutdown triggers in phase order and resolves run", async () => {
  const reactor = new DenoReactor();
  const events: string[] = [];
  reactor.addSystemEventTrigger(
    "before",
    "shutdown",
    () => events.push("before"),
  );
  reactor.addSystemEventTrigger(
    "during",
    "shutdown",
    () => events.push("during"),
  );
  reactor.addSystemEventTrigger(
    "after",
    "shutdown",
    () => events.push("after"),
  );
  const running = reactor.run(quiet);
  assert(reactor.running);
  await reactor.stop();
  await running;
  assertEquals(events, ["before", "during", "after"]);
});

Deno.test("shutdown waits for a before-shutdown trigger's Deferred", async () => {
  const reactor = new DenoReactor();
  const events: string[] = [];
  const drained = new Deferred<void>();
  reactor.addSystemEventTrigger("before", "shutdown", () => {
    setTimeout(() => {
      events.push("drained");
      drained.callback(undefined);
    }, 10);
    return drained;
  });
  reactor.addSystemEventTrigger(
    "during",
    "shutdown",
    () => events.push("during"),
  );
  const running = reactor.run(quiet);
  await reactor.stop();
  await running;
  assertEquals(events, ["drained", "during"]);
});

Deno.test("shutdown goes on without a before-shutdown trigger that outlives the deadline", async () => {
  const reactor = new DenoReactor();
  reactor.shutdownTimeout = 20;
  using logs = captureLogs({ level: "warn" });
  const never = new Deferred<void>();
  reactor.addSystemEventTrigger("before", "shutdown", () => never);
  const running = reactor.run(quiet);
  await reactor.stop();
  await running;
  assertEquals(logs.records.length, 1);
  never.callback(undefined);
});

Deno.test("a reactor can be run and stopped again and again", async () => {
  const reactor = new DenoReactor();
  let startups = 0;
  let whenRunning = 0;
  reactor.addSystemEventTrigger("during", "startup", () => startups++);
  reactor.callWhenRunning(() => whenRunning++);
  for (let i = 0; i < 3; i++) {
    const running = reactor.run(quiet);
    await reactor.stop();
    await running;
  }
  assertEquals(startups, 3);
  assertEquals(whenRunning, 1);
});

Deno.test("removeSystemEventTrigger removes a trigger", async () => {
  const reactor = new DenoReactor();
  let fired = false;
  const id = reactor.addSystemEventTrigger(
    "during",
    "startup",
    () => fired = true,
  );
  reactor.removeSystemEventTrigger(id);
  const running = reactor.run(quiet);
  await reactor.stop();
  await running;
  assertEquals(fired, false);
});

Deno.test("stopping a reactor that is not running rejects", async () => {
  await assertRejects(() => new DenoReactor().stop(), Error, "not running");
});

Deno.test("stop closes the reactor's listeners and connections and cancels its calls", async () => {
  const reactor = new DenoReactor();
  const running = reactor.run(quiet);
  const port = await reactor.listenTCP(0, () => {}, { interface: "127.0.0.1" });
  const conn = await reactor.connectTCP(
    "127.0.0.1",
    (port.getHost() as Deno.NetAddr).port,
  );
  await conn.write(encoder.encode("pending"));
  reactor.callLater(60_000, () => {});
  await reactor.stop();
  await running;
  assertEquals(reactor.openResources(), []);
  await conn.closed;
});

Deno.test("SIGTERM stops a running reactor gracefully", async () => {
  const reactor = new DenoReactor();
  const events: string[] = [];
  reactor.addSystemEventTrigger(
    "before",
    "shutdown",
    () => events.push("shutdown"),
  );
  using _logs = captureLogs();
  const running = reactor.run();
  Deno.kill(Deno.pid, "SIGTERM");
  await running;
  assertEquals(events, ["shutdown"]);
});

Deno.test("react exits 0 when main succeeds", async () => {
  const codes: number[] = [];
  await react(async (reactor) => {
    await new Promise<void>((resolve) => reactor.callLater(1, () => resolve()));
  }, {
    reactor: new DenoReactor(),
    exit: (code) => codes.push(code),
    ...quiet,
  });
  assertEquals(codes, [0]);
});

Deno.test("react logs the failure of main and exits 1", async () => {
  using logs = captureLogs({ level: "critical" });
  const codes: number[] = [];
  await react(() => {
    throw new Error("main broke");
  }, {
    reactor: new DenoReactor(),
    exit: (code) => codes.push(code),
    ...quiet,
  });
  assertEquals(codes, [1]);
  assertEquals((logs.records[0]?.fields.error as Error).message, "main broke");
});
