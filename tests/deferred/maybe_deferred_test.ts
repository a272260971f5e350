import {
  Deferred,
  ensureDeferred,
  maybeDeferred,
  succeed,
} from "../../deferred/mod.ts";
import {
  assertEquals,
  assertInstanceOf,
  assertNoResult,
  assertStrictEquals,
  failureResultOf,
  successResultOf,
  test,
} from "../../trial/mod.ts";

test("maybeDeferred wraps a plain return value in a fired Deferred", () => {
  assertEquals(successResultOf(maybeDeferred(() => 3)), 3);
});

test("maybeDeferred passes arguments to the function", () => {
  assertEquals(successResultOf(maybeDeferred(Math.max, 1, 5)), 5);
});

test("maybeDeferred turns a throw into a failed Deferred", () => {
  failureResultOf(maybeDeferred(() => JSON.parse("{")), SyntaxError);
});

test("maybeDeferred returns a returned Deferred as it is", () => {
  const d = succeed(1);
  assertStrictEquals(maybeDeferred(() => d), d);
});

test("maybeDeferred converts a returned Promise", async () => {
  const d = maybeDeferred(() => Promise.resolve("p"));
  assertInstanceOf(d, Deferred);
  assertNoResult(d);
  assertEquals(await d, "p");
});

test("ensureDeferred converts an async function's result", async () => {
  const d = ensureDeferred((async () => {
    await null;
    return 10;
  })());
  assertEquals(await d, 10);
});
