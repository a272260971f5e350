import { DelayedCallQueue, TimerScheduler } from "../../reactor/mod.ts";
import { assert, assertEquals, test } from "../../trial/mod.ts";

test("DelayedCallQueue reports when its earliest call is due", () => {
  let now = 0;
  const queue = new DelayedCallQueue(() => now);
  assertEquals(queue.nextTime(), undefined);
  const call = queue.schedule(50, () => {});
  queue.schedule(20, () => {});
  assertEquals(queue.nextTime(), 20);
  now = 20;
  assertEquals(queue.runDue(now), 1);
  assertEquals(queue.nextTime(), 50);
  call.cancel();
  assertEquals(queue.nextTime(), undefined);
});

test("DelayedCallQueue tells its driver about every change", () => {
  let changes = 0;
  const queue = new DelayedCallQueue(() => 0, { onChange: () => changes++ });
  const call = queue.schedule(10, () => {});
  call.delay(5);
  call.reset(1);
  call.cancel();
  assertEquals(changes, 4);
});

test("runDue with onError keeps running after a call throws", () => {
  const queue = new DelayedCallQueue(() => 0);
  const errors: unknown[] = [];
  let ran = false;
  queue.schedule(0, () => {
    throw new Error("first");
  });
  queue.schedule(0, () => (ran = true));
  queue.runDue(0, (error) => errors.push(error));
  assert(ran);
  assertEquals(errors.length, 1);
});

test("TimerScheduler runs calls on real time, in order", async () => {
  const scheduler = new TimerScheduler();
  const order: string[] = [];
  const both = Promise.withResolvers<void>();
  const run = (name: string) => {
    order.push(name);
    if (order.length === 2) both.resolve();
  };
  const late = scheduler.callLater(50, run, "late");
  const early = scheduler.callLater(1, run, "early");
  // Compare with the times the calls were given, not with the delays: a
  // stall between the two callLater calls on a loaded machine shifts "early".
  const expected = early.getTime() <= late.getTime()
    ? ["early", "late"]
    : ["late", "early"];
  await both.promise;
  assertEquals(order, expected);
  assertEquals(scheduler.getDelayedCalls(), []);
});

test("TimerScheduler leaves no timer once its calls are cancelled", () => {
  const scheduler = new TimerScheduler();
  const a = scheduler.callLater(10_000, () => {});
  const b = scheduler.callLater(20_000, () => {});
  a.cancel();
  b.cancel();
  assertEquals(scheduler.getDelayedCalls(), []);
});

test("TimerScheduler passes errors to onError and goes on", async () => {
  const errors: unknown[] = [];
  const scheduler = new TimerScheduler({ onError: (e) => errors.push(e) });
  scheduler.callLater(0, () => {
    throw new Error("boom");
  });
  await new Promise<void>((resolve) => scheduler.callLater(1, resolve));
  assertEquals(errors.length, 1);
});
