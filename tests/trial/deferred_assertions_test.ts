import { Deferred, fail, succeed } from "../../deferred/mod.ts";
import {
  assertEquals,
  assertFailure,
  AssertionError,
  assertNoResult,
  assertRejects,
  assertStrictEquals,
  assertThrows,
  failureResultOf,
  flushLoggedErrors,
  successResultOf,
  test,
} from "../../trial/mod.ts";

test("successResultOf returns the value of a fired Deferred", () => {
  assertEquals(successResultOf(succeed(3)), 3);
});

test("successResultOf fails on a Deferred with no result", () => {
  assertThrows(
    () => successResultOf(new Deferred()),
    AssertionError,
    "no result",
  );
});

test("successResultOf fails on a failed Deferred, and that failure is handled", () => {
  assertThrows(
    () => successResultOf(fail(new Error("x"))),
    AssertionError,
    "failure",
  );
  assertEquals(flushLoggedErrors(), []);
});

test("successResultOf fails on a Deferred waiting on another", () => {
  const d = succeed(1).addCallback(() => new Deferred<number>());
  assertThrows(() => successResultOf(d), AssertionError, "no result");
});

test("failureResultOf returns the failure", () => {
  const error = new RangeError("r");
  assertStrictEquals(failureResultOf(fail(error)).value, error);
});

test("failureResultOf checks the failure's type", () => {
  assertThrows(
    () => failureResultOf(fail(new TypeError("t")), RangeError),
    AssertionError,
    "RangeError",
  );
});

test("failureResultOf fails on a success", () => {
  assertThrows(
    () => failureResultOf(succeed(1)),
    AssertionError,
    "success result",
  );
});

test("assertNoResult passes for a pending Deferred and fails for a fired one", () => {
  assertNoResult(new Deferred());
  assertThrows(() => assertNoResult(succeed(1)), AssertionError);
  assertThrows(() => assertNoResult(fail(new Error("x"))), AssertionError);
});

test("assertFailure resolves to the error of the expected type", async () => {
  const error = new SyntaxError("s");
  assertStrictEquals(await assertFailure(fail(error), SyntaxError), error);
});

test("assertFailure rejects on a success or a wrong type", async () => {
  await assertRejects(() => assertFailure(succeed(1)), AssertionError);
  await assertRejects(
    () => assertFailure(fail(new TypeError("t")), RangeError),
    AssertionError,
  );
});

test("assertFailure accepts a Promise", async () => {
  await assertFailure(Promise.reject(new EvalError("e")), EvalError);
});
