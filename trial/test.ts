/**
 * `test()`: a `Deno.test` with Twisted trial's discipline.
 *
 * @module
 */
import { reportUnhandledFailures } from "../deferred/deferred.ts";
import { Clock } from "../reactor/clock.ts";
import { DenoReactor } from "../reactor/deno_reactor.ts";
import type { TestContext } from "./context.ts";
import { formatValue, type LogRecord } from "../log/mod.ts";
import { AssertionError } from "./assertions.ts";
import { currentHooks } from "./hooks.ts";
import { startCollecting, takeLoggedErrors } from "./logged_errors.ts";
import { startTestLog } from "./test_log.ts";
// Installs the dirty-reactor check on t.reactor as a hook.
import "./dirty_reactor.ts";

/**
 * Options of {@linkcode test}.
 *
 * @example Usage
 * ```ts
 * import type { TestOptions } from "@spindle/spindle/trial";
 * const options: TestOptions = { timeout: 5_000, todo: "IPv6 support" };
 * console.assert(options.timeout === 5_000);
 * ```
 */
export interface TestOptions {
  /** Fails the test if its body has not finished after this many ms; 120,000 by default. */
  timeout?: number;
  /** Skips the test (Deno reports it as ignored); a string says why. */
  skip?: boolean | string;
  /**
   * Deno's name for `skip`, so that options made for `Deno.test` (such as a
   * missing interop peer's `{ ignore: true }`) work here too.
   */
  ignore?: boolean;
  /**
   * Marks the test as an expected failure: it passes when it fails (and says
   * so), and fails when it passes. A string says what is not done yet.
   */
  todo?: boolean | string;
  /** Runs only the tests marked `only` (Deno's `only`). */
  only?: boolean;
  /** Deno's op sanitizer; on by default. */
  sanitizeOps?: boolean;
  /** Deno's resource sanitizer; on by default. */
  sanitizeResources?: boolean;
  /** Deno's exit sanitizer; on by default. */
  sanitizeExit?: boolean;
  /** Deno's per-test permissions. */
  permissions?: Deno.PermissionOptions;
}

/**
 * The error a trial test fails with when more than one thing went wrong (the
 * body, cleanups, logged errors, leftovers found by hooks): each is in
 * `errors`, and the message lists them all.
 *
 * @example Usage
 * ```ts
 * import { TestFailedError } from "@spindle/spindle/trial";
 * const error = new TestFailedError("t", [new Error("a"), new Error("b")]);
 * console.assert(error.errors.length === 2);
 * ```
 */
export class TestFailedError extends AggregateError {
  /** Creates the error for test `name` and what went wrong in it. */
  constructor(name: string, errors: unknown[]) {
    super(
      errors,
      `The test ${JSON.stringify(name)} failed ${errors.length} ways:\n\n${
        errors.map((error, i) => `${i + 1}. ${describe(error)}`).join("\n\n")
      }`,
      { cause: errors[0] },
    );
    this.name = "TestFailedError";
  }
}

/**
 * The error that fails a test whose logger recorded errors (level `error` or
 * `critical` with a `fields.error`) that the test did not flush with
 * `flushLoggedErrors`; the first logged error is its `cause`.
 *
 * @example Usage
 * ```ts
 * import { LoggedErrorsError } from "@spindle/spindle/trial";
 * const error = new LoggedErrorsError([]);
 * console.assert(error.records.length === 0);
 * ```
 */
export class LoggedErrorsError extends Error {
  /** The log records of the unflushed errors. */
  readonly records: LogRecord[];
  /** Creates the error for `records`. */
  constructor(records: LogRecord[]) {
    super(
      `${records.length} error(s) were logged during the test: handle them, or call flushLoggedErrors() if they are expected\n${
        records.map((record) =>
          `- [${record.namespace}#${record.level}] ${record.message}\n${
            indent(describe(record.fields.error))
          }`
        ).join("\n")
      }`,
      { cause: records[0]?.fields.error },
    );
    this.name = "LoggedErrorsError";
    this.records = records;
  }
}

/**
 * The error that fails a test whose hooks found leftovers after it (Twisted's
 * dirty reactor): open listeners, connections, pending calls.
 *
 * @example Usage
 * ```ts
 * import { DirtyTestError } from "@spindle/spindle/trial";
 * const error = new DirtyTestError(["a listener on 127.0.0.1:8080"]);
 * console.assert(error.problems.length === 1);
 * ```
 */
export class DirtyTestError extends Error {
  /** One description per leftover. */
  readonly problems: string[];
  /** Creates the error for `problems`. */
  constructor(problems: string[]) {
    super(
      `The test left things behind: close or cancel them before it ends\n${
        problems.map((problem) => `- ${problem}`).join("\n")
      }`,
    );
    this.name = "DirtyTestError";
    this.problems = problems;
  }
}

/**
 * The error that fails a test whose body did not finish within its `timeout`.
 *
 * @example Usage
 * ```ts
 * import { TestTimeoutError } from "@spindle/spindle/trial";
 * console.assert(new TestTimeoutError(10).timeout === 10);
 * ```
 */
export class TestTimeoutError extends Error {
  /** The timeout, in milliseconds. */
  readonly timeout: number;
  /** Creates the error for a timeout of `timeout` milliseconds. */
  constructor(timeout: number) {
    super(
      `The test body did not finish within ${timeout} ms: something is waiting forever, or pass a longer { timeout }`,
    );
    this.name = "TestTimeoutError";
    this.timeout = timeout;
  }
}

const DEFAULT_TIMEOUT = 120_000;

/**
 * Registers a `Deno.test` run the trial way. The body gets a
 * {@linkcode TestContext} (with a fresh fake `clock`) and may return a
 * Deferred or a Promise, which is waited for (up to `options.timeout`). After
 * the body: cleanups run, unhandled Deferred failures are reported, and hooks
 * check for leftovers; the test fails if the body failed, a cleanup failed, an
 * error was logged and not flushed, or a hook found leftovers.
 *
 * @example Usage
 * ```ts
 * import { Deferred } from "@spindle/spindle/deferred";
 * import { assertEquals, test } from "@spindle/spindle/trial";
 * test("a Deferred fires on the clock", (t) => {
 *   const d = new Deferred<string>();
 *   t.clock.callLater(1000, () => d.callback("tick"));
 *   t.clock.advance(1000);
 *   return d.addCallback((value) => assertEquals(value, "tick"));
 * });
 * // Trial tests and plain Deno tests mix in one module.
 * Deno.test("a plain Deno test", () => {});
 * ```
 */
export function test(
  name: string,
  fn: (t: TestContext) => unknown,
  options?: TestOptions,
): void {
  const definition: Deno.TestDefinition = {
    name,
    fn: (denoContext) => runTest(name, fn, denoContext, options ?? {}),
    ignore: options?.ignore === true ||
      (options?.skip !== undefined && options.skip !== false),
  };
  if (options?.only !== undefined) definition.only = options.only;
  if (options?.sanitizeOps !== undefined) {
    definition.sanitizeOps = options.sanitizeOps;
  }
  if (options?.sanitizeResources !== undefined) {
    definition.sanitizeResources = options.sanitizeResources;
  }
  if (options?.sanitizeExit !== undefined) {
    definition.sanitizeExit = options.sanitizeExit;
  }
  if (options?.permissions !== undefined) {
    definition.permissions = options.permissions;
  }
  Deno.test(definition);
}

/**
 * Runs one trial test body with its set-up and checks; {@linkcode test}
 * registers this as the `Deno.test` function. Exported for trial's own tests.
 */
export async function runTest(
  name: string,
  fn: (t: TestContext) => unknown,
  denoContext: Deno.TestContext,
  options: TestOptions,
): Promise<void> {
  startCollecting();
  const testLog = startTestLog();
  const cleanups: (() => unknown)[] = [];
  const t: TestContext = {
    name,
    clock: new Clock(),
    reactor: new DenoReactor(),
    deno: denoContext,
    addCleanup(cleanup) {
      cleanups.push(cleanup);
    },
  };
  const errors: unknown[] = [];
  const hooks = currentHooks();
  let setUpDone = 0;
  try {
    for (const hook of hooks) {
      await hook.setUp?.(t);
      setUpDone++;
    }
    await withTimeout(() => fn(t), options.timeout ?? DEFAULT_TIMEOUT);
  } catch (error) {
    errors.push(error);
  }
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      errors.push(error);
    }
  }
  reportUnhandledFailures();
  const problems: string[] = [];
  for (let i = setUpDone - 1; i >= 0; i--) {
    try {
      const found = await hooks[i]!.tearDown?.(t);
      if (found) problems.push(...found);
    } catch (error) {
      errors.push(error);
    }
  }
  if (problems.length > 0) errors.push(new DirtyTestError(problems));
  // Hooks may have logged errors while tearing down: collect them last.
  reportUnhandledFailures();
  const logged = takeLoggedErrors();
  if (logged.length > 0) errors.push(new LoggedErrorsError(logged));
  testLog.stop();

  if (options.todo !== undefined && options.todo !== false) {
    const why = typeof options.todo === "string" ? `: ${options.todo}` : "";
    if (errors.length === 0) {
      throw new AssertionError(
        `The test is marked todo${why}, but it passed: remove the todo mark`,
      );
    }
    console.log(
      `%cexpected failure%c (todo${why}): ${
        describe(errors[0])
          .split("\n")[0]
      }`,
      "color: yellow",
      "",
    );
    return;
  }
  if (errors.length === 0) return;
  const lines = testLog.lines();
  if (lines.length > 0) {
    console.error(`the log of the failed test:\n${lines.join("\n")}`);
  }
  if (errors.length === 1) throw errors[0];
  throw new TestFailedError(name, errors);
}

async function withTimeout(body: () => unknown, ms: number): Promise<void> {
  const result = body();
  if (
    result === null || typeof result !== "object" ||
    typeof (result as PromiseLike<unknown>).then !== "function"
  ) {
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TestTimeoutError(ms)), ms);
  });
  try {
    await Promise.race([result as PromiseLike<unknown>, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    return error.stack ?? `${error.name}: ${error.message}`;
  }
  return formatValue(error);
}

function indent(text: string): string {
  return text.split("\n").map((line) => `    ${line}`).join("\n");
}
