import { Deferred, Failure } from "../../deferred/mod.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertStrictEquals,
  assertThrows,
  failureResultOf,
  successResultOf,
  test,
} from "../../trial/mod.ts";

test("a Failure keeps the thrown value as it was", () => {
  const error = new RangeError("r");
  assertStrictEquals(new Failure(error).value, error);
});

test("a Failure keeps the error's stack and cause", () => {
  const cause = new Error("root");
  const error = new Error("top", { cause });
  const failure = new Failure(error);
  assertStrictEquals(failure.stack, error.stack);
  assertStrictEquals(failure.cause, cause);
});

test("a Failure of a non-Error records where it was made", () => {
  const failure = new Failure(42);
  assertMatch(failure.stack, /Non-Error thrown: 42/);
  assertMatch(failure.stack, /failure_test\.ts/);
});

test("check() returns the first matching type or null", () => {
  const failure = new Failure(new TypeError("t"));
  assertStrictEquals(failure.check(RangeError, TypeError), TypeError);
  assertStrictEquals(failure.check(RangeError), null);
});

test("check() matches subclasses", () => {
  assertStrictEquals(new Failure(new TypeError("t")).check(Error), Error);
});

test("trap() returns the matching type", () => {
  assertStrictEquals(
    new Failure(new TypeError("t")).trap(TypeError),
    TypeError,
  );
});

test("trap() rethrows the failure itself when no type matches", () => {
  const failure = new Failure(new TypeError("t"));
  const thrown = assertThrows(() => failure.trap(RangeError)) as unknown;
  assertStrictEquals(thrown, failure);
});

test("trap() in an errback lets other failures continue down the chain", () => {
  const d = new Deferred<number>();
  d.addErrback((failure) => {
    failure.trap(RangeError);
    return 0;
  });
  const error = new TypeError("not mine");
  d.errback(error);
  assertStrictEquals(failureResultOf(d, TypeError).value, error);
});

test("trap() in an errback recovers from the trapped type", () => {
  const d = new Deferred<number>();
  d.addErrback((failure) => {
    failure.trap(RangeError);
    return 0;
  });
  d.errback(new RangeError("mine"));
  assertEquals(successResultOf(d), 0);
});

test("throw() throws the raw value", () => {
  const error = new SyntaxError("s");
  assertStrictEquals(assertThrows(() => new Failure(error).throw()), error);
});

test("Failure.from() does not wrap a Failure twice", () => {
  const failure = new Failure("x");
  assertStrictEquals(Failure.from(failure), failure);
  assert(Failure.from("y") instanceof Failure);
});

test("getErrorMessage() and toString() describe the value", () => {
  const failure = new Failure(new Error("broken"));
  assertEquals(failure.getErrorMessage(), "broken");
  assertEquals(String(failure), "Failure(Error: broken)");
});
