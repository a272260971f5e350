// The spindle CLI as a subprocess: signals, pid file, daemon, failures, shutdown deadline.
import { assertEquals, assertMatch, test } from "../../trial/mod.ts";
import { CliProcess, echoOnce, exists, LOOPBACK, runCli } from "./_cli.ts";
import { withTempDir } from "../_temp_dir.ts";
import {
  assertPidFileNames,
  assertStopsAndRemovesPidFile,
  echoWithPidFile,
} from "./_pid_file.ts";

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

test("one Ctrl-C delivered twice at once (by the terminal and by npx or deno task) still stops gracefully", async () => {
  await using server = await CliProcess.start(["echo", "--listen", LOOPBACK]);
  server.kill("SIGINT");
  server.kill("SIGINT");
  const { code, stderr } = await server.wait();
  assertEquals(code, 0);
  assertEquals(stderr.includes("exiting without waiting"), false);
});

test("the pid file exists while running and is removed on exit", () =>
  withTempDir(async (dir) => {
    const pidfile = `${dir}/echo.pid`;
    await using server = await CliProcess.start(echoWithPidFile(pidfile));
    assertPidFileNames(pidfile, server.child.pid);
    await assertStopsAndRemovesPidFile(server, pidfile);
  }));

test("a pid file naming a live process refuses the start", () =>
  withTempDir(async (dir) => {
    const pidfile = `${dir}/echo.pid`;
    await using first = await CliProcess.start(echoWithPidFile(pidfile));
    const second = await runCli(echoWithPidFile(pidfile));
    assertEquals(second.code, 1);
    assertMatch(
      second.stderr,
      new RegExp(`names process ${first.child.pid}, which is still running`),
    );
    assertPidFileNames(pidfile, first.child.pid);
  }));

test("a stale pid file is replaced", () =>
  withTempDir(async (dir) => {
    const pidfile = `${dir}/echo.pid`;
    const dead = new Deno.Command("true").spawn();
    await dead.status;
    await Deno.writeTextFile(pidfile, `${dead.pid}\n`);
    await using server = await CliProcess.start(echoWithPidFile(pidfile));
    assertPidFileNames(pidfile, server.child.pid);
  }));

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
  withTempDir(async (dir) => {
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

test("--daemon detaches, writes the pid file and logs to the log file", () =>
  withTempDir(async (dir) => {
    const pidfile = `${dir}/d.pid`;
    const logfile = `${dir}/d.log`;
    const { code, stdout } = await runCli([
      ...echoWithPidFile(pidfile, "--daemon"),
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

test("--daemon reports a daemon that fails to start, and why, with status 1", () =>
  withTempDir(async (dir) => {
    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const logfile = `${dir}/d.log`;
      const { code, stderr } = await runCli([
        "echo",
        "--listen",
        `tcp:${taken.addr.port}:interface=127.0.0.1`,
        "--daemon",
        "--logfile",
        logfile,
      ]);
      assertEquals(code, 1);
      assertMatch(stderr, /^spindle: the daemon did not start:\n/);
      assertMatch(
        stderr,
        new RegExp(
          `echo failed to start: .*127\\.0\\.0\\.1:${taken.addr.port} is already in use`,
        ),
      );
      assertMatch(stderr, new RegExp(`see ${logfile}\n$`));
      assertMatch(Deno.readTextFileSync(logfile), /echo failed to start/);
    } finally {
      taken.close();
    }
  }));

test("a port already in use fails the start with status 1", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { code, stderr } = await runCli([
      "echo",
      "--listen",
      `tcp:${taken.addr.port}:interface=127.0.0.1`,
    ]);
    assertEquals(code, 1);
    assertMatch(
      stderr,
      /\[spindle\.runner#critical\] echo failed to start: AddressInUseError/,
    );
  } finally {
    taken.close();
  }
});

test("--daemon with a bad endpoint string fails before detaching, with status 2", async () => {
  const { code, stderr } = await runCli([
    "echo",
    "--daemon",
    "--logfile",
    "/tmp/spindle-never.log",
    "--listen",
    "tcp:seventy",
  ]);
  assertEquals(code, 2);
  assertMatch(
    stderr,
    /^spindle: .*tcp:seventy.*\(see 'spindle echo --help'\)\n$/,
  );
});

test("SIGUSR2 without --workers is logged and ignored, and the server goes on", async () => {
  await using server = await CliProcess.start(["echo", "--listen", LOOPBACK]);
  server.kill("SIGUSR2");
  await server.waitFor(() => /received SIGUSR2/.test(server.stderr));
  assertEquals(await echoOnce(server.port, "still here"), "still here");
  server.kill("SIGTERM");
  assertEquals((await server.wait()).code, 0);
});
