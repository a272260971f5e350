// The spindle CLI as a subprocess: `--workers` supervision.
import { assertEquals, assertMatch, test } from "../../trial/mod.ts";
import { CliProcess, echoOnce, LOOPBACK } from "./_cli.ts";
import { withTempDir } from "../_temp_dir.ts";
import {
  assertPidFileNames,
  assertStopsAndRemovesPidFile,
  echoWithPidFile,
} from "./_pid_file.ts";

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

test("with --workers the pid file holds the supervisor's pid", () =>
  withTempDir(async (dir) => {
    const pidfile = `${dir}/w.pid`;
    await using server = await CliProcess.start(
      echoWithPidFile(pidfile, "--workers", "2"),
    );
    assertPidFileNames(pidfile, server.child.pid);
    await assertStopsAndRemovesPidFile(server, pidfile);
  }));

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

// Closing a listener resets the connections still queued on it, unless
// Linux's net.ipv4.tcp_migrate_req=1 hands them to another listener of the
// port: the setting a lossless restart needs (README, "The spindle runner").
// The test sets it in a network namespace of its own, so it needs root.
const ROLLING_RESTART = new URL("./_rolling_restart.ts", import.meta.url)
  .pathname;
const canUnshare = (() => {
  try {
    return new Deno.Command("unshare", { args: ["-n", "true"] }).outputSync()
      .success;
  } catch {
    return false;
  }
})();
if (!canUnshare && Deno.env.get("CI") !== "true") {
  console.warn(
    "ignoring the rolling restart test: it needs `unshare -n` (root) for a network namespace with tcp_migrate_req=1",
  );
}

test(
  "SIGUSR2 replaces every worker one by one without failing a request under load",
  async () => {
    const { stdout, stderr, success } = await new Deno.Command("unshare", {
      args: [
        "-n",
        "sh",
        "-c",
        'ip link set lo up && echo 1 > /proc/sys/net/ipv4/tcp_migrate_req && exec "$0" run -A --unstable-net "$1"',
        Deno.execPath(),
        ROLLING_RESTART,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = new TextDecoder().decode(stdout);
    assertEquals(success, true, new TextDecoder().decode(stderr));
    const report = JSON.parse(output.trimEnd().split("\n").at(-1)!);
    assertEquals(report.failures, {});
    assertEquals(report.restarts, 1);
    assertEquals(report.started, 4);
    assertEquals(report.code, 0);
  },
  { ignore: !canUnshare && Deno.env.get("CI") !== "true" },
);
