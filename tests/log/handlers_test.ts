import {
  ConsoleHandler,
  FileHandler,
  jsonFormatter,
  type LogRecord,
  RotatingFileHandler,
} from "../../log/mod.ts";
import { assertEquals, assertThrows, test } from "../../trial/mod.ts";
import { MemoryHandler } from "./_memory_handler.ts";
import { withTempDir } from "../_temp_dir.ts";

function record(
  message: string,
  level: LogRecord["level"] = "info",
): LogRecord {
  return {
    time: new Date(0),
    level,
    namespace: "t",
    format: message,
    message,
    fields: {},
  };
}

test("a handler drops records below its own level", () => {
  const handler = new MemoryHandler({ level: "warn" });
  handler.handle(record("a", "info"));
  handler.handle(record("b", "error"));
  assertEquals(handler.lines.map((l) => l.slice(-1)), ["b"]);
});

test("a handler uses the formatter it is given", () => {
  const handler = new MemoryHandler({ formatter: jsonFormatter });
  handler.handle(record("x"));
  assertEquals(JSON.parse(handler.lines[0]!).message, "x");
});

test("FileHandler appends lines to an existing file", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, "old\n");
    const handler = new FileHandler(path, { formatter: (r) => r.message });
    handler.handle(record("new"));
    handler.close();
    assertEquals(await Deno.readTextFile(path), "old\nnew\n");
  } finally {
    await Deno.remove(path);
  }
});

test("FileHandler in mode w truncates the file when it opens it", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, "old\n");
    const handler = new FileHandler(path, {
      mode: "w",
      formatter: (r) => r.message,
    });
    handler.handle(record("new"));
    handler.close();
    assertEquals(await Deno.readTextFile(path), "new\n");
  } finally {
    await Deno.remove(path);
  }
});

test("FileHandler.reopen writes to a new file after the old one was moved", () =>
  withTempDir(async (dir) => {
    const path = `${dir}/app.log`;
    const handler = new FileHandler(path, { formatter: (r) => r.message });
    handler.handle(record("before"));
    await Deno.rename(path, `${path}.old`);
    handler.handle(record("still old"));
    handler.reopen();
    handler.handle(record("after"));
    handler.close();
    assertEquals(await Deno.readTextFile(`${path}.old`), "before\nstill old\n");
    assertEquals(await Deno.readTextFile(path), "after\n");
  }));

test("RotatingFileHandler rolls over before passing maxBytes", () =>
  withTempDir(async (dir) => {
    const path = `${dir}/app.log`;
    // Each line is 4 bytes ("aaa\n"): two fit in 8 bytes, the third rolls over.
    const handler = new RotatingFileHandler(path, {
      maxBytes: 8,
      maxBackupCount: 2,
      formatter: (r) => r.message,
    });
    for (const m of ["aaa", "bbb", "ccc", "ddd", "eee", "fff", "ggg"]) {
      handler.handle(record(m));
    }
    handler.close();
    assertEquals(await Deno.readTextFile(path), "ggg\n");
    assertEquals(await Deno.readTextFile(`${path}.1`), "eee\nfff\n");
    assertEquals(await Deno.readTextFile(`${path}.2`), "ccc\nddd\n");
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["app.log", "app.log.1", "app.log.2"]);
  }));

test("RotatingFileHandler counts bytes already in the file", () =>
  withTempDir(async (dir) => {
    const path = `${dir}/app.log`;
    await Deno.writeTextFile(path, "1234567\n");
    const handler = new RotatingFileHandler(path, {
      maxBytes: 10,
      formatter: (r) => r.message,
    });
    handler.handle(record("next"));
    handler.close();
    assertEquals(await Deno.readTextFile(`${path}.1`), "1234567\n");
    assertEquals(await Deno.readTextFile(path), "next\n");
  }));

test("RotatingFileHandler writes a line longer than maxBytes alone in its file", () =>
  withTempDir(async (dir) => {
    const path = `${dir}/app.log`;
    const handler = new RotatingFileHandler(path, {
      maxBytes: 4,
      formatter: (r) => r.message,
    });
    handler.handle(record("a-very-long-line"));
    handler.handle(record("b"));
    handler.close();
    assertEquals(await Deno.readTextFile(`${path}.1`), "a-very-long-line\n");
    assertEquals(await Deno.readTextFile(path), "b\n");
  }));

test("RotatingFileHandler rejects a non-positive maxBytes", () => {
  assertThrows(
    () => new RotatingFileHandler("/tmp/x", { maxBytes: 0 }),
    RangeError,
  );
});

test("ConsoleHandler colours the level tag only when asked", () => {
  const plain = new ConsoleHandler({ colors: false });
  const coloured = new ConsoleHandler({ colors: true });
  assertEquals(plain.format(record("m", "error")).includes("\x1b["), false);
  assertEquals(
    coloured.format(record("m", "error")).includes("\x1b[31m[t#error]"),
    true,
  );
});

test("ConsoleHandler never colours JSON lines", () => {
  const handler = new ConsoleHandler({
    colors: true,
    formatter: jsonFormatter,
  });
  assertEquals(JSON.parse(handler.format(record("m"))).message, "m");
});
