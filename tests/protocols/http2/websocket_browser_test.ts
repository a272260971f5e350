/**
 * A real browser's WebSocket over HTTP/2: headless Debian chromium
 * (playwright-core) loads a page from serveHTTP over https: (h2 by ALPN),
 * then opens a `wss:` WebSocket to the same origin; chromium sends it as an
 * RFC 8441 extended CONNECT on that h2 connection, and `upgradeWebSocket`
 * echoes its messages.
 */
import { assertEquals, test } from "../../../trial/mod.ts";
import { serveHTTP } from "../../../protocols/http/mod.ts";
import { upgradeWebSocket } from "../../../protocols/websocket/mod.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const chromium = findPeer(PEERS.chromium);

test(
  "HTTP/2 WebSocket: chromium's wss: WebSocket rides the page's h2 connection and is echoed",
  async () => {
    const { chromium: playwright } = await import("npm:playwright-core@1.49.1");
    const pki = await makeTestPki();
    const protocols: Array<string | undefined> = [];
    const server = await serveHTTP((request, info) => {
      if (request.headers.get("upgrade") !== "websocket") {
        return new Response("<!doctype html><title>ws</title>", {
          headers: { "content-type": "text/html" },
        });
      }
      protocols.push(info.protocol);
      const { socket, response } = upgradeWebSocket(request, info);
      socket.onmessage = (event) => socket.send(`echo ${event.data}`);
      return response;
    }, {
      listen:
        `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
    });
    const port = (server.addr as Deno.NetAddr).port;
    const browser = await playwright.launch({
      executablePath: chromium.path,
      args: ["--ignore-certificate-errors", "--no-sandbox"],
    });
    try {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const tab = await context.newPage();
      await tab.goto(`https://localhost:${port}/`, { waitUntil: "load" });
      const report = await tab.evaluate(async (url) => {
        const ws = new WebSocket(url);
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        const echoes: string[] = [];
        const done = new Promise((resolve) =>
          ws.onmessage = (event) => {
            echoes.push(event.data);
            if (echoes.length === 2) resolve(null);
          }
        );
        ws.send("hello");
        ws.send("x".repeat(100000));
        await done;
        ws.close(1000);
        const code = await new Promise((resolve) =>
          ws.onclose = (event) => resolve(event.code)
        );
        return {
          first: echoes[0],
          second: echoes[1]!.length,
          code,
          protocol:
            (performance.getEntriesByType("navigation")[0] as unknown as {
              nextHopProtocol: string;
            }).nextHopProtocol,
        };
      }, `wss://localhost:${port}/ws`);
      assertEquals(report, {
        first: "echo hello",
        second: 100005,
        code: 1000,
        protocol: "h2",
      });
      // The handshake came as an extended CONNECT, not an HTTP/1.1 upgrade.
      assertEquals(protocols, ["websocket"]);
      await context.close();
    } finally {
      await browser.close();
      await server.shutdown();
    }
  },
  { ignore: chromium.ignore, sanitizeResources: false, sanitizeOps: false },
);
