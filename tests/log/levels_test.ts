import {
  LogLevels,
  parseLogLevel,
  UnknownLogLevelError,
} from "../../log/mod.ts";
import { assertEquals, assertThrows, test } from "../../trial/mod.ts";

test("levels are ordered from debug to critical", () => {
  const order = ["debug", "info", "warn", "error", "critical"] as const;
  for (let i = 1; i < order.length; i++) {
    assertEquals(LogLevels[order[i]!] > LogLevels[order[i - 1]!], true);
  }
});

test("parseLogLevel accepts any case and Python's warning", () => {
  assertEquals(parseLogLevel("DEBUG"), "debug");
  assertEquals(parseLogLevel("Warning"), "warn");
});

test("parseLogLevel rejects an unknown name with a typed error", () => {
  assertThrows(() => parseLogLevel("verbose"), UnknownLogLevelError, "verbose");
});
