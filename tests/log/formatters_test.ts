import { jsonFormatter, type LogRecord, textFormatter } from "../../log/mod.ts";
import { assertEquals, assertMatch, test } from "../../trial/mod.ts";

function record(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
    level: "info",
    namespace: "ns",
    format: "hello {who}",
    message: "hello you",
    fields: { who: "you" },
    ...overrides,
  };
}

test("textFormatter writes time, namespace, level and message", () => {
  assertEquals(
    textFormatter(record()),
    "2026-01-02T03:04:05.678Z [ns#info] hello you",
  );
});

test("textFormatter appends the stack of a logged error", () => {
  const error = new Error("boom");
  const line = textFormatter(
    record({ format: "failed", message: "failed", fields: { error } }),
  );
  assertMatch(line, /^.*\[ns#info\] failed\nError: boom\n\s+at /);
});

test("textFormatter does not repeat an error the format already shows", () => {
  const error = new Error("boom");
  const line = textFormatter(
    record({
      format: "failed: {error}",
      message: "failed: Error: boom",
      fields: { error },
    }),
  );
  assertEquals(line.includes("\n"), false);
});

test("jsonFormatter writes one parseable JSON object per line", () => {
  const line = jsonFormatter(record());
  assertEquals(line.includes("\n"), false);
  assertEquals(JSON.parse(line), {
    time: "2026-01-02T03:04:05.678Z",
    level: "info",
    namespace: "ns",
    message: "hello you",
    format: "hello {who}",
    fields: { who: "you" },
  });
});

test("jsonFormatter serialises errors with name, message and stack", () => {
  const parsed = JSON.parse(
    jsonFormatter(record({ fields: { error: new TypeError("t") } })),
  );
  assertEquals(parsed.fields.error.name, "TypeError");
  assertEquals(parsed.fields.error.message, "t");
  assertEquals(typeof parsed.fields.error.stack, "string");
});

test("jsonFormatter survives bigints, cycles, bytes and functions", () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const parsed = JSON.parse(jsonFormatter(record({
    fields: {
      n: 10n,
      cycle,
      bytes: new Uint8Array(3),
      fn: function named() {},
    },
  })));
  assertEquals(parsed.fields, {
    n: "10",
    cycle: { self: "[Circular]" },
    bytes: "<3 bytes>",
    fn: "[Function named]",
  });
});
