import {
  AlreadyCalledError,
  Deferred,
  fail,
  Failure,
  succeed,
} from "../../deferred/mod.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertNoResult,
  assertRejects,
  assertStrictEquals,
  assertThrows,
  failureResultOf,
  successResultOf,
  test,
} from "../../trial/mod.ts";

test("callbacks run in the order they were added", () => {
  const order: string[] = [];
  const d = new Deferred<void>();
  d.addCallback(() => void order.push("a"));
  d.addCallback(() => void order.push("b"));
  d.addCallback(() => void order.push("c"));
  d.callback();
  assertEquals(order, ["a", "b", "c"]);
});

test("each callback gets the previous callback's return value", () => {
  const d = new Deferred<number>();
  d.addCallback((n) => n + 1).addCallback((n) => n * 10);
  d.callback(1);
  assertEquals(successResultOf(d), 20);
});

test("a callback added after the result arrived runs synchronously", () => {
  const d = succeed("now");
  let seen: string | undefined;
  d.addCallback((value) => (seen = value));
  assertEquals(seen, "now");
});

test("nothing runs before the Deferred fires", () => {
  const d = new Deferred<number>();
  let ran = false;
  d.addCallback(() => (ran = true));
  assert(!ran);
  assertNoResult(d);
  d.callback(1);
});

test("a callback that throws switches the chain to the errback path", () => {
  const d = new Deferred<number>();
  const error = new RangeError("out");
  const skipped: number[] = [];
  d.addCallback(() => {
    throw error;
  }).addCallback((n) => skipped.push(n));
  d.callback(1);
  assertEquals(skipped, []);
  assertStrictEquals(failureResultOf(d, RangeError).value, error);
});

test("an errback that returns a value switches the chain back to callbacks", () => {
  const d = fail<number>(new Error("bad")).addErrback(() => 7).addCallback((
    n,
  ) => n + 1);
  assertEquals(successResultOf(d), 8);
});

test("an errback that throws passes the new error on", () => {
  const d = fail(new Error("first")).addErrback(() => {
    throw new TypeError("second");
  });
  assertEquals(failureResultOf(d, TypeError).value.message, "second");
});

test("a callback that returns a Failure continues on the errback path", () => {
  const failure = new Failure(new Error("returned"));
  const d = succeed(1).addCallback(() => failure);
  assertStrictEquals(failureResultOf(d), failure);
});

test("errbacks receive a Failure wrapping the raw thrown value", () => {
  const d = new Deferred<void>();
  d.errback("a string");
  const failure = failureResultOf(d);
  assertInstanceOf(failure, Failure);
  assertEquals(failure.value, "a string");
});

test("addCallbacks runs exactly one of its pair", () => {
  const seen: string[] = [];
  succeed(1).addCallbacks(() => seen.push("value"), () => seen.push("error"));
  fail(new Error("x")).addCallbacks(
    () => seen.push("value"),
    () => seen.push("error"),
  );
  assertEquals(seen, ["value", "error"]);
});

test("addBoth gets the value or the failure", () => {
  const results: unknown[] = [];
  succeed(1).addBoth((r) => results.push(r));
  fail(new Error("x")).addBoth((r) => {
    results.push(r instanceof Failure);
  });
  assertEquals(results, [1, true]);
});

test("addErrback with types only catches those types", () => {
  const caught: string[] = [];
  const d = fail<number>(new TypeError("t"))
    .addErrback(() => caught.push("range"), RangeError)
    .addErrback(
      (failure) => {
        caught.push(failure.value.message);
        return 0;
      },
      TypeError,
      SyntaxError,
    );
  assertEquals(caught, ["t"]);
  assertEquals(successResultOf(d), 0);
});

test("a second callback throws AlreadyCalledError", () => {
  const d = succeed(1);
  assertThrows(() => d.callback(2), AlreadyCalledError);
  assertThrows(() => d.errback(new Error("late")), AlreadyCalledError);
  assertEquals(successResultOf(d), 1);
});

test("callback() refuses a Deferred as its value", () => {
  const d = new Deferred<unknown>();
  assertThrows(() => d.callback(new Deferred()), TypeError);
});

test("a callback returning an unfired Deferred pauses the chain until it fires", () => {
  const outer = new Deferred<number>();
  const inner = new Deferred<number>();
  const seen: number[] = [];
  outer.addCallback(() => inner).addCallback((n) => seen.push(n));
  outer.callback(0);
  assertEquals(seen, []);
  assert(outer.paused);
  assertNoResult(outer);
  inner.callback(5);
  assertEquals(seen, [5]);
  assert(!outer.paused);
});

test("a callback returning a fired Deferred continues with its result at once", () => {
  const d = succeed(1).addCallback(() => succeed("inner"));
  assertEquals(successResultOf(d), "inner");
});

test("an inner Deferred's failure continues down the outer errback path", () => {
  const inner = new Deferred<number>();
  const outer = succeed(0).addCallback(() => inner);
  inner.errback(new RangeError("inner failed"));
  assertEquals(
    failureResultOf(outer, RangeError).value.message,
    "inner failed",
  );
});

test("a callback returning a Promise pauses the chain until it settles", async () => {
  const d = succeed(1).addCallback(async (n) => {
    await null;
    return n + 1;
  });
  assertNoResult(d);
  assertEquals(await d, 2);
});

test("a callback returning a rejected Promise fails the chain", async () => {
  const d = succeed(1).addCallback(() => Promise.reject(new TypeError("no")));
  await assertRejects(() => d, TypeError, "no");
});

test("a callback returning its own Deferred fails with a TypeError", () => {
  const d = new Deferred<number>();
  d.addCallback(() => d);
  d.callback(1);
  failureResultOf(d, TypeError);
});

test("pause() holds the chain and unpause() resumes it", () => {
  const d = new Deferred<number>();
  const seen: number[] = [];
  d.addCallback((n) => seen.push(n));
  d.pause();
  d.callback(1);
  assertEquals(seen, []);
  d.unpause();
  assertEquals(seen, [1]);
});

test("pauses nest: the chain resumes after the last unpause()", () => {
  const d = new Deferred<number>();
  let ran = false;
  d.addCallback(() => (ran = true));
  d.pause();
  d.pause();
  d.callback(1);
  d.unpause();
  assert(!ran);
  d.unpause();
  assert(ran);
});

test("a callback that pauses its own Deferred stops the rest of the chain", () => {
  const d = new Deferred<number>();
  const seen: string[] = [];
  d.addCallback((n) => {
    seen.push("first");
    d.pause();
    return n;
  }).addCallback(() => seen.push("second"));
  d.callback(1);
  assertEquals(seen, ["first"]);
  d.unpause();
  assertEquals(seen, ["first", "second"]);
});

test("a callback may add callbacks to its own Deferred; they run after it", () => {
  const d = new Deferred<number>();
  const seen: string[] = [];
  d.addCallback((n) => {
    d.addCallback(() => seen.push("added"));
    seen.push("first");
    return n;
  });
  d.callback(1);
  assertEquals(seen, ["first", "added"]);
});

test("chainDeferred fires the other Deferred with this chain's result", () => {
  const first = new Deferred<number>();
  const second = new Deferred<number>();
  first.chainDeferred(second);
  first.callback(3);
  assertEquals(successResultOf(second), 3);
  assertEquals(successResultOf(first), undefined);
});

test("chainDeferred passes failures on", () => {
  const first = new Deferred<number>();
  const second = new Deferred<number>();
  first.chainDeferred(second);
  first.errback(new SyntaxError("s"));
  failureResultOf(second, SyntaxError);
});

test("chainDeferred to an already fired Deferred fails with AlreadyCalledError", () => {
  const second = succeed(1);
  const first = succeed(2).chainDeferred(second);
  failureResultOf(first, AlreadyCalledError);
});

test("await gives the value and leaves the chain's result unchanged", async () => {
  const d = succeed("v");
  assertEquals(await d, "v");
  assertEquals(successResultOf(d), "v");
});

test("await rethrows the raw error of a failed Deferred", async () => {
  const error = new URIError("u");
  const thrown = await assertRejects(() => fail(error), URIError);
  assertStrictEquals(thrown, error);
});

test("then() works like Promise.prototype.then", async () => {
  const d = new Deferred<number>();
  const doubled = d.then((n) => n * 2);
  d.callback(4);
  assertEquals(await doubled, 8);
  assertEquals(
    await fail(new Error("x")).then(null, () => "recovered"),
    "recovered",
  );
});

test("fromPromise fires with the Promise's value", async () => {
  const d = Deferred.fromPromise(Promise.resolve(5));
  assertNoResult(d);
  assertEquals(await d, 5);
});

test("fromPromise fails with the Promise's rejection", async () => {
  const d = Deferred.fromPromise(Promise.reject(new EvalError("e")));
  await assertRejects(() => d, EvalError);
});

test("asPromise settles with the chain's result at that point", async () => {
  const d = new Deferred<number>();
  d.addCallback((n) => n + 1);
  const promise = d.asPromise();
  d.addCallback((n) => n * 100);
  d.callback(1);
  assertEquals(await promise, 2);
  assertEquals(successResultOf(d), 200);
});

test("100,000 nested Deferreds returned from callbacks complete without stack overflow", () => {
  const count = 100_000;
  const inners = Array.from({ length: count }, () => new Deferred<number>());
  const top = new Deferred<number>();
  top.addCallback(() => inners[0]!);
  for (let i = 0; i < count - 1; i++) {
    const next = inners[i + 1]!;
    inners[i]!.addCallback(() => next);
  }
  const last = new Deferred<number>();
  inners[count - 1]!.addCallback(() => last);
  let depth = 0;
  top.addCallback((n) => {
    depth = new Error().stack!.split("\n").length;
    return n;
  });
  top.callback(0);
  for (const inner of inners) inner.callback(0);
  assertNoResult(top);
  last.callback(42);
  assertEquals(successResultOf(top), 42);
  assert(depth < 50, `stack depth ${depth} grows with the chain`);
});

test("100,000 Deferreds fired innermost first complete without stack overflow", () => {
  const count = 100_000;
  const ds = Array.from({ length: count }, () => new Deferred<number>());
  for (let i = 0; i < count - 1; i++) {
    const next = ds[i + 1]!;
    ds[i]!.addCallback(() => next);
  }
  for (let i = count - 1; i >= 0; i--) ds[i]!.callback(i);
  assertEquals(successResultOf(ds[0]!), count - 1);
});

test("100,000 Deferreds linked by chainDeferred complete without stack overflow", () => {
  const count = 100_000;
  const ds = Array.from({ length: count }, () => new Deferred<number>());
  for (let i = 0; i < count - 1; i++) ds[i]!.chainDeferred(ds[i + 1]!);
  ds[0]!.callback(9);
  assertEquals(successResultOf(ds[count - 1]!), 9);
});

test("Deferred<T> is assignable to Deferred<unknown>", () => {
  const accept = (d: Deferred<unknown>): boolean => d.called;
  assert(accept(succeed(1)));
});
