import { configureLogging } from "../../app/_runner/logging_setup.ts";
import { WORKER_ID_ENV } from "../../app/_runner/env.ts";
import { getLogger, setup } from "../../log/mod.ts";
import { assertEquals, assertMatch, test } from "../../trial/mod.ts";

/** Logs one line through `configureLogging` as worker 3 and returns the file. */
async function logAsWorker(format: "text" | "json"): Promise<string> {
  const path = await Deno.makeTempFile();
  Deno.env.set(WORKER_ID_ENV, "3");
  try {
    const handler = configureLogging({ logfile: path, format });
    getLogger("spindle.test").info("hello {name}", { name: "you" });
    handler.close?.();
    return await Deno.readTextFile(path);
  } finally {
    Deno.env.delete(WORKER_ID_ENV);
    setup();
    await Deno.remove(path);
  }
}

test("in a worker, text log lines say which worker wrote them", async () => {
  const text = await logAsWorker("text");
  assertMatch(text, /\[spindle\.test#info\] worker 3: hello you\n$/);
});

test("in a worker, JSON log lines carry the worker number in fields", async () => {
  const line = JSON.parse(await logAsWorker("json"));
  assertEquals(line.fields, { name: "you", worker: 3 });
  assertEquals(line.message, "hello you");
});

test("outside a worker, log lines carry no worker number", async () => {
  const path = await Deno.makeTempFile();
  try {
    const handler = configureLogging({ logfile: path, format: "json" });
    getLogger("spindle.test").info("plain");
    handler.close?.();
    const line = JSON.parse(await Deno.readTextFile(path));
    assertEquals(line.fields, {});
  } finally {
    setup();
    await Deno.remove(path);
  }
});
