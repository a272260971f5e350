/** Smoke test for examples/chat_server.ts: two clients chat, then one quits. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";
import { LineDecoder } from "../../protocols/basic/mod.ts";

interface ChatClient {
  say(line: string): Promise<void>;
  /** Reads lines until one equals `expected`; fails after 5 seconds. */
  expect(expected: string): Promise<void>;
  close(): void;
}

async function connect(port: number): Promise<ChatClient> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = conn.readable
    .pipeThrough(new LineDecoder({ delimiter: "\n" }))
    .getReader();
  const seen: string[] = [];
  return {
    async say(line) {
      await conn.write(new TextEncoder().encode(line + "\r\n"));
    },
    async expect(expected) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `chat client never got ${JSON.stringify(expected)}; saw ${
                  JSON.stringify(seen)
                }`,
              ),
            ),
          5000,
        );
      });
      try {
        while (true) {
          const { value, done } = await Promise.race([lines.read(), timeout]);
          if (done) {
            throw new Error(
              `chat connection ended before ${JSON.stringify(expected)}; saw ${
                JSON.stringify(seen)
              }`,
            );
          }
          seen.push(value);
          if (value === expected) return;
        }
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      lines.cancel().catch(() => {});
      try {
        conn.close();
      } catch {
        // Already closed by the server.
      }
    },
  };
}

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("chat_server", ["--port", "0"]);
  const alice = await connect(server.port);
  const bob = await connect(server.port);
  try {
    await alice.say("/nick alice");
    await bob.expect("* guest1 is now known as alice");
    await bob.say("/nick bob");
    await alice.expect("* guest2 is now known as bob");
    await alice.say("hello bob");
    await bob.expect("<alice> hello bob");
    await bob.say("hi alice");
    await alice.expect("<bob> hi alice");
    await bob.say("/quit");
    await bob.expect("Bye!");
    await alice.expect("* bob left");
  } finally {
    alice.close();
    bob.close();
  }
  await server.stop();
}

Deno.test("examples/chat_server.ts: two clients chat, then one quits and the other hears it", () =>
  runSmoke(smoke));
