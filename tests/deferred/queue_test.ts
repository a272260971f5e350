import {
  CancelledError,
  DeferredQueue,
  QueueOverflowError,
  QueueUnderflowError,
} from "../../deferred/mod.ts";
import {
  assertEquals,
  assertNoResult,
  assertThrows,
  failureResultOf,
  successResultOf,
  test,
} from "../../trial/mod.ts";

test("get() on a queue with values fires at once with the oldest", () => {
  const queue = new DeferredQueue<number>();
  queue.put(1);
  queue.put(2);
  assertEquals(successResultOf(queue.get()), 1);
  assertEquals(successResultOf(queue.get()), 2);
});

test("get() on an empty queue waits for the next put()", () => {
  const queue = new DeferredQueue<string>();
  const d = queue.get();
  assertNoResult(d);
  queue.put("x");
  assertEquals(successResultOf(d), "x");
});

test("waiting consumers are served in FIFO order", () => {
  const queue = new DeferredQueue<number>();
  const first = queue.get();
  const second = queue.get();
  queue.put(1);
  queue.put(2);
  assertEquals([successResultOf(first), successResultOf(second)], [1, 2]);
});

test("put() beyond size throws QueueOverflowError", () => {
  const queue = new DeferredQueue<number>({ size: 2 });
  queue.put(1);
  queue.put(2);
  assertThrows(() => queue.put(3), QueueOverflowError);
  assertEquals(queue.pending, 2);
});

test("put() hands values to waiting consumers even at size 0", () => {
  const queue = new DeferredQueue<number>({ size: 0 });
  const d = queue.get();
  queue.put(1);
  assertEquals(successResultOf(d), 1);
  assertThrows(() => queue.put(2), QueueOverflowError);
});

test("get() beyond backlog throws QueueUnderflowError", () => {
  const queue = new DeferredQueue<number>({ backlog: 1 });
  const d = queue.get();
  assertThrows(() => queue.get(), QueueUnderflowError);
  queue.put(1);
  successResultOf(d);
});

test("cancelling a pending get() leaves the line", () => {
  const queue = new DeferredQueue<number>();
  const cancelled = queue.get();
  const next = queue.get();
  cancelled.cancel();
  failureResultOf(cancelled, CancelledError);
  queue.put(7);
  assertEquals(successResultOf(next), 7);
  assertEquals(queue.waiting, 0);
});
