/**
 * Smoke test for examples/app.ts: run alone, and under `spindle run` (the
 * CLI as a subprocess), answer HTTP, and stop cleanly on SIGTERM.
 */
import { ROOT, runSmoke, type SmokeKit } from "./_smoke_kit.ts";

async function expectHello(port: number, how: string): Promise<void> {
  const hello = await fetch(`http://127.0.0.1:${port}/`);
  const text = await hello.text();
  if (text !== "hello from spindle\n") {
    throw new Error(`app (${how}): / answered ${JSON.stringify(text)}`);
  }
  const stats = await (await fetch(`http://127.0.0.1:${port}/stats`)).json();
  if (typeof stats.requests !== "number") {
    throw new Error(`app (${how}): bad /stats ${JSON.stringify(stats)}`);
  }
}

async function underSpindleRun(): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--unstable-net",
      "app/cli.ts",
      "run",
      "examples/app.ts",
      "--",
      "--port",
      "0",
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  try {
    const deadline = Date.now() + 15_000;
    let match: RegExpExecArray | null = null;
    while (
      (match = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(stdout)) === null
    ) {
      if (Date.now() > deadline) {
        throw new Error("app (spindle run): no listening line");
      }
      const { value, done } = await reader.read();
      if (done) {
        throw new Error(
          `app (spindle run): exited before listening:\n${await stderr}`,
        );
      }
      stdout += value;
    }
    await expectHello(Number(match[1]), "spindle run");
  } finally {
    child.kill("SIGTERM");
    while (!(await reader.read()).done) { /* drain */ }
  }
  const { code } = await child.status;
  const log = await stderr;
  if (code !== 0) {
    throw new Error(`app (spindle run) exited with ${code}:\n${log}`);
  }
  if (!log.includes("hello stopped")) {
    throw new Error(`app (spindle run) did not log its stop:\n${log}`);
  }
}

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("app", ["--port", "0"]);
  await expectHello(server.port, "alone");
  const { code, output } = await server.stop();
  if (code !== 0) throw new Error(`app exited with ${code}:\n${output}`);
  await underSpindleRun();
}

Deno.test("examples/app.ts: alone and under `spindle run` it answers HTTP and stops cleanly on SIGTERM", () =>
  runSmoke(smoke));
