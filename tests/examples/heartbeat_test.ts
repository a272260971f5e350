/** Smoke test for examples/heartbeat.ts: a client receives consecutive beats. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("heartbeat", [
    "--port",
    "0",
    "--interval",
    "50",
  ]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  let text = "";
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(1024);
  const deadline = Date.now() + 5000;
  while ((text.match(/\n/g)?.length ?? 0) < 3) {
    if (Date.now() > deadline) {
      throw new Error(`heartbeat: only got ${JSON.stringify(text)}`);
    }
    const n = await conn.read(buffer);
    if (n === null) {
      throw new Error(`heartbeat: closed after ${JSON.stringify(text)}`);
    }
    text += decoder.decode(buffer.subarray(0, n));
  }
  conn.close();
  const numbers = text.split("\n").slice(0, 3).map((line) => {
    const match = /^heartbeat (\d+) \d{4}-\d\d-\d\dT[\d:.]+Z$/.exec(line);
    if (match === null) {
      throw new Error(`heartbeat: unexpected line ${JSON.stringify(line)}`);
    }
    return Number(match[1]);
  });
  if (numbers[1] !== numbers[0]! + 1 || numbers[2] !== numbers[1]! + 1) {
    throw new Error(`heartbeat: beats not consecutive: ${numbers}`);
  }
  const { code, output } = await server.stop();
  if (code !== 0) throw new Error(`heartbeat exited with ${code}:\n${output}`);
}

Deno.test("examples/heartbeat.ts: a client receives consecutive beats", () =>
  runSmoke(smoke));
