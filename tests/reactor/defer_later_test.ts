import { CancelledError } from "../../deferred/mod.ts";
import { deferLater } from "../../reactor/mod.ts";
import {
  assertEquals,
  assertNoResult,
  failureResultOf,
  successResultOf,
  test,
} from "../../trial/mod.ts";

test("deferLater fires after the delay with the function's result", (t) => {
  const d = deferLater(t.clock, 100, () => "later");
  t.clock.advance(99);
  assertNoResult(d);
  t.clock.advance(1);
  assertEquals(successResultOf(d), "later");
});

test("deferLater without a function fires with undefined", (t) => {
  const d = deferLater(t.clock, 5);
  t.clock.advance(5);
  assertEquals(successResultOf(d), undefined);
});

test("deferLater fails when the function throws", (t) => {
  const d = deferLater(t.clock, 1, () => {
    throw new TypeError("no");
  });
  t.clock.advance(1);
  failureResultOf(d, TypeError);
});

test("cancelling deferLater cancels the scheduled call", (t) => {
  let ran = false;
  const d = deferLater(t.clock, 10, () => (ran = true));
  d.cancel();
  failureResultOf(d, CancelledError);
  assertEquals(t.clock.getDelayedCalls(), []);
  t.clock.advance(10);
  assertEquals(ran, false);
});
