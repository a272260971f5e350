// The spindle CLI as a subprocess: log options, JSON lines, SIGHUP, rotation.
import { assertEquals, assertMatch, test } from "../../trial/mod.ts";
import { CliProcess, exists, LOOPBACK } from "./_cli.ts";
import { withTempDir } from "../_temp_dir.ts";

test("--log-format json writes one parseable JSON object per line", async () => {
  await using server = await CliProcess.start([
    "echo",
    "--listen",
    LOOPBACK,
    "--log-format",
    "json",
  ]);
  server.kill("SIGTERM");
  const { stderr } = await server.wait();
  const records = stderr.trimEnd().split("\n").map((line) => JSON.parse(line));
  assertEquals(records.length >= 3, true);
  for (const record of records) {
    assertEquals(typeof record.time, "string");
    assertEquals(typeof record.level, "string");
    assertEquals(typeof record.namespace, "string");
    assertEquals(typeof record.message, "string");
  }
  assertEquals(records.some((r) => r.message === "echo stopped"), true);
});

test("--logfile - logs to stdout after the listening line", async () => {
  await using server = await CliProcess.start([
    "echo",
    "--listen",
    LOOPBACK,
    "--logfile",
    "-",
  ]);
  server.kill("SIGTERM");
  const { stdout, stderr } = await server.wait();
  assertEquals(stderr, "");
  assertMatch(stdout, /\[spindle\.runner#info\] echo stopped/);
});

test("--log-level warn hides info lines", async () => {
  await using server = await CliProcess.start([
    "echo",
    "--listen",
    LOOPBACK,
    "--log-level",
    "warn",
  ]);
  server.kill("SIGTERM");
  assertEquals((await server.wait()).stderr, "");
});

test("SIGHUP reopens the log file after it was moved away", () =>
  withTempDir(async (dir) => {
    const logfile = `${dir}/spindle.log`;
    await using server = await CliProcess.start([
      "echo",
      "--listen",
      LOOPBACK,
      "--logfile",
      logfile,
    ]);
    await Deno.rename(logfile, `${logfile}.1`);
    server.kill("SIGHUP");
    await server.waitFor(() => exists(logfile));
    server.kill("SIGTERM");
    assertEquals((await server.wait()).code, 0);
    const rotated = await Deno.readTextFile(`${logfile}.1`);
    const fresh = await Deno.readTextFile(logfile);
    assertMatch(rotated, /echo started/);
    assertMatch(fresh, /log files reopened/);
    assertMatch(fresh, /echo stopped/);
  }));

test("--log-max-bytes rolls the log file over", () =>
  withTempDir(async (dir) => {
    const logfile = `${dir}/spindle.log`;
    await using server = await CliProcess.start([
      "echo",
      "--listen",
      LOOPBACK,
      "--logfile",
      logfile,
      // About one line a file: the four lines of a start and stop roll over
      // three times, leaving the file and its two backups.
      "--log-max-bytes",
      "120",
      "--log-backups",
      "2",
    ]);
    server.kill("SIGTERM");
    assertEquals((await server.wait()).code, 0);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["spindle.log", "spindle.log.1", "spindle.log.2"]);
    for (const name of names) {
      assertEquals(Deno.statSync(`${dir}/${name}`).size <= 120, true);
    }
  }));
