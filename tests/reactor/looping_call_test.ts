import { Deferred, succeed } from "../../deferred/mod.ts";
import { LoopingCall } from "../../reactor/mod.ts";
import {
  assert,
  assertEquals,
  assertNoResult,
  assertStrictEquals,
  assertThrows,
  failureResultOf,
  successResultOf,
  test,
} from "../../trial/mod.ts";

test("start() calls at once and then every interval", (t) => {
  const times: number[] = [];
  const loop = new LoopingCall(() => times.push(t.clock.now()), {
    clock: t.clock,
  });
  loop.start(10);
  t.clock.pump([10, 10, 10]);
  assertEquals(times, [0, 10, 20, 30]);
  loop.stop();
});

test("start() with now: false waits one interval first", (t) => {
  const times: number[] = [];
  const loop = new LoopingCall(() => times.push(t.clock.now()), {
    clock: t.clock,
  });
  loop.start(10, { now: false });
  assertEquals(times, []);
  t.clock.advance(10);
  assertEquals(times, [10]);
  loop.stop();
});

test("stop() fires the start() Deferred with the LoopingCall", (t) => {
  const loop = new LoopingCall(() => {}, { clock: t.clock });
  const done = loop.start(10);
  assertNoResult(done);
  loop.stop();
  assertStrictEquals(successResultOf(done), loop);
  assert(!loop.running);
  assertEquals(t.clock.getDelayedCalls(), []);
});

test("missed intervals are skipped, keeping the grid", (t) => {
  const times: number[] = [];
  const loop = new LoopingCall(() => times.push(t.clock.now()), {
    clock: t.clock,
  });
  loop.start(10);
  t.clock.advance(35);
  assertEquals(times, [0, 35]);
  t.clock.advance(5);
  assertEquals(times, [0, 35, 40]);
  loop.stop();
});

test("the next call waits for a returned Deferred", (t) => {
  let pending: Deferred<void> | undefined;
  let calls = 0;
  const loop = new LoopingCall(() => {
    calls++;
    pending = new Deferred<void>();
    return pending;
  }, { clock: t.clock });
  loop.start(10);
  t.clock.advance(30);
  assertEquals(calls, 1);
  t.clock.advance(5);
  pending!.callback();
  assertEquals(calls, 1);
  t.clock.advance(5);
  assertEquals(calls, 2);
  loop.stop();
});

test("stop() while a call is pending fires once that call finishes", (t) => {
  const work = new Deferred<void>();
  const loop = new LoopingCall(() => work, { clock: t.clock });
  const done = loop.start(10);
  loop.stop();
  assertNoResult(done);
  work.callback();
  successResultOf(done);
});

test("a failing call stops the loop and fails the start() Deferred", (t) => {
  const loop = new LoopingCall(() => {
    throw new RangeError("broken");
  }, { clock: t.clock });
  const done = loop.start(10);
  failureResultOf(done, RangeError);
  assert(!loop.running);
  assertEquals(t.clock.getDelayedCalls(), []);
});

test("cancelling the start() Deferred stops the loop", (t) => {
  let calls = 0;
  const loop = new LoopingCall(() => calls++, { clock: t.clock });
  const done = loop.start(10);
  done.cancel();
  done.addErrback(() => {});
  t.clock.advance(100);
  assertEquals(calls, 1);
  assert(!loop.running);
});

test("reset() restarts the grid from now", (t) => {
  const times: number[] = [];
  const loop = new LoopingCall(() => times.push(t.clock.now()), {
    clock: t.clock,
  });
  loop.start(10, { now: false });
  t.clock.advance(7);
  loop.reset();
  t.clock.advance(9);
  assertEquals(times, []);
  t.clock.advance(1);
  assertEquals(times, [17]);
  loop.stop();
});

test("withCount passes how many intervals passed", (t) => {
  const counts: number[] = [];
  const loop = LoopingCall.withCount((n) => counts.push(n), { clock: t.clock });
  loop.start(10);
  t.clock.advance(10);
  t.clock.advance(45);
  assertEquals(counts, [1, 1, 4]);
  loop.stop();
});

test("an interval of 0 with a returned Deferred runs once per result", (t) => {
  let calls = 0;
  const loop = new LoopingCall(() => {
    calls++;
    return calls < 3 ? succeed(undefined) : new Deferred<void>();
  }, { clock: t.clock });
  loop.start(0);
  t.clock.advance(0);
  t.clock.advance(0);
  assertEquals(calls, 3);
  loop.stop();
});

test("starting a running loop throws; stopping a stopped one throws", (t) => {
  const loop = new LoopingCall(() => {}, { clock: t.clock });
  assertThrows(() => loop.stop());
  loop.start(10);
  assertThrows(() => loop.start(10));
  loop.stop();
});
