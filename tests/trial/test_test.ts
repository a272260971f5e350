// Trial's own behaviour. These run trial bodies through runTest inside plain
// Deno tests, so that a trial test that must fail can be observed failing.
import { captureLogs, getLogger, setup } from "../../log/mod.ts";
import { Deferred, fail, succeed } from "../../deferred/mod.ts";
import {
  addTestHook,
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
  DirtyTestError,
  flushLoggedErrors,
  LoggedErrorsError,
  test,
  type TestContext,
  TestFailedError,
  TestTimeoutError,
} from "../../trial/mod.ts";
import { runTest, type TestOptions } from "../../trial/test.ts";

/**
 * Runs `fn` as a trial test inside this one. The errors it logs on purpose
 * are kept off the console (trial still sees them), and so is the line that
 * trial prints for an expected failure.
 */
async function run(
  t: Deno.TestContext,
  fn: (t: TestContext) => unknown,
  options: TestOptions = {},
): Promise<void> {
  using _logs = captureLogs();
  const log = console.log;
  console.log = () => {};
  try {
    await runTest("inner", fn, t, options);
  } finally {
    console.log = log;
  }
}

Deno.test("a passing body passes", async (t) => {
  await run(t, () => assertEquals(1, 1));
});

Deno.test("a throwing body fails with its error", async (t) => {
  const error = new RangeError("body");
  const thrown = await assertRejects(() =>
    run(t, () => {
      throw error;
    })
  );
  assertStrictEquals(thrown, error);
});

Deno.test("a returned Deferred is waited for", async (t) => {
  let finished = false;
  await run(t, () => {
    const d = new Deferred<void>();
    setTimeout(() => {
      finished = true;
      d.callback();
    }, 1);
    return d;
  });
  assert(finished);
});

Deno.test("a returned failed Deferred fails the test", async (t) => {
  await assertRejects(
    () => run(t, () => fail(new SyntaxError("s"))),
    SyntaxError,
  );
});

Deno.test("each test gets a fresh clock at 0", async (t) => {
  const clocks: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    await run(t, (inner) => {
      assertEquals(inner.clock.now(), 0);
      inner.clock.advance(5);
      clocks.push(inner.clock);
    });
  }
  assert(clocks[0] !== clocks[1]);
});

Deno.test("the context carries the name and Deno's context", async (t) => {
  await runTest(
    "named",
    (inner) => {
      assertEquals(inner.name, "named");
      assertStrictEquals(inner.deno, t);
    },
    t,
    {},
  );
});

Deno.test("a body that does not finish in time fails with TestTimeoutError", async (t) => {
  const never = new Deferred<void>();
  await assertRejects(
    () => run(t, () => never, { timeout: 5 }),
    TestTimeoutError,
  );
});

Deno.test("an error logged during the test fails it", async (t) => {
  const error = await assertRejects(
    () =>
      run(t, () => {
        getLogger("spindle.test").error("handler crashed", {
          error: new TypeError("crash"),
        });
      }),
    LoggedErrorsError,
  );
  assertInstanceOf(error.cause, TypeError);
});

Deno.test("an unhandled Deferred failure fails the test", async (t) => {
  const error = await assertRejects(
    () => run(t, () => void fail(new URIError("lost"))),
    LoggedErrorsError,
  );
  assertInstanceOf(error.cause, URIError);
});

Deno.test("flushed errors do not fail the test", async (t) => {
  await run(t, () => {
    getLogger("spindle.test").error("expected", { error: new TypeError("x") });
    fail(new RangeError("y"));
    assertEquals(flushLoggedErrors(TypeError).length, 1);
    assertEquals(flushLoggedErrors(RangeError).length, 1);
  });
});

Deno.test("flushLoggedErrors leaves errors of other types in place", async (t) => {
  await assertRejects(
    () =>
      run(t, () => {
        getLogger("spindle.test").error("other", { error: new TypeError("x") });
        assertEquals(flushLoggedErrors(RangeError), []);
      }),
    LoggedErrorsError,
  );
});

Deno.test("errors logged without fields.error do not fail the test", async (t) => {
  await run(t, () => getLogger("spindle.test").error("just a message"));
});

Deno.test("cleanups run last-added first, after the body", async (t) => {
  const order: string[] = [];
  await run(t, (inner) => {
    inner.addCleanup(() => order.push("first added"));
    inner.addCleanup(() => succeed(order.push("second added")));
    order.push("body");
  });
  assertEquals(order, ["body", "second added", "first added"]);
});

Deno.test("cleanups run even when the body fails", async (t) => {
  let cleaned = false;
  await assertRejects(() =>
    run(t, (inner) => {
      inner.addCleanup(() => (cleaned = true));
      throw new Error("body failed");
    })
  );
  assert(cleaned);
});

Deno.test("several problems fail the test with a TestFailedError listing them", async (t) => {
  const error = await assertRejects(
    () =>
      run(t, (inner) => {
        inner.addCleanup(() => {
          throw new Error("cleanup failed");
        });
        throw new Error("body failed");
      }),
    TestFailedError,
  );
  assertEquals(error.errors.length, 2);
});

Deno.test("todo: a failing body passes as an expected failure", async (t) => {
  await run(t, () => {
    throw new Error("not implemented yet");
  }, { todo: "feature X" });
});

Deno.test("todo: a passing body fails the test", async (t) => {
  await assertRejects(() => run(t, () => {}, { todo: true }), Error, "todo");
});

Deno.test("hooks set up before the body and report leftovers after it", async (t) => {
  const order: string[] = [];
  const remove = addTestHook({
    setUp: () => void order.push("setUp"),
    tearDown: () => {
      order.push("tearDown");
      return ["a listener on 127.0.0.1:1234"];
    },
  });
  try {
    const error = await assertRejects(
      () => run(t, () => void order.push("body")),
      DirtyTestError,
    );
    assertEquals(error.problems, ["a listener on 127.0.0.1:1234"]);
    assertEquals(order, ["setUp", "body", "tearDown"]);
  } finally {
    remove();
  }
});

Deno.test("a hook that finds nothing lets the test pass", async (t) => {
  const remove = addTestHook({ tearDown: () => [] });
  try {
    await run(t, () => {});
  } finally {
    remove();
  }
});

/** The definitions `fn` hands to `Deno.test`, caught instead of registered. */
function registrations(fn: () => void): Deno.TestDefinition[] {
  const caught: Deno.TestDefinition[] = [];
  // Deno.test is typed read-only but is a writable property at run time.
  const deno = Deno as { test: unknown };
  const register = deno.test;
  deno.test = (definition: Deno.TestDefinition) => caught.push(definition);
  try {
    fn();
  } finally {
    deno.test = register;
  }
  return caught;
}

Deno.test("ignore: true registers the test as ignored, as Deno.test's option does", () => {
  const [definition] = registrations(() =>
    test("inner", () => {}, { ignore: true })
  );
  assertEquals(definition?.ignore, true);
});

Deno.test("a test without ignore or skip is registered to run", () => {
  const [definition] = registrations(() => test("inner", () => {}));
  assertEquals(definition?.ignore, false);
});

/** Runs `body` with whatever the default console writes to stderr kept in `written`. */
function withStderrKept(body: (written: string[]) => Promise<void>) {
  return async () => {
    const stderr = Deno.stderr as { writeSync: (bytes: Uint8Array) => number };
    const written: string[] = [];
    stderr.writeSync = (bytes) => {
      written.push(new TextDecoder().decode(bytes));
      return bytes.length;
    };
    try {
      await body(written);
    } finally {
      delete (stderr as Partial<typeof stderr>).writeSync;
    }
  };
}

Deno.test(
  "a passing trial test's log lines stay off the default console",
  withStderrKept(async (written) => {
    await runTest(
      "inner",
      () => {
        getLogger("spindle.test").info("a server started on {port}", {
          port: 8080,
        });
      },
      {} as Deno.TestContext,
      {},
    );
    assertEquals(written.filter((line) => line.includes("8080")), []);
  }),
);

Deno.test("a failing trial test prints its log lines with its failure", async () => {
  const printed: string[] = [];
  const error = console.error;
  console.error = (...data: unknown[]) => printed.push(data.join(" "));
  try {
    await assertRejects(() =>
      runTest(
        "inner",
        () => {
          getLogger("spindle.test").info("a server started on {port}", {
            port: 8080,
          });
          throw new RangeError("the body failed");
        },
        {} as Deno.TestContext,
        {},
      ), RangeError);
  } finally {
    console.error = error;
  }
  assert(printed.some((text) => text.includes("a server started on 8080")));
});

Deno.test("a handler a trial test configures itself still receives its records", async () => {
  const seen: string[] = [];
  await runTest(
    "inner",
    () => {
      setup({
        handlers: { kept: { handle: (record) => seen.push(record.message) } },
      });
      try {
        getLogger("spindle.test").info("kept {n}", { n: 1 });
      } finally {
        setup();
      }
    },
    {} as Deno.TestContext,
    {},
  );
  assertEquals(seen, ["kept 1"]);
});
