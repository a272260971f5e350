import { TimerService } from "../../app/mod.ts";
import { captureLogs } from "../../log/mod.ts";
import { Deferred } from "../../deferred/deferred.ts";
import { Clock } from "../../reactor/clock.ts";
import {
  assertEquals,
  assertStrictEquals,
  flushLoggedErrors,
  test,
} from "../../trial/mod.ts";

test("a timer service calls its function at start and every interval", async () => {
  const clock = new Clock();
  let calls = 0;
  const service = new TimerService(100, () => calls++, { clock });
  await service.startService();
  assertEquals(calls, 1);
  clock.pump([100, 100]);
  assertEquals(calls, 3);
  await service.stopService();
  clock.advance(1000);
  assertEquals(calls, 3);
  assertEquals(clock.getDelayedCalls().length, 0);
});

test("a timer service with now false waits one interval first", async () => {
  const clock = new Clock();
  let calls = 0;
  const service = new TimerService(100, () => calls++, { clock, now: false });
  await service.startService();
  assertEquals(calls, 0);
  clock.advance(100);
  assertEquals(calls, 1);
  await service.stopService();
});

test("stopping a timer service waits for a call in progress", async () => {
  const clock = new Clock();
  const pending = new Deferred<void>();
  const service = new TimerService(100, () => pending, { clock });
  await service.startService();
  let stopped = false;
  const stopping = service.stopService().addCallback(() => {
    stopped = true;
  });
  assertEquals(stopped, false);
  pending.callback();
  await stopping;
  assertEquals(stopped, true);
});

test("a failing function is logged and stops the timer", async () => {
  using logs = captureLogs();
  const clock = new Clock();
  const error = new Error("tick failed");
  let calls = 0;
  const service = new TimerService(100, () => {
    calls++;
    throw error;
  }, { clock, name: "ticker" });
  await service.startService();
  clock.advance(500);
  assertEquals(calls, 1);
  assertEquals(logs.messages(), ["timer ticker stopped: its function failed"]);
  assertStrictEquals(logs.records[0]?.fields.error, error);
  flushLoggedErrors(Error);
  await service.stopService();
});
