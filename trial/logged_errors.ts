/**
 * The errors logged during a trial test, which fail it unless flushed.
 *
 * @module
 */
import { addLogObserver, type LogRecord } from "../log/mod.ts";
import { reportUnhandledFailures } from "../deferred/deferred.ts";
import type { ErrorType, TrappedError } from "../deferred/failure.ts";

let logged: LogRecord[] = [];
let removeObserver: (() => void) | undefined;

/** Starts collecting logged errors for a new test (and drops older ones). */
export function startCollecting(): void {
  removeObserver ??= addLogObserver((record) => {
    if (record.fields.error !== undefined) logged.push(record);
  }, { level: "error" });
  logged = [];
}

/** Takes the logged errors nobody flushed. */
export function takeLoggedErrors(): LogRecord[] {
  const records = logged;
  logged = [];
  return records;
}

/**
 * Removes the errors logged so far in this test (level `error` or `critical`
 * with a `fields.error`) whose error is an instance of one of `types` (any
 * error without `types`), and returns them; errors not flushed fail the test.
 * Unhandled Deferred failures are reported first, so a failure this test left
 * unhandled is among them.
 *
 * @example Usage
 * ```ts
 * import { fail } from "@spindle/spindle/deferred";
 * import { assertEquals, flushLoggedErrors, test } from "@spindle/spindle/trial";
 * test("an unhandled failure is reported", () => {
 *   fail(new RangeError("nobody handles me"));
 *   assertEquals(flushLoggedErrors(RangeError).length, 1);
 * });
 * // Trial tests and plain Deno tests mix in one module.
 * Deno.test("a plain Deno test", () => {});
 * ```
 */
export function flushLoggedErrors<C extends ErrorType[]>(
  ...types: C
): TrappedError<C>[] {
  reportUnhandledFailures();
  const flushed: TrappedError<C>[] = [];
  const kept: LogRecord[] = [];
  for (const record of logged) {
    const error = record.fields.error;
    if (types.length === 0 || types.some((type) => error instanceof type)) {
      flushed.push(error as TrappedError<C>);
    } else {
      kept.push(record);
    }
  }
  logged = kept;
  return flushed;
}
