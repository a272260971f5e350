/** Smoke test for examples/websocket_chat.ts: the page, and a message from one member reaching both. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

function nextMessage(socket: WebSocket): Promise<string> {
  return new Promise((resolve) => socket.onmessage = (e) => resolve(e.data));
}

export async function smoke(kit: SmokeKit): Promise<void> {
  const server = await kit.start("websocket_chat", ["--port", "0"]);
  const base = `127.0.0.1:${server.port}`;
  const page = await (await fetch(`http://${base}/`)).text();
  if (!page.includes("new WebSocket")) {
    throw new Error("websocket_chat did not serve its page");
  }
  const alice = new WebSocket(`ws://${base}/ws`);
  const joined = nextMessage(alice);
  await new Promise((resolve) => alice.onopen = resolve);
  if (await joined !== "guest-1 joined") throw new Error("no join message");
  // Alice is told of bob's join too: her next message must not be taken
  // for his "hello" while that news is still on its way to her.
  const joinSeenByAlice = nextMessage(alice);
  const bob = new WebSocket(`ws://${base}/ws`);
  await new Promise((resolve) => bob.onopen = resolve);
  await nextMessage(bob); // guest-2 joined
  if (await joinSeenByAlice !== "guest-2 joined") {
    throw new Error("alice was not told of bob's join");
  }
  const atAlice = nextMessage(alice);
  bob.send("hello");
  const [seenByAlice, seenByBob] = await Promise.all([
    atAlice,
    nextMessage(bob),
  ]);
  if (seenByAlice !== "guest-2: hello" || seenByBob !== "guest-2: hello") {
    throw new Error(`wrong broadcast: ${seenByAlice} / ${seenByBob}`);
  }
  for (const socket of [alice, bob]) {
    socket.close();
    await new Promise((resolve) => socket.onclose = resolve);
  }
  const stopped = await server.stop();
  if (stopped.code !== 0) {
    throw new Error(
      `websocket_chat exited with ${stopped.code}:\n${stopped.output}`,
    );
  }
}

Deno.test("examples/websocket_chat.ts: the page is served and a message reaches every member", () =>
  runSmoke(smoke));
