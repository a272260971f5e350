import {
  CancelledError,
  DeferredLock,
  DeferredSemaphore,
  fail,
} from "../../deferred/mod.ts";
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

test("acquiring a free lock fires at once with the lock", () => {
  const lock = new DeferredLock();
  assertStrictEquals(successResultOf(lock.acquire()), lock);
  assert(lock.locked);
});

test("acquiring a held lock waits for release()", () => {
  const lock = new DeferredLock();
  lock.acquire();
  const second = lock.acquire();
  assertNoResult(second);
  lock.release();
  successResultOf(second);
  assert(lock.locked);
});

test("lock waiters get the lock in FIFO order", () => {
  const lock = new DeferredLock();
  lock.acquire();
  const order: number[] = [];
  for (const n of [1, 2, 3]) {
    lock.acquire().addCallback(() => void order.push(n));
  }
  lock.release();
  lock.release();
  lock.release();
  assertEquals(order, [1, 2, 3]);
});

test("a newcomer does not jump the lock's queue", () => {
  const lock = new DeferredLock();
  lock.acquire();
  const order: string[] = [];
  lock.acquire().addCallback((held) => {
    order.push("waiter");
    held.release();
    // The lock is free for a moment here, but a waiter queued earlier is first.
    lock.acquire().addCallback(() => void order.push("newcomer"));
  });
  lock.acquire().addCallback(() => void order.push("second waiter"));
  lock.release();
  assertEquals(order, ["waiter", "second waiter"]);
  lock.release();
  assertEquals(order, ["waiter", "second waiter", "newcomer"]);
});

test("cancelling a pending acquire leaves the queue", () => {
  const lock = new DeferredLock();
  lock.acquire();
  const waiter = lock.acquire();
  waiter.cancel();
  failureResultOf(waiter, CancelledError);
  assertEquals(lock.waiting, 0);
  lock.release();
  assert(!lock.locked);
});

test("releasing a free lock throws", () => {
  assertThrows(() => new DeferredLock().release(), Error, "not locked");
});

test("lock.run releases the lock after the function's result", () => {
  const lock = new DeferredLock();
  const d = lock.run(() => "done");
  assertEquals(successResultOf(d), "done");
  assert(!lock.locked);
});

test("lock.run releases the lock when the function fails", () => {
  const lock = new DeferredLock();
  failureResultOf(lock.run(() => fail(new RangeError("x"))), RangeError);
  failureResultOf(
    lock.run(() => {
      throw new TypeError("y");
    }),
    TypeError,
  );
  assert(!lock.locked);
});

test("a semaphore admits up to its token count at once", () => {
  const semaphore = new DeferredSemaphore(2);
  const a = semaphore.acquire();
  const b = semaphore.acquire();
  const c = semaphore.acquire();
  successResultOf(a);
  successResultOf(b);
  assertNoResult(c);
  assertEquals(semaphore.tokens, 0);
  semaphore.release();
  successResultOf(c);
});

test("semaphore waiters get tokens in FIFO order", () => {
  const semaphore = new DeferredSemaphore(1);
  semaphore.acquire();
  const order: number[] = [];
  for (const n of [1, 2, 3, 4]) {
    semaphore.acquire().addCallback((s) => {
      order.push(n);
      s.release();
    });
  }
  semaphore.release();
  assertEquals(order, [1, 2, 3, 4]);
  assertEquals(semaphore.tokens, 1);
});

test("semaphore.run limits concurrency", async () => {
  const semaphore = new DeferredSemaphore(2);
  let running = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 6 }, () =>
    semaphore.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
    })));
  assertEquals(peak, 2);
  assertEquals(semaphore.tokens, 2);
});

test("100,000 waiters released synchronously do not overflow the stack", () => {
  const semaphore = new DeferredSemaphore(1);
  semaphore.acquire();
  let served = 0;
  for (let i = 0; i < 100_000; i++) {
    semaphore.run(() => void served++);
  }
  semaphore.release();
  assertEquals(served, 100_000);
});

test("a semaphore needs at least one whole token", () => {
  assertThrows(() => new DeferredSemaphore(0), RangeError);
  assertThrows(() => new DeferredSemaphore(1.5), RangeError);
});

test("releasing more tokens than were taken throws", () => {
  assertThrows(() => new DeferredSemaphore(1).release(), Error);
});
