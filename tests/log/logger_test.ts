import {
  addLogObserver,
  captureLogs,
  getLogger,
  type LoggerConfig,
  type LogRecord,
  setup,
} from "../../log/mod.ts";
import {
  assertEquals,
  assertStrictEquals,
  assertThrows,
  flushLoggedErrors,
  test,
} from "../../trial/mod.ts";
import { MemoryHandler } from "./_memory_handler.ts";

function withSetup(
  loggers: Record<string, LoggerConfig> | undefined,
  fn: (memory: MemoryHandler) => void,
): void {
  const memory = new MemoryHandler({
    formatter: (r) => `${r.namespace} ${r.level} ${r.message}`,
  });
  setup({ handlers: { memory }, loggers });
  try {
    fn(memory);
  } finally {
    setup();
  }
}

test("getLogger returns the same logger for the same namespace", () => {
  assertStrictEquals(getLogger("same.name"), getLogger("same.name"));
});

test("the default level is info: debug records are dropped", () => {
  withSetup(undefined, (memory) => {
    getLogger("x").debug("quiet");
    getLogger("x").info("loud");
    assertEquals(memory.lines, ["x info loud"]);
  });
});

test("fields fill the placeholders of the format", () => {
  withSetup(undefined, (memory) => {
    getLogger("x").info("{a} and {b.c}", { a: "one", b: { c: 2 } });
    assertEquals(memory.lines, ["x info one and 2"]);
  });
});

test("a namespace level applies to the namespaces below it", () => {
  withSetup({ "spindle.http": { level: "warn" } }, (memory) => {
    getLogger("spindle.http.server").info("hidden");
    getLogger("spindle.http.server").warn("shown");
    getLogger("spindle.dns").info("other namespaces keep the default");
    assertEquals(memory.lines, [
      "spindle.http.server warn shown",
      "spindle.dns info other namespaces keep the default",
    ]);
  });
});

test("a more specific namespace overrides its parent's level", () => {
  withSetup({
    "spindle": { level: "error" },
    "spindle.http": { level: "debug" },
  }, (memory) => {
    getLogger("spindle.http").debug("detail");
    getLogger("spindle.dns").warn("hidden");
    assertEquals(memory.lines, ["spindle.http debug detail"]);
  });
});

test("the default logger config sets the level of every namespace", () => {
  withSetup({ default: { level: "debug" } }, (memory) => {
    getLogger("any").debug("shown");
    assertEquals(memory.lines, ["any debug shown"]);
  });
});

test("a namespace can send its records to its own handlers", () => {
  const audit = new MemoryHandler();
  const main = new MemoryHandler();
  setup({
    handlers: { audit, main },
    loggers: {
      default: { handlers: ["main"] },
      audit: { handlers: ["audit"] },
    },
  });
  try {
    getLogger("audit").info("login");
    getLogger("web").info("request");
    assertEquals(audit.lines.length, 1);
    assertEquals(main.lines.length, 1);
  } finally {
    setup();
  }
});

test("setup rejects a logger that names a missing handler", () => {
  assertThrows(
    () => setup({ loggers: { x: { handlers: ["nope"] } } }),
    RangeError,
    "nope",
  );
  setup();
});

test("setup closes the handlers it replaces", () => {
  const old = new MemoryHandler();
  setup({ handlers: { old } });
  setup();
  assertEquals(old.closed, true);
});

test("observers see records below the namespace's level", () => {
  withSetup({ default: { level: "critical" } }, (memory) => {
    const seen: LogRecord[] = [];
    const remove = addLogObserver((record) => seen.push(record));
    getLogger("x").debug("tick");
    remove();
    assertEquals(seen.map((r) => r.message), ["tick"]);
    assertEquals(memory.lines, []);
  });
});

test("an observer with a level sees only records at or above it", () => {
  const seen: string[] = [];
  const remove = addLogObserver((r) => seen.push(r.level), { level: "error" });
  using _ = captureLogs();
  getLogger("x").warn("no");
  getLogger("x").error("yes");
  remove();
  assertEquals(seen, ["error"]);
});

test("a logged error keeps the raw thrown value in fields.error", () => {
  using logs = captureLogs();
  const error = new TypeError("bad");
  getLogger("x").error("failed", { error });
  assertStrictEquals(logs.records[0]?.fields.error, error);
  flushLoggedErrors(TypeError);
});

test("a removed observer sees nothing more", () => {
  const seen: string[] = [];
  const remove = addLogObserver((r) => seen.push(r.message));
  remove();
  using _ = captureLogs();
  getLogger("x").info("after");
  assertEquals(seen, []);
});

test("a throwing observer does not stop other observers", () => {
  const original = console.error;
  console.error = () => {};
  const seen: string[] = [];
  const removeBad = addLogObserver(() => {
    throw new Error("observer bug");
  });
  const removeGood = addLogObserver((r) => seen.push(r.message));
  try {
    using _ = captureLogs();
    getLogger("x").info("still delivered");
  } finally {
    removeBad();
    removeGood();
    console.error = original;
  }
  assertEquals(seen, ["still delivered"]);
});

test("a record carries its time, level, namespace, format and fields", () => {
  using logs = captureLogs();
  const before = Date.now();
  getLogger("ns").warn("x={x}", { x: 1 });
  const record = logs.records[0]!;
  assertEquals(record.level, "warn");
  assertEquals(record.namespace, "ns");
  assertEquals(record.format, "x={x}");
  assertEquals(record.message, "x=1");
  assertEquals(record.fields, { x: 1 });
  assertEquals(record.time.getTime() >= before, true);
});

test("isEnabledFor reflects the namespace level when nothing observes", () => {
  withSetup({ quiet: { level: "error" } }, () => {
    assertEquals(getLogger("quiet").isEnabledFor("warn"), false);
    assertEquals(getLogger("quiet").isEnabledFor("error"), true);
  });
});
