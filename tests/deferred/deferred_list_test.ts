import {
  CancelledError,
  Deferred,
  DeferredList,
  fail,
  type Failure,
  FirstError,
  gatherResults,
  race,
  succeed,
} from "../../deferred/mod.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertNoResult,
  assertStrictEquals,
  failureResultOf,
  flushLoggedErrors,
  successResultOf,
  test,
} from "../../trial/mod.ts";

test("DeferredList fires with [ok, value] pairs in input order", () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();
  const list = new DeferredList([a, b]);
  b.callback("b");
  assertNoResult(list);
  a.callback("a");
  assertEquals(successResultOf(list), [[true, "a"], [true, "b"]]);
});

test("DeferredList reports failures as [false, failure] entries", () => {
  const error = new Error("bad");
  const list = new DeferredList([succeed(1), fail<number>(error)]);
  const entries = successResultOf(list);
  assertEquals(entries[0], [true, 1]);
  assertEquals(entries[1]![0], false);
  assertStrictEquals((entries[1]![1] as Failure).value, error);
});

test("a failure handed to a DeferredList counts as handled", () => {
  new DeferredList([fail(new Error("in the list"))]);
  assertEquals(flushLoggedErrors(), []);
});

test("an empty DeferredList fires at once with no entries", () => {
  assertEquals(successResultOf(new DeferredList<number>([])), []);
});

test("fireOnOneCallback fires with [value, index] of the first success", () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();
  const list = new DeferredList<string, [string, number]>([a, b], {
    fireOnOneCallback: true,
  });
  b.callback("second");
  assertEquals(successResultOf(list), ["second", 1]);
  a.callback("first");
});

test("fireOnOneErrback fails with FirstError at the first failure", () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  const list = new DeferredList([a, b], { fireOnOneErrback: true });
  const error = new RangeError("b failed");
  b.errback(error);
  const first = failureResultOf(list, FirstError).value;
  assertEquals(first.index, 1);
  assertStrictEquals(first.error, error);
  assertStrictEquals(first.cause, error);
  a.callback(1);
});

test("without consumeErrors, a failed input keeps its failure", () => {
  const input = fail<number>(new Error("kept"));
  new DeferredList([input]);
  failureResultOf(input);
});

test("consumeErrors continues a failed input's chain with undefined", () => {
  const input = fail<number>(new Error("consumed"));
  new DeferredList([input], { consumeErrors: true });
  assertEquals(successResultOf(input), undefined);
});

test("cancelling a DeferredList cancels every input", () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  const list = new DeferredList([a, b], { consumeErrors: true });
  list.cancel();
  const entries = successResultOf(list);
  assertInstanceOf((entries[0]![1] as Failure).value, CancelledError);
  assertInstanceOf((entries[1]![1] as Failure).value, CancelledError);
});

test("gatherResults fires with the values in input order", () => {
  const a = new Deferred<number>();
  const all = gatherResults([a, succeed(2)]);
  a.callback(1);
  assertEquals(successResultOf(all), [1, 2]);
});

test("gatherResults keeps each position's type", () => {
  const all = gatherResults([succeed(1), succeed("two")]);
  const [n, s]: [number, string] = successResultOf(all);
  assertEquals([n, s], [1, "two"]);
});

test("gatherResults fails with FirstError carrying the index", () => {
  const all = gatherResults([
    succeed(1),
    new Deferred<number>(),
    fail(new TypeError("t")),
  ]);
  const first = failureResultOf(all, FirstError).value;
  assertEquals(first.index, 2);
  assertInstanceOf(first.error, TypeError);
});

test("gatherResults consumes the inputs' errors by default", () => {
  const input = fail<number>(new Error("x"));
  failureResultOf(gatherResults([input]), FirstError);
  assertEquals(successResultOf(input), undefined);
});

test("race fires with [index, value] of the first success", () => {
  const a = new Deferred<string>();
  const b = new Deferred<string>();
  const winner = race([a, b]);
  b.callback("b");
  assertEquals(successResultOf(winner), [1, "b"]);
});

test("race cancels the losers", () => {
  let cancelled = false;
  const loser = new Deferred<string>(() => (cancelled = true));
  const winner = race([loser, succeed("now")]);
  assert(cancelled);
  assertEquals(successResultOf(winner), [1, "now"]);
});

test("race ignores failures while another input may still succeed", () => {
  const a = new Deferred<number>();
  const winner = race([fail<number>(new Error("first failed")), a]);
  assertNoResult(winner);
  a.callback(2);
  assertEquals(successResultOf(winner), [1, 2]);
});

test("race fails with an AggregateError when every input fails", () => {
  const winner = race([fail(new Error("a")), fail(new Error("b"))]);
  const error = failureResultOf(winner, AggregateError).value;
  assertEquals(error.errors.map((e: Error) => e.message), ["a", "b"]);
});

test("cancelling a race cancels every input", () => {
  const a = new Deferred<number>();
  const b = new Deferred<number>();
  const winner = race([a, b]);
  winner.cancel();
  assert(a.called && b.called);
  failureResultOf(winner, AggregateError);
});
