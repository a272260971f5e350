import { captureLogs } from "../../log/mod.ts";
import {
  AlreadyCalledError,
  Deferred,
  getDebugging,
  reportUnhandledFailures,
  setDebugging,
} from "../../deferred/mod.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  flushLoggedErrors,
  test,
} from "../../trial/mod.ts";

/** Runs `fn` with debugging on, and turns it off again. */
function debugged<T>(fn: () => T): T {
  setDebugging(true);
  try {
    return fn();
  } finally {
    setDebugging(false);
  }
}

function makeDeferred(): Deferred<number> {
  return new Deferred<number>();
}

function fireWithError(d: Deferred<number>): void {
  d.errback(new Error("lost"));
}

test("debugging is off by default", () => {
  assertEquals(getDebugging(), false);
});

test("with debugging on, an unhandled failure's report says where the Deferred was created and fired", () => {
  using logs = captureLogs({ namespace: "spindle.deferred" });
  debugged(() => fireWithError(makeDeferred()));
  reportUnhandledFailures();
  const report = logs.records.find((r) => r.level === "critical");
  assert(report !== undefined);
  assertMatch(String(report.fields.created), /^\s*at makeDeferred /);
  assertMatch(String(report.fields.fired), /^\s*at fireWithError /);
  assertMatch(
    report.message,
    /created:\n\s*at makeDeferred [^]*fired:\n\s*at fireWithError /,
  );
  flushLoggedErrors(Error);
});

test("with debugging on, AlreadyCalledError says where the Deferred was first fired", () => {
  const d = debugged(makeDeferred);
  d.callback(1);
  let thrown: unknown;
  try {
    d.callback(2);
  } catch (error) {
    thrown = error;
  }
  assertInstanceOf(thrown, AlreadyCalledError);
  assertMatch(thrown.message, /first fired:\n\s*at .*debugging_test\.ts/);
});

test("with debugging off, Deferreds record nothing and reports are plain", () => {
  using logs = captureLogs({ namespace: "spindle.deferred" });
  fireWithError(makeDeferred());
  reportUnhandledFailures();
  const report = logs.records.find((r) => r.level === "critical");
  assertEquals(report?.message, "Unhandled error in Deferred: Error: lost");
  assertEquals(report?.fields.created, undefined);
  flushLoggedErrors(Error);
});
