import { captureLogs } from "../../log/mod.ts";
import {
  Deferred,
  fail,
  reportUnhandledFailures,
  succeed,
} from "../../deferred/mod.ts";
import {
  assertEquals,
  assertStrictEquals,
  failureResultOf,
  flushLoggedErrors,
  test,
} from "../../trial/mod.ts";

function unhandledReports(fn: () => void): unknown[] {
  using logs = captureLogs({ namespace: "spindle.deferred" });
  fn();
  reportUnhandledFailures();
  return logs.records
    .filter((r) =>
      r.level === "critical" && r.message.startsWith("Unhandled error")
    )
    .map((r) => r.fields.error);
}

test("a failure nobody handles is reported with the original error", () => {
  const error = new Error("lost");
  const reports = unhandledReports(() => void fail(error));
  assertEquals(reports.length, 1);
  assertStrictEquals(reports[0], error);
  flushLoggedErrors(Error);
});

test("the report is logged after the current macrotask", async () => {
  using logs = captureLogs({ namespace: "spindle.deferred" });
  fail(new Error("later"));
  assertEquals(logs.records.length, 0);
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(logs.records.length, 1);
  flushLoggedErrors(Error);
});

test("a failure handled within the same macrotask is not reported", async () => {
  const reports = unhandledReports(() => {
    const d = fail(new Error("handled"));
    d.addErrback(() => {});
  });
  assertEquals(reports, []);
  const d = fail(new Error("handled after a microtask"));
  await null;
  d.addErrback(() => {});
});

test("an awaited failure is not reported", async () => {
  const d = fail(new Error("awaited"));
  try {
    await d;
  } catch {
    // expected
  }
  assertEquals(flushLoggedErrors(), []);
});

test("a failure is reported only once", () => {
  const d = new Deferred<void>();
  const first = unhandledReports(() => d.errback(new Error("once")));
  const second = unhandledReports(() => d.addCallback(() => {}));
  assertEquals([first.length, second.length], [1, 0]);
  flushLoggedErrors(Error);
});

test("a failure handed to an outer Deferred is reported once, on the outer one", () => {
  const reports = unhandledReports(() => {
    const inner = fail(new Error("inner"));
    succeed(0).addCallback(() => inner);
  });
  assertEquals(reports.length, 1);
  flushLoggedErrors(Error);
});

test("a failure seen by failureResultOf is not reported", () => {
  const reports = unhandledReports(() =>
    void failureResultOf(fail(new Error("seen")))
  );
  assertEquals(reports, []);
});

test("a chain waiting on an inner Deferred is not reported", () => {
  const reports = unhandledReports(() => {
    fail(new Error("x")).addErrback(() => new Deferred());
  });
  assertEquals(reports, []);
});

test("an unhandled failure fails the trial test unless flushed", () => {
  using _logs = captureLogs({ namespace: "spindle.deferred" });
  fail(new RangeError("flushed"));
  assertEquals(flushLoggedErrors(RangeError).length, 1);
});
