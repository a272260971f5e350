/** Smoke test for examples/ssh_exec.ts: it runs a command on examples/ssh_server.ts. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  // The runner stops the example if a check below throws.
  const server = await kit.start("ssh_server", ["--port", "0"]);
  const ok = await kit.run("ssh_exec", [
    "--port",
    String(server.port),
    "--user",
    "alice",
    "--password",
    "secret",
    "--accept-any-host-key",
    "echo",
    "through",
    "ssh",
  ]);
  if (ok.code !== 0 || !ok.output.includes("through ssh")) {
    throw new Error(`ssh_exec exited with ${ok.code}:\n${ok.output}`);
  }
  const missing = await kit.run("ssh_exec", [
    "--port",
    String(server.port),
    "--user",
    "alice",
    "--password",
    "secret",
    "--accept-any-host-key",
    "frobnicate",
  ]);
  if (missing.code !== 127) {
    throw new Error(
      `ssh_exec of an unknown command exited with ${missing.code}:\n${missing.output}`,
    );
  }
  const result = await server.stop();
  if (result.code !== 0) {
    throw new Error(`ssh_server exited with ${result.code}:\n${result.output}`);
  }
}

Deno.test("examples/ssh_exec.ts: it streams a command's output and exits with its status", () =>
  runSmoke(smoke));
