/**
 * Smoke test for examples/guide_testing.ts: served for real, Shout answers in
 * capitals and says bye. (Its trial tests are tests/docs/guide_testing_test.ts.)
 */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("guide_testing", ["--port", "0"]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  await conn.write(new TextEncoder().encode("hi\nbye\n"));
  const reply = await new Response(conn.readable).text();
  if (reply !== "HI\nbye\n") {
    throw new Error(`guide_testing answered ${JSON.stringify(reply)}`);
  }
  const stopped = await server.stop();
  if (stopped.code !== 0) {
    throw new Error(
      `guide_testing exited with ${stopped.code} on SIGTERM:\n${stopped.output}`,
    );
  }
}

Deno.test("examples/guide_testing.ts: served for real, Shout answers in capitals and says bye", () =>
  runSmoke(smoke));
