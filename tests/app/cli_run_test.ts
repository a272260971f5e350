// The spindle CLI as a subprocess: `run MODULE` and `--plugin`.
import { assertEquals, assertMatch, test } from "../../trial/mod.ts";
import { CliProcess, echoOnce, runCli } from "./_cli.ts";

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

test("--plugin loads a plugin module and runs its command", async () => {
  const module =
    new URL("./fixtures/greeter_plugin.ts", import.meta.url).pathname;
  await using server = await CliProcess.start(["--plugin", module, "greet"]);
  assertEquals(await echoOnce(server.port, ""), "hello from a plugin");
  const help = await runCli(["--plugin", module, "--help"]);
  assertMatch(help.stdout, /^ {2}greet +says hello to each connection$/m);
});

test("a plugin validates its options once and builds its service from them", async () => {
  const module =
    new URL("./fixtures/greeter_plugin.ts", import.meta.url).pathname;
  await using server = await CliProcess.start(["--plugin", module, "greet"]);
  server.kill("SIGTERM");
  const { code, stderr } = await server.wait();
  assertEquals(code, 0);
  assertEquals(stderr.match(/^greet: .*$/gm), [
    "greet: validation 1",
    "greet: service built from validation 1",
  ]);
});
