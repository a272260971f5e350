import {
  assertEquals,
  assertMatch,
  assertRejects,
  test,
} from "../../trial/mod.ts";
import { CliProcess, runCli } from "./_cli.ts";

async function echoOnce(port: number, text: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(text));
  await conn.closeWrite();
  return await new Response(conn.readable).text();
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const LOOPBACK = "tcp:0:interface=127.0.0.1";

test("spindle --help lists the commands and exits 0", async () => {
  const { code, stdout } = await runCli(["--help"]);
  assertEquals(code, 0);
  assertMatch(stdout, /^ {2}run +/m);
  assertMatch(stdout, /^ {2}echo +/m);
  assertMatch(stdout, /--shutdown-timeout/);
});

test("every command has --help", async () => {
  for (const command of ["run", "echo", "web"]) {
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

test("echo on port 0 prints its address, echoes, and stops on SIGTERM", async () => {
  await using server = await CliProcess.start(["echo", "--listen", LOOPBACK]);
  assertMatch(server.stdout, /^listening on 127\.0\.0\.1:\d+\n$/);
  assertEquals(await echoOnce(server.port, "ping"), "ping");
  server.kill("SIGTERM");
  const { code, stderr } = await server.wait();
  assertEquals(code, 0);
  assertMatch(stderr, /received SIGTERM: stopping/);
});

test("SIGINT stops the server gracefully too", async () => {
  await using server = await CliProcess.start(["echo", "--listen", LOOPBACK]);
  server.kill("SIGINT");
  assertEquals((await server.wait()).code, 0);
});

test("the pid file exists while running and is removed on exit", () =>
  withDir(async (dir) => {
    const pidfile = `${dir}/echo.pid`;
    await using server = await CliProcess.start([
      "echo",
      "--listen",
      LOOPBACK,
      "--pidfile",
      pidfile,
    ]);
    assertEquals(
      Deno.readTextFileSync(pidfile).trim(),
      String(server.child.pid),
    );
    server.kill("SIGTERM");
    assertEquals((await server.wait()).code, 0);
    assertEquals(exists(pidfile), false);
  }));

test("a pid file naming a live process refuses the start", () =>
  withDir(async (dir) => {
    const pidfile = `${dir}/echo.pid`;
    await using first = await CliProcess.start([
      "echo",
      "--listen",
      LOOPBACK,
      "--pidfile",
      pidfile,
    ]);
    const second = await runCli([
      "echo",
      "--listen",
      LOOPBACK,
      "--pidfile",
      pidfile,
    ]);
    assertEquals(second.code, 1);
    assertMatch(
      second.stderr,
      new RegExp(`names process ${first.child.pid}, which is still running`),
    );
    assertEquals(
      Deno.readTextFileSync(pidfile).trim(),
      String(first.child.pid),
    );
  }));

test("a stale pid file is replaced", () =>
  withDir(async (dir) => {
    const pidfile = `${dir}/echo.pid`;
    const dead = new Deno.Command("true").spawn();
    await dead.status;
    await Deno.writeTextFile(pidfile, `${dead.pid}\n`);
    await using server = await CliProcess.start([
      "echo",
      "--listen",
      LOOPBACK,
      "--pidfile",
      pidfile,
    ]);
    assertEquals(
      Deno.readTextFileSync(pidfile).trim(),
      String(server.child.pid),
    );
  }));

test("run starts the application a module exports", async () => {
  const module = new URL("./fixtures/echo_app.ts", import.meta.url).pathname;
  await using server = await CliProcess.start(["run", module]);
  assertEquals(await echoOnce(server.port, "from a module"), "from a module");
  server.kill("SIGTERM");
  const { code, stderr } = await server.wait();
  assertEquals(code, 0);
  assertMatch(stderr, /fixture stopped/);
});

test("run resolves the module path against the working directory", async () => {
  const dir = new URL("./fixtures/", import.meta.url).pathname;
  await using server = await CliProcess.start(["run", "echo_app.ts"], {
    cwd: dir,
  });
  assertEquals(await echoOnce(server.port, "relative"), "relative");
});

test("an unhandled promise rejection is logged and the server goes on", async () => {
  const module =
    new URL("./fixtures/rejecting_app.ts", import.meta.url).pathname;
  await using server = await CliProcess.start(["run", module]);
  assertEquals(await echoOnce(server.port, ""), "still here");
  assertEquals(await echoOnce(server.port, ""), "still here");
  await server.waitFor(() =>
    /unhandled promise rejection: Error: nobody catches this/.test(
      server.stderr,
    )
  );
  server.kill("SIGTERM");
  assertEquals((await server.wait()).code, 0);
});

test("--plugin loads a plugin module and runs its command", async () => {
  const module =
    new URL("./fixtures/greeter_plugin.ts", import.meta.url).pathname;
  await using server = await CliProcess.start(["--plugin", module, "greet"]);
  assertEquals(await echoOnce(server.port, ""), "hello from a plugin");
  const help = await runCli(["--plugin", module, "--help"]);
  assertMatch(help.stdout, /^ {2}greet +says hello to each connection$/m);
});

test("--workers passes --plugin on to the workers", async () => {
  const module =
    new URL("./fixtures/greeter_plugin.ts", import.meta.url).pathname;
  await using server = await CliProcess.start([
    "--plugin",
    module,
    "greet",
    "--workers",
    "2",
  ]);
  for (let i = 0; i < 3; i++) {
    assertEquals(await echoOnce(server.port, ""), "hello from a plugin");
  }
  server.kill("SIGTERM");
  assertEquals((await server.wait()).code, 0);
});

test("run with --workers and module arguments after -- starts every worker", async () => {
  const module = new URL("./fixtures/echo_app.ts", import.meta.url).pathname;
  await using server = await CliProcess.start([
    "run",
    module,
    "--workers",
    "2",
    "--",
    "--module-flag",
  ]);
  assertEquals(await echoOnce(server.port, "x"), "x");
  server.kill("SIGTERM");
  assertEquals((await server.wait()).code, 0);
});

test("--plugin with a module that exports no plugin is a usage error", async () => {
  const module =
    new URL("./fixtures/no_application.ts", import.meta.url).pathname;
  const { code, stderr } = await runCli(["--plugin", module, "echo"]);
  assertEquals(code, 2);
  assertMatch(stderr, /does not export a spindle `plugin`/);
});

test("with --workers the pid file holds the supervisor's pid", () =>
  withDir(async (dir) => {
    const pidfile = `${dir}/w.pid`;
    await using server = await CliProcess.start([
      "echo",
      "--listen",
      LOOPBACK,
      "--workers",
      "2",
      "--pidfile",
      pidfile,
    ]);
    assertEquals(
      Deno.readTextFileSync(pidfile).trim(),
      String(server.child.pid),
    );
    server.kill("SIGTERM");
    assertEquals((await server.wait()).code, 0);
    assertEquals(exists(pidfile), false);
  }));

test("the application's own shutdown timeout holds unless --shutdown-timeout is given", async () => {
  const module =
    new URL("./fixtures/stalling_app.ts", import.meta.url).pathname;
  for (
    const [extra, ms] of [[[], 100], [
      ["--shutdown-timeout", "0.3"],
      300,
    ]] as const
  ) {
    await using server = await CliProcess.start(["run", module, ...extra]);
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.port,
    });
    await conn.read(new Uint8Array(5));
    server.kill("SIGTERM");
    const { code, stderr } = await server.wait();
    conn.close();
    assertEquals(code, 0);
    assertMatch(
      stderr,
      new RegExp(`cutting 1 connections still open after ${ms} ms`),
    );
  }
});

test("an uncaught exception is logged, the pid file removed, and the process ends", () =>
  withDir(async (dir) => {
    const module =
      new URL("./fixtures/throwing_app.ts", import.meta.url).pathname;
    const pidfile = `${dir}/t.pid`;
    const { code, stderr } = await runCli([
      "run",
      module,
      "--pidfile",
      pidfile,
    ]);
    assertEquals(code, 1);
    assertMatch(
      stderr,
      /\[spindle\.runner#critical\] uncaught exception, exiting: Error: boom from a timer/,
    );
    assertEquals(exists(pidfile), false);
  }));

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
  withDir(async (dir) => {
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
  withDir(async (dir) => {
    const logfile = `${dir}/spindle.log`;
    await using server = await CliProcess.start([
      "echo",
      "--listen",
      LOOPBACK,
      "--logfile",
      logfile,
      "--log-max-bytes",
      "200",
      "--log-backups",
      "2",
    ]);
    server.kill("SIGTERM");
    assertEquals((await server.wait()).code, 0);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(names, ["spindle.log", "spindle.log.1", "spindle.log.2"]);
    for (const name of names) {
      assertEquals(Deno.statSync(`${dir}/${name}`).size <= 200, true);
    }
  }));

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

test("--workers runs several processes on one port and replaces a killed one", async () => {
  await using server = await CliProcess.start([
    "echo",
    "--listen",
    LOOPBACK,
    "--workers",
    "2",
    "--log-format",
    "json",
  ]);
  const workerPids = () =>
    server.stderr.trimEnd().split("\n").map((l) => JSON.parse(l))
      .filter((r) => r.format === "worker {id} started (pid {pid})")
      .map((r) => r.fields.pid as number);
  await server.waitFor(() => workerPids().length === 2);
  assertEquals(server.stdout.match(/^listening on /gm)?.length, 1);
  for (let i = 0; i < 4; i++) {
    assertEquals(await echoOnce(server.port, `m${i}`), `m${i}`);
  }
  const victim = workerPids()[0]!;
  Deno.kill(victim, "SIGKILL");
  await server.waitFor(() => workerPids().length === 3);
  assertMatch(
    server.stderr,
    new RegExp(
      `"worker 0 \\(pid ${victim}\\) exited \\(SIGKILL\\): restarting in \\d+ ms"`,
    ),
  );
  for (let i = 0; i < 4; i++) {
    assertEquals(await echoOnce(server.port, `n${i}`), `n${i}`);
  }
  server.kill("SIGTERM");
  assertEquals((await server.wait()).code, 0);
});

test("--daemon detaches, writes the pid file and logs to the log file", () =>
  withDir(async (dir) => {
    const pidfile = `${dir}/d.pid`;
    const logfile = `${dir}/d.log`;
    const { code, stdout } = await runCli([
      "echo",
      "--listen",
      LOOPBACK,
      "--daemon",
      "--pidfile",
      pidfile,
      "--logfile",
      logfile,
    ]);
    assertEquals(code, 0);
    const port = Number(/^listening on .*:(\d+)$/m.exec(stdout)?.[1]);
    const pid = Number(Deno.readTextFileSync(pidfile).trim());
    try {
      assertEquals(await echoOnce(port, "bg"), "bg");
    } finally {
      Deno.kill(pid, "SIGTERM");
    }
    for (let i = 0; i < 200 && exists(pidfile); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assertEquals(exists(pidfile), false);
    assertMatch(Deno.readTextFileSync(logfile), /echo stopped/);
  }));

test("web serves the files of --path on port 0", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/hello.txt`, "hello, file");
    await using server = await CliProcess.start([
      "web",
      "--listen",
      LOOPBACK,
      "--path",
      dir,
    ]);
    const response = await fetch(`http://127.0.0.1:${server.port}/hello.txt`);
    assertEquals(response.status, 200);
    assertEquals(await response.text(), "hello, file");
    const missing = await fetch(`http://127.0.0.1:${server.port}/nope.txt`);
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
    server.kill("SIGTERM");
    const { code, stderr } = await server.wait();
    assertEquals(code, 0);
    assertMatch(stderr, /GET \/hello\.txt 200/);
  }));

test("web with a --path that does not exist is a usage error", async () => {
  const { code, stderr } = await runCli(["web", "--path", "/nonexistent/dir"]);
  assertEquals(code, 2);
  assertEquals(
    stderr,
    "spindle: --path /nonexistent/dir does not exist (see 'spindle web --help')\n",
  );
});

test("SIGTERM during a slow download lets the download finish", () =>
  withDir(async (dir) => {
    const size = 16 * 1024 * 1024;
    const content = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) content[i] = (i >> 12) & 0xff;
    await Deno.writeFile(`${dir}/big.bin`, content);
    await using server = await CliProcess.start([
      "web",
      "--listen",
      LOOPBACK,
      "--path",
      dir,
    ]);
    const response = await fetch(`http://127.0.0.1:${server.port}/big.bin`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    let received = first.value?.length ?? 0;
    // The client stalls: the server is stuck mid-body on backpressure when
    // the signal arrives.
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.kill("SIGTERM");
    await server.waitFor(() =>
      /waiting up to \d+ ms for 1 open connections/.test(server.stderr)
    );
    const chunks = [first.value!];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
    }
    assertEquals(received, size);
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.length;
    }
    for (let i = 0; i < size; i += 4096) {
      if (body[i] !== content[i]) throw new Error(`byte ${i} differs`);
    }
    const { code, stderr } = await server.wait();
    assertEquals(code, 0);
    assertEquals(stderr.includes("cutting"), false);
  }));

test("a download still running at the shutdown timeout is cut", () =>
  withDir(async (dir) => {
    await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(32 * 1024 * 1024));
    await using server = await CliProcess.start([
      "web",
      "--listen",
      LOOPBACK,
      "--path",
      dir,
      "--shutdown-timeout",
      "0.2",
    ]);
    const response = await fetch(`http://127.0.0.1:${server.port}/big.bin`);
    const reader = response.body!.getReader();
    await reader.read();
    server.kill("SIGTERM");
    const { code, stderr } = await server.wait();
    assertEquals(code, 0);
    assertMatch(stderr, /cutting 1 connections still open after 200 ms/);
    await assertRejects(async () => {
      while (!(await reader.read()).done) { /* the rest, until the cut */ }
    });
  }));
