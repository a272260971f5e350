/** Smoke test for examples/ssh_server.ts: the Spindle client runs commands on it. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";
import { connectSSH } from "../../protocols/ssh/mod.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  // The runner stops the example if a check below throws.
  const server = await kit.start("ssh_server", ["--port", "0"]);
  const client = await connectSSH({
    host: server.hostname,
    port: server.port,
    user: "alice",
    password: "secret",
    verifyHostKey: () => true,
  });
  const hello = await client.run("hello");
  const text = new TextDecoder().decode(hello.stdout);
  if (text !== "hello, alice!\n" || hello.status !== 0) {
    throw new Error(
      `ssh_server answered hello with ${
        JSON.stringify(text)
      }, status ${hello.status}`,
    );
  }
  const shell = await client.exec(null);
  const writer = shell.stdin.getWriter();
  await writer.write(new TextEncoder().encode("whoami\nexit\n"));
  await writer.close();
  const session = await new Response(shell.stdout).text();
  if (!session.includes("alice\n$ ")) {
    throw new Error(`the toy shell said ${JSON.stringify(session)}`);
  }
  await client.close();
  const result = await server.stop();
  if (result.code !== 0) {
    throw new Error(`ssh_server exited with ${result.code}:\n${result.output}`);
  }
}

Deno.test("examples/ssh_server.ts: its toy shell answers exec and shell sessions", () =>
  runSmoke(smoke));
