/**
 * A real browser, the client that matters most: Debian's `chromium`, driven
 * headless by `playwright-core` (npm, test-only), opens the page of
 * `examples/websocket_chat.ts` in two tabs, over `ws:` and then over `wss:`
 * with a test certificate (`--ignore-certificate-errors`).
 */
import { assertEquals, test } from "../../../trial/mod.ts";
import { chromium } from "npm:playwright-core@1.49.1";
import { findPeer, PEERS } from "../../_peers.ts";
import { runSmoke } from "../../examples/_smoke_kit.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { connectWebSocket } from "../../../protocols/websocket/mod.ts";

const browser = findPeer(PEERS.chromium);

async function chat(scheme: "http" | "https", args: string[]): Promise<void> {
  await runSmoke(async (kit) => {
    const server = await kit.start("websocket_chat", ["--port", "0", ...args]);
    const chrome = await chromium.launch({
      executablePath: browser.path,
      args: ["--no-sandbox", "--ignore-certificate-errors"],
    });
    try {
      const context = await chrome.newContext({ ignoreHTTPSErrors: true });
      const url = `${scheme}://127.0.0.1:${server.port}/`;
      const one = await context.newPage();
      await one.goto(url);
      await one.locator("li", { hasText: "guest-1 joined" }).waitFor();
      const two = await context.newPage();
      await two.goto(url);
      await one.locator("li", { hasText: "guest-2 joined" }).waitFor();
      await one.fill("#text", "hello from one");
      await one.press("#text", "Enter");
      for (const page of [one, two]) {
        await page.locator("li", { hasText: "guest-1: hello from one" })
          .waitFor();
      }
      await two.close();
      await one.locator("li", { hasText: "guest-2 left" }).waitFor();
      assertEquals(await one.locator("li").count(), 4);
    } finally {
      await chrome.close();
    }
    await server.stop();
  });
}

test(
  "Chromium: two tabs of the chat page over ws: see each other's messages, and a closed tab is seen to leave",
  async () => {
    await chat("http", []);
  },
  { ignore: browser.ignore, timeout: 60_000 },
);

test("Chromium: the same over wss: with a test certificate", async () => {
  const pki = await makeTestPki(["localhost"]);
  await chat("https", [
    "--cert",
    `${pki.dir}/localhost.pem`,
    "--key",
    `${pki.dir}/localhost.key`,
  ]);
}, { ignore: browser.ignore, timeout: 60_000 });

test("Spindle's client over wss: with the test CA trusted", async () => {
  const pki = await makeTestPki(["localhost"]);
  await runSmoke(async (kit) => {
    const server = await kit.start("websocket_chat", [
      "--port",
      "0",
      "--cert",
      `${pki.dir}/localhost.pem`,
      "--key",
      `${pki.dir}/localhost.key`,
    ]);
    const socket = await connectWebSocket(
      `wss://localhost:${server.port}/ws`,
      { caCerts: [pki.caCert] },
    );
    const joined = await new Promise((resolve) =>
      socket.onmessage = (event) => resolve(event.data)
    );
    assertEquals(joined, "guest-1 joined");
    socket.close();
    await new Promise((resolve) => socket.onclose = resolve);
    await server.stop();
  });
});
