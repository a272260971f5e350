/** Smoke test for examples/http_static.ts: files, ranges, listing and confinement to the root. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "spindle_http_static_" });
  await Deno.writeTextFile(`${dir}/hello.txt`, "hello, static world");
  const server = await kit.start("http_static", ["--port", "0", "--root", dir]);
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const file = await fetch(`${base}/files/hello.txt`);
    if ((await file.text()) !== "hello, static world") {
      throw new Error("http_static did not serve the file");
    }
    const range = await fetch(`${base}/files/hello.txt`, {
      headers: { range: "bytes=7-12" },
    });
    const part = await range.text();
    if (range.status !== 206 || part !== "static") {
      throw new Error(
        `http_static range gave ${range.status} ${JSON.stringify(part)}`,
      );
    }
    const listing = await (await fetch(`${base}/files/`)).text();
    if (!listing.includes("hello.txt")) {
      throw new Error(`http_static listing lacks the file:\n${listing}`);
    }
    const escape = await fetch(`${base}/files/%2e%2e/%2e%2e/etc/passwd`);
    await escape.body?.cancel();
    if (escape.status !== 404) {
      throw new Error(`http_static let %2e%2e through: ${escape.status}`);
    }
    const home = await (await fetch(`${base}/`)).text();
    if (!home.includes("/files/")) {
      throw new Error("http_static home page is wrong");
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  const stopped = await server.stop();
  if (stopped.code !== 0) {
    throw new Error(
      `http_static exited with ${stopped.code}:\n${stopped.output}`,
    );
  }
}

Deno.test("examples/http_static.ts: it serves files, ranges and listings, confined to its root", () =>
  runSmoke(smoke));
