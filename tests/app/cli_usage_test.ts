// The spindle CLI as a subprocess: help and usage errors (status 2, one line).
import { assert, assertEquals, assertMatch, test } from "../../trial/mod.ts";
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

test("spindle --version prints the version in deno.json, and Deno's", async () => {
  const { version } = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  );
  const { code, stdout } = await runCli(["--version"]);
  assertEquals(code, 0);
  assertEquals(stdout, `spindle ${version} (deno ${Deno.version.deno})\n`);
});

test("a command's help shows the endpoint-string grammar, in seconds", async () => {
  const { stdout } = await runCli(["echo", "--help"]);
  assertMatch(stdout, /^Endpoint strings/m);
  assertMatch(stdout, /^ {2}tcp:PORT\[:interface=HOST\]/m);
  assertMatch(stdout, /Durations are in seconds/);
});

test("a unix socket in a folder that does not exist is a usage error naming the folder", async () => {
  const { code, stderr } = await runCli([
    "echo",
    "--listen",
    "unix:/nonexistent/dir/echo.sock",
  ]);
  assertEquals(code, 2);
  assertMatch(
    stderr,
    /^spindle: --listen unix:\/nonexistent\/dir\/echo\.sock: the folder \/nonexistent\/dir does not exist/,
  );
});

test("an interface that does not resolve is a usage error naming the host", async () => {
  const { code, stderr } = await runCli([
    "echo",
    "--listen",
    "tcp:0:interface=no-such-host.invalid",
  ]);
  assertEquals(code, 2);
  assertMatch(
    stderr,
    /^spindle: .*the interface no-such-host\.invalid does not resolve/,
  );
});

test("a zone path that is a folder is a usage error naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stderr } = await runCli(["dns", "--zone", dir]);
    assertEquals(code, 2);
    assertMatch(stderr, new RegExp(`^spindle: --zone ${dir} is a folder`));
  } finally {
    await Deno.remove(dir);
  }
});

test("an empty zone file is a usage error naming it", async () => {
  const file = await Deno.makeTempFile({ suffix: ".zone" });
  try {
    const { code, stderr } = await runCli(["dns", "--zone", file]);
    assertEquals(code, 2);
    assertMatch(stderr, new RegExp(`^spindle: the zone file ${file} is empty`));
  } finally {
    await Deno.remove(file);
  }
});

test("a syntax error in a spindle run module shows its file and line", async () => {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, "// an application\nexport const x = ;\n");
    const { code, stderr } = await runCli(["run", file]);
    assertEquals(code, 2);
    assertMatch(stderr, new RegExp(`SyntaxError: .* at ${file}:2:\\d+`));
  } finally {
    await Deno.remove(file);
  }
});

test("a long binary token in a usage error is escaped and cut", async () => {
  const junk = Array.from(
    { length: 2000 },
    (_, i) => String.fromCharCode(1 + (i * 7) % 250),
  ).join("").replaceAll(/\s/g, "x");
  const { code, stderr } = await runCli([junk]);
  assertEquals(code, 2);
  assertEquals(stderr.trimEnd().split("\n").length, 1);
  assert(stderr.length < 600, `${stderr.length} characters`);
  // deno-lint-ignore no-control-regex
  assertEquals(/[\x00-\x08\x0b-\x1f\x7f]/.test(stderr), false);
});
