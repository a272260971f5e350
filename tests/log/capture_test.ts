import { captureLogs, getLogger, setup } from "../../log/mod.ts";
import { assertEquals, test } from "../../trial/mod.ts";
import { MemoryHandler } from "./_memory_handler.ts";

test("captureLogs records every level by default", () => {
  using logs = captureLogs();
  getLogger("c").debug("one");
  getLogger("c").critical("two");
  assertEquals(logs.messages(), ["one", "two"]);
});

test("captureLogs filters by namespace prefix on dot boundaries", () => {
  using logs = captureLogs({ namespace: "spindle.http" });
  getLogger("spindle.http").info("a");
  getLogger("spindle.http.server").info("b");
  getLogger("spindle.https").info("c");
  assertEquals(logs.messages(), ["a", "b"]);
});

test("captureLogs filters by level", () => {
  using logs = captureLogs({ level: "warn" });
  getLogger("c").info("no");
  getLogger("c").warn("yes");
  assertEquals(logs.messages(), ["yes"]);
});

test("captureLogs silences handlers while it runs, then restores them", () => {
  const memory = new MemoryHandler();
  setup({ handlers: { memory } });
  try {
    const logs = captureLogs();
    getLogger("c").info("silenced");
    logs.stop();
    getLogger("c").info("heard");
    assertEquals(memory.lines.length, 1);
    assertEquals(memory.lines[0]!.endsWith("heard"), true);
  } finally {
    setup();
  }
});

test("captureLogs with quiet false lets handlers write too", () => {
  const memory = new MemoryHandler();
  setup({ handlers: { memory } });
  try {
    using logs = captureLogs({ quiet: false });
    getLogger("c").info("both");
    assertEquals(logs.messages(), ["both"]);
    assertEquals(memory.lines.length, 1);
  } finally {
    setup();
  }
});

test("a stopped capture records nothing more and stop is idempotent", () => {
  const logs = captureLogs();
  logs.stop();
  logs.stop();
  getLogger("c").debug("later");
  assertEquals(logs.records, []);
});
