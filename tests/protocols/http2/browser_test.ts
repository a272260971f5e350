/**
 * A real browser over HTTP/2: headless Debian chromium, driven by
 * playwright-core, loads a page with 50 subresources from `spindle web` over
 * https:; every resource arrives over h2 (`nextHopProtocol`), byte for byte.
 */
import { assertEquals, test } from "../../../trial/mod.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const chromium = findPeer(PEERS.chromium);
const COUNT = 50;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(`spindle web does not listen on ${port} after 10 s`);
}

test(
  "HTTP/2: chromium loads 50 subresources from spindle web over h2, byte for byte",
  async () => {
    const { chromium: playwright } = await import("npm:playwright-core@1.49.1");
    const pki = await makeTestPki();
    const root = await Deno.makeTempDir();
    const files = new Map<string, string>();
    let page = "<!doctype html><title>h2</title>\n";
    for (let i = 0; i < COUNT; i++) {
      // Scripts of many sizes, some over one frame, window and write.
      const text = `window.loaded = (window.loaded || 0) + 1;\n// ${
        String(i).repeat(1 + (i * 997) % 40000)
      }\n`;
      files.set(`/r${i}.js`, text);
      await Deno.writeTextFile(`${root}/r${i}.js`, text);
      page += `<script src="/r${i}.js"></script>\n`;
    }
    await Deno.writeTextFile(`${root}/index.html`, page);
    const port = freePort();
    const web = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-net",
        new URL("../../../app/cli.ts", import.meta.url).pathname,
        "web",
        "--path",
        root,
        "--listen",
        `tls:${port}:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const browser = await playwright.launch({
      executablePath: chromium.path,
      args: ["--ignore-certificate-errors", "--no-sandbox"],
    });
    try {
      await waitForPort(port);
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const tab = await context.newPage();
      const bodies = new Map<string, Promise<string>>();
      tab.on("response", (response) => {
        const path = new URL(response.url()).pathname;
        if (!files.has(path)) return;
        const body = response.text();
        // Awaited below; a failure before that must not hide the first error.
        body.catch(() => {});
        bodies.set(path, body);
      });
      await tab.goto(`https://localhost:${port}/index.html`, {
        waitUntil: "load",
      });
      const report = await tab.evaluate(() => ({
        loaded: (globalThis as unknown as { loaded: number }).loaded,
        resources: performance.getEntriesByType("resource").map((entry) => ({
          path: new URL(entry.name).pathname,
          protocol: (entry as unknown as { nextHopProtocol: string })
            .nextHopProtocol,
        })),
      }));
      assertEquals(report.loaded, COUNT);
      // Every resource the page loaded came over HTTP/2, our 50 among them.
      assertEquals(report.resources.filter((r) => r.protocol !== "h2"), []);
      const paths = new Set(report.resources.map((r) => r.path));
      for (const path of files.keys()) assertEquals(paths.has(path), true);
      assertEquals(bodies.size, COUNT);
      for (const [path, body] of bodies) {
        assertEquals(await body, files.get(path));
      }
      await context.close();
    } finally {
      await browser.close();
      web.kill("SIGTERM");
      await web.status;
      await Deno.remove(root, { recursive: true });
    }
  },
  { ignore: chromium.ignore, sanitizeResources: false, sanitizeOps: false },
);
