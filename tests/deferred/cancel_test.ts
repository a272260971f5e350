import {
  AlreadyCalledError,
  CancelledError,
  Deferred,
  succeed,
  TimeoutError,
} from "../../deferred/mod.ts";
import {
  assert,
  assertEquals,
  assertStrictEquals,
  assertThrows,
  failureResultOf,
  successResultOf,
  test,
} from "../../trial/mod.ts";

test("cancel() without a canceller fails the Deferred with CancelledError", () => {
  const d = new Deferred<number>();
  d.cancel();
  failureResultOf(d, CancelledError);
});

test("cancel() without a canceller ignores the later result", () => {
  const d = new Deferred<number>();
  d.cancel();
  d.callback(1);
  failureResultOf(d, CancelledError);
});

test("cancel() calls the canceller with the Deferred", () => {
  let got: Deferred<number> | undefined;
  const d = new Deferred<number>((self) => {
    got = self;
  });
  d.cancel();
  assertStrictEquals(got, d);
  failureResultOf(d, CancelledError);
});

test("a canceller may fire the Deferred itself", () => {
  const d = new Deferred<string>((self) => self.callback("cancelled nicely"));
  d.cancel();
  assertEquals(successResultOf(d), "cancelled nicely");
});

test("with a canceller, a result after cancel() throws AlreadyCalledError", () => {
  const d = new Deferred<number>(() => {});
  d.cancel();
  failureResultOf(d, CancelledError);
  assertThrows(() => d.callback(1), AlreadyCalledError);
});

test("cancel() on a fired Deferred does nothing", () => {
  let cancellerRan = false;
  const d = new Deferred<number>(() => (cancellerRan = true));
  d.callback(1);
  d.cancel();
  assert(!cancellerRan);
  assertEquals(successResultOf(d), 1);
});

test("cancel() on a chain waiting for an inner Deferred cancels the inner one", () => {
  let innerCancelled = false;
  const inner = new Deferred<number>(() => (innerCancelled = true));
  const outer = succeed(0).addCallback(() => inner);
  outer.cancel();
  assert(innerCancelled);
  failureResultOf(outer, CancelledError);
});

test("addTimeout fails with TimeoutError when the clock passes the timeout", (t) => {
  const d = new Deferred<number>().addTimeout(1000, t.clock);
  t.clock.advance(999);
  assert(!d.called);
  t.clock.advance(1);
  const failure = failureResultOf(d, TimeoutError);
  assertEquals(failure.value.timeout, 1000);
});

test("addTimeout calls the canceller on timeout", (t) => {
  let cancelled = false;
  const d = new Deferred<number>(() => (cancelled = true)).addTimeout(
    10,
    t.clock,
  );
  t.clock.advance(10);
  assert(cancelled);
  failureResultOf(d, TimeoutError);
});

test("a result before the timeout cancels the timer", (t) => {
  const d = new Deferred<number>().addTimeout(1000, t.clock);
  d.callback(5);
  assertEquals(t.clock.getDelayedCalls().length, 0);
  assertEquals(successResultOf(d), 5);
});

test("a plain cancel() before the timeout stays a CancelledError", (t) => {
  const d = new Deferred<number>().addTimeout(1000, t.clock);
  d.cancel();
  failureResultOf(d, CancelledError);
  assertEquals(t.clock.getDelayedCalls().length, 0);
});

test("onTimeoutCancel replaces the TimeoutError", (t) => {
  const d = new Deferred<string>().addTimeout(5, t.clock, {
    onTimeoutCancel: (_result, timeout) => `gave up after ${timeout} ms`,
  });
  t.clock.advance(5);
  assertEquals(successResultOf(d), "gave up after 5 ms");
});
