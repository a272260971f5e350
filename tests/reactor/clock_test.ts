import { Clock, InactiveCallError } from "../../reactor/mod.ts";
import {
  assert,
  assertEquals,
  assertStrictEquals,
  assertThrows,
  test,
} from "../../trial/mod.ts";

test("a new Clock starts at 0 with no pending calls", () => {
  const clock = new Clock();
  assertEquals([clock.now(), clock.seconds()], [0, 0]);
  assertEquals(clock.getDelayedCalls(), []);
});

test("seconds() is now() in seconds", () => {
  const clock = new Clock({ start: 2500 });
  assertEquals(clock.seconds(), 2.5);
});

test("a call runs when the clock reaches its time, not before", () => {
  const clock = new Clock();
  let ran = false;
  clock.callLater(100, () => (ran = true));
  clock.advance(99);
  assert(!ran);
  clock.advance(1);
  assert(ran);
});

test("callLater passes its extra arguments to the function", () => {
  const clock = new Clock();
  const got: unknown[] = [];
  clock.callLater(0, (a: number, b: string) => got.push(a, b), 1, "two");
  clock.advance(0);
  assertEquals(got, [1, "two"]);
});

test("due calls run in time order", () => {
  const clock = new Clock();
  const order: number[] = [];
  clock.callLater(30, () => order.push(30));
  clock.callLater(10, () => order.push(10));
  clock.callLater(20, () => order.push(20));
  clock.advance(100);
  assertEquals(order, [10, 20, 30]);
});

test("calls due at the same time run in the order they were scheduled", () => {
  const clock = new Clock();
  const order: string[] = [];
  for (const name of ["a", "b", "c", "d"]) {
    clock.callLater(5, () => order.push(name));
  }
  clock.advance(5);
  assertEquals(order, ["a", "b", "c", "d"]);
});

test("during advance(), calls see the advanced time", () => {
  const clock = new Clock();
  let seen = -1;
  clock.callLater(10, () => (seen = clock.now()));
  clock.advance(50);
  assertEquals(seen, 50);
});

test("a call scheduled for now during advance() runs in the same advance()", () => {
  const clock = new Clock();
  const order: string[] = [];
  clock.callLater(10, () => {
    order.push("first");
    clock.callLater(0, () => order.push("follow-up"));
  });
  clock.advance(10);
  assertEquals(order, ["first", "follow-up"]);
});

test("a call scheduled past the advanced time waits", () => {
  const clock = new Clock();
  let later = false;
  clock.callLater(10, () => clock.callLater(10, () => (later = true)));
  clock.advance(15); // the first call runs at 15 and schedules for 25
  clock.advance(9);
  assert(!later);
  clock.advance(1);
  assert(later);
});

test("pump() advances by each step in turn", () => {
  const clock = new Clock();
  const times: number[] = [];
  clock.callLater(1, () => times.push(clock.now()));
  clock.callLater(2, () => times.push(clock.now()));
  clock.callLater(6, () => times.push(clock.now()));
  clock.pump([1, 1, 1, 10]);
  assertEquals(times, [1, 2, 13]);
});

test("advance() refuses to go backwards", () => {
  assertThrows(() => new Clock().advance(-1), RangeError);
});

test("getDelayedCalls() lists pending calls, earliest first", () => {
  const clock = new Clock();
  const late = clock.callLater(20, () => {});
  const early = clock.callLater(10, () => {});
  const calls = clock.getDelayedCalls();
  assertStrictEquals(calls[0], early);
  assertStrictEquals(calls[1], late);
});

test("a cancelled call does not run and leaves the pending list", () => {
  const clock = new Clock();
  let ran = false;
  const call = clock.callLater(10, () => (ran = true));
  call.cancel();
  assert(!call.active());
  clock.advance(10);
  assert(!ran);
  assertEquals(clock.getDelayedCalls(), []);
});

test("cancelling a call twice throws InactiveCallError", () => {
  const call = new Clock().callLater(10, () => {});
  call.cancel();
  const error = assertThrows(() => call.cancel(), InactiveCallError);
  assertEquals(error.reason, "cancelled");
});

test("cancelling a call that ran throws InactiveCallError", () => {
  const clock = new Clock();
  const call = clock.callLater(0, () => {});
  clock.advance(0);
  assert(!call.active());
  assertEquals(
    assertThrows(() => call.cancel(), InactiveCallError).reason,
    "called",
  );
});

test("reset() reschedules a call from now", () => {
  const clock = new Clock();
  let ran = false;
  const call = clock.callLater(10, () => (ran = true));
  clock.advance(5);
  call.reset(10);
  assertEquals(call.getTime(), 15);
  clock.advance(9);
  assert(!ran);
  clock.advance(1);
  assert(ran);
});

test("delay() postpones a call", () => {
  const clock = new Clock();
  const call = clock.callLater(10, () => {});
  call.delay(5);
  assertEquals(call.getTime(), 15);
  clock.advance(15);
  assert(!call.active());
});

test("a reset call runs after calls already due at its new time", () => {
  const clock = new Clock();
  const order: string[] = [];
  const moved = clock.callLater(1, () => order.push("moved"));
  clock.callLater(10, () => order.push("fixed"));
  moved.reset(10);
  clock.advance(10);
  assertEquals(order, ["fixed", "moved"]);
});

test("an error from a call propagates out of advance() and later calls stay pending", () => {
  const clock = new Clock();
  let later = false;
  clock.callLater(1, () => {
    throw new Error("call failed");
  });
  clock.callLater(2, () => (later = true));
  assertThrows(() => clock.advance(5), Error, "call failed");
  assert(!later);
  clock.advance(0);
  assert(later);
});

test("a negative delay means now", () => {
  const clock = new Clock({ start: 100 });
  assertEquals(clock.callLater(-5, () => {}).getTime(), 100);
  clock.advance(0);
});

test("many calls with random times run in time order", () => {
  const clock = new Clock();
  const times: number[] = [];
  let seed = 7;
  const cancelled = new Set<number>();
  const calls = [];
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const at = seed % 1000;
    calls.push(clock.callLater(at, () => times.push(at)));
  }
  for (let i = 0; i < 2000; i += 3) {
    calls[i]!.cancel();
    cancelled.add(i);
  }
  clock.advance(1000);
  assertEquals(times.length, 2000 - cancelled.size);
  assertEquals(times, [...times].sort((a, b) => a - b));
});
