// The spindle CLI as a subprocess: help and usage errors (status 2, one line).
import { assertEquals, assertMatch, test } from "../../trial/mod.ts";
import { runCli } from "./_cli.ts";

test("spindle --help lists the commands and exits 0", async () => {
  const { code, stdout } = await runCli(["--help"]);
  assertEquals(code, 0);
  assertMatch(stdout, /^ {2}run +/m);
  assertMatch(stdout, /^ {2}echo +/m);
  assertMatch(stdout, /--shutdown-timeout/);
});

test("every command has --help", async () => {
  for (const command of ["run", "echo", "web", "dns"]) {
    const { code, stdout } = await runCli([command, "--help"]);
    assertEquals(code, 0);
    assertMatch(stdout, new RegExp(`^Usage: spindle ${command}`, "m"));
  }
});

test("an unknown option is a one-line error with status 2", async () => {
  const { code, stdout, stderr } = await runCli(["echo", "--colour", "red"]);
  assertEquals(code, 2);
  assertEquals(stdout, "");
  assertEquals(
    stderr,
    "spindle: unknown option --colour (see 'spindle echo --help')\n",
  );
});

test("a bad endpoint string is a one-line error with status 2", async () => {
  const { code, stderr } = await runCli(["echo", "--listen", "tcp:seventy"]);
  assertEquals(code, 2);
  assertEquals(stderr.trimEnd().split("\n").length, 1);
  assertMatch(stderr, /^spindle: .*tcp:seventy/);
});

test("an unknown command is a one-line error with status 2", async () => {
  const { code, stderr } = await runCli(["frobnicate"]);
  assertEquals(code, 2);
  assertEquals(
    stderr,
    "spindle: unknown command frobnicate (see 'spindle --help')\n",
  );
});

test("a bad log level is a one-line error with status 2", async () => {
  const { code, stderr } = await runCli(["echo", "--log-level", "loud"]);
  assertEquals(code, 2);
  assertMatch(stderr, /^spindle: Unknown log level "loud"/);
});

test("--plugin with a module that exports no plugin is a usage error", async () => {
  const module =
    new URL("./fixtures/no_application.ts", import.meta.url).pathname;
  const { code, stderr } = await runCli(["--plugin", module, "echo"]);
  assertEquals(code, 2);
  assertMatch(stderr, /does not export a spindle `plugin`/);
});

test("--plugin with a plugin named like a built-in command is a usage error", async () => {
  const module = new URL("./fixtures/web_plugin.ts", import.meta.url).pathname;
  const { code, stderr } = await runCli(["--plugin", module, "web"]);
  assertEquals(code, 2);
  assertMatch(stderr, /exports a plugin named "web", which is a built-in/);
});

test("run without a module is a usage error", async () => {
  const { code, stderr } = await runCli(["run"]);
  assertEquals(code, 2);
  assertEquals(
    stderr,
    "spindle: run needs a MODULE to run (see 'spindle run --help')\n",
  );
});

test("run with a module that exports no application is a usage error", async () => {
  const module =
    new URL("./fixtures/no_application.ts", import.meta.url).pathname;
  const { code, stderr } = await runCli(["run", module]);
  assertEquals(code, 2);
  assertMatch(stderr, /does not export `application`/);
});

test("run with a missing module is a usage error", async () => {
  const { code, stderr } = await runCli(["run", "/nonexistent/app.ts"]);
  assertEquals(code, 2);
  assertMatch(stderr, /^spindle: cannot load \/nonexistent\/app\.ts/);
});

test("--log-max-bytes with --workers is a usage error", async () => {
  const { code, stderr } = await runCli([
    "echo",
    "--logfile",
    "/tmp/x.log",
    "--log-max-bytes",
    "1000",
    "--workers",
    "2",
  ]);
  assertEquals(code, 2);
  assertMatch(stderr, /cannot be combined with --workers/);
});

test("web with a --path that does not exist is a usage error", async () => {
  const { code, stderr } = await runCli(["web", "--path", "/nonexistent/dir"]);
  assertEquals(code, 2);
  assertEquals(
    stderr,
    "spindle: --path /nonexistent/dir does not exist (see 'spindle web --help')\n",
  );
});

test("spindle passwd prints the user-file line for the password on stdin", async () => {
  const { code, stdout } = await runCli(
    ["passwd", "alice", "--iterations", "1000"],
    { input: "secret\n" },
  );
  assertEquals(code, 0);
  assertMatch(stdout, /^alice:\$pbkdf2-sha256\$1000\$[^$\n]+\$[^$\n]+\n$/);
});
