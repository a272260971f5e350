/**
 * WebSocket against real peers: Deno's own `WebSocket` client and Python
 * `websockets` (client and server), and Spindle's client against
 * `Deno.serve` + `Deno.upgradeWebSocket`.
 */
import { assertEquals, test } from "../../../trial/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import {
  connectWebSocket,
  type SpindleWebSocket,
} from "../../../protocols/websocket/mod.ts";
import { echoServer } from "./_helpers.ts";

const python = findPeer(PEERS.pythonWebsockets);
const PEER = new URL("./fixtures/ws_peer.py", import.meta.url).pathname;
const BIG = 16 * 1024 * 1024;

function next(socket: WebSocket | SpindleWebSocket): Promise<unknown> {
  return new Promise((resolve) => {
    (socket as WebSocket).onmessage = (event) => resolve(event.data);
  });
}

test("Deno's WebSocket client: text, binary, 16 MiB and close codes against the server", async (t) => {
  const { url } = await echoServer(t);
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  await new Promise((resolve) => ws.onopen = resolve);
  ws.send("héllo");
  assertEquals(await next(ws), "héllo");
  ws.send(new Uint8Array([1, 2, 3]));
  assertEquals(
    new Uint8Array(await next(ws) as ArrayBuffer),
    new Uint8Array([1, 2, 3]),
  );
  const big = new Uint8Array(BIG).map((_, i) => i);
  ws.send(big);
  assertEquals(new Uint8Array(await next(ws) as ArrayBuffer), big);
  ws.close(4005, "deno says bye");
  const event = await new Promise<CloseEvent>((resolve) =>
    ws.onclose = resolve
  );
  assertEquals([event.code, event.wasClean], [4005, true]);
});

test("Spindle's client against Deno.serve + Deno.upgradeWebSocket: echo, 16 MiB, the server's close code", async () => {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onmessage = (event) => {
        if (event.data === "close-me") socket.close(4003, "deno closes");
        else socket.send(event.data);
      };
      return response;
    },
  );
  try {
    const socket = await connectWebSocket(
      `ws://127.0.0.1:${server.addr.port}/`,
    );
    socket.binaryType = "arraybuffer";
    socket.send("ping?");
    assertEquals(await next(socket), "ping?");
    const big = new Uint8Array(BIG).fill(0xab);
    socket.send(big);
    assertEquals(new Uint8Array(await next(socket) as ArrayBuffer), big);
    socket.send("close-me");
    const event = await new Promise<CloseEvent>((resolve) =>
      socket.onclose = resolve
    );
    assertEquals([event.code, event.reason, event.wasClean], [
      4003,
      "deno closes",
      true,
    ]);
  } finally {
    await server.shutdown();
  }
});

test(
  "Python websockets' client against the server: deflate, text, binary, 16 MiB, fragments, ping, close",
  async (t) => {
    const { url } = await echoServer(t);
    const output = await new Deno.Command(python.path, {
      args: [PEER, "client", url],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const steps = Object.fromEntries(
      new TextDecoder().decode(output.stdout).trim().split("\n").filter(Boolean)
        .map((line) => JSON.parse(line)).map((s) => [s.step, s.value]),
    );
    assertEquals(steps, {
      extensions: ["permessage-deflate"],
      text: "héllo",
      binary: [1, 2, 3],
      "16MiB": true,
      fragmented: "fragmented",
      ping: true,
      close: [4000, ""], // the code echoed; the reason is the client's own
    }, new TextDecoder().decode(output.stderr));
  },
  { ignore: python.ignore },
);

test(
  "Spindle's client against Python websockets' server: deflate, 16 MiB, fragments, its pings, its close code",
  async () => {
    const child = new Deno.Command(python.path, {
      args: [PEER, "server"],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const reader = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      const { value } = await reader.read();
      reader.releaseLock();
      const { port } = JSON.parse(value!.split("\n")[0]!);
      const socket = await connectWebSocket(`ws://127.0.0.1:${port}/`);
      assertEquals(socket.extensions, "permessage-deflate");
      socket.binaryType = "arraybuffer";
      const big = new Uint8Array(BIG).map((_, i) => i * 7);
      socket.send(big);
      assertEquals(new Uint8Array(await next(socket) as ArrayBuffer), big);
      socket.send("fragment-me");
      assertEquals(await next(socket), "fragmented");
      // The server pings every 0.2 s and closes without pongs: still open after 0.5 s.
      await new Promise((resolve) => setTimeout(resolve, 500));
      socket.send("still here");
      assertEquals(await next(socket), "still here");
      socket.send("close-me");
      const event = await new Promise<CloseEvent>((resolve) =>
        socket.onclose = resolve
      );
      assertEquals([event.code, event.reason, event.wasClean], [
        4002,
        "python closes",
        true,
      ]);
    } finally {
      child.kill();
      await child.status;
      await child.stdout.cancel().catch(() => {});
    }
  },
  { ignore: python.ignore },
);
