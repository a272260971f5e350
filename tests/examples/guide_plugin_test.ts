/**
 * Smoke test for examples/guide_plugin.ts: --help lists its options, a bad
 * option exits 2, and two workers greet and stop cleanly on SIGTERM.
 */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const help = await kit.run("guide_plugin", ["greet", "--help"]);
  if (help.code !== 0 || !help.output.includes("--times NUMBER")) {
    throw new Error(`greet --help printed:\n${help.output}`);
  }
  const bad = await kit.run("guide_plugin", ["greet", "--times", "0"]);
  if (bad.code !== 2 || !bad.output.includes("--times must be 1 to 10")) {
    throw new Error(`greet --times 0 exited ${bad.code}:\n${bad.output}`);
  }
  const server = await kit.start("guide_plugin", [
    "greet",
    "--listen",
    "tcp:0:interface=127.0.0.1",
    "--times",
    "2",
    "--workers",
    "2",
  ]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const reply = await new Response(conn.readable).text();
  if (reply !== "hello\nhello\n") {
    throw new Error(`greet answered ${JSON.stringify(reply)}`);
  }
  const stopped = await server.stop();
  if (stopped.code !== 0) {
    throw new Error(
      `greet exited with ${stopped.code} on SIGTERM:\n${stopped.output}`,
    );
  }
}

Deno.test("examples/guide_plugin.ts: --help, exit 2 on a bad option, two workers greet and stop cleanly", () =>
  runSmoke(smoke));
