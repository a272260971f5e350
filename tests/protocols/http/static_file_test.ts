/** staticFiles and File: conditional requests, ranges, types, listing and confinement. */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import {
  File,
  Resource,
  serveHTTP,
  Site,
  staticFiles,
} from "../../../protocols/http/mod.ts";

async function tree(): Promise<
  { dir: string; root: string; outside: string; cleanup(): Promise<void> }
> {
  const dir = await Deno.makeTempDir({ prefix: "spindle_static_" });
  const root = `${dir}/root`;
  const outside = `${dir}/outside`;
  await Deno.mkdir(`${root}/sub`, { recursive: true });
  await Deno.mkdir(outside);
  await Deno.writeTextFile(`${root}/hello.txt`, "hello world");
  await Deno.writeTextFile(`${root}/page.html`, "<p>hi</p>");
  await Deno.writeTextFile(`${root}/sub/index.html`, "index");
  await Deno.mkdir(`${root}/list`);
  await Deno.writeTextFile(`${root}/list/b.txt`, "b");
  await Deno.writeTextFile(`${root}/list/a <x>.txt`, "a");
  await Deno.writeTextFile(`${root}/.secret`, "hidden");
  await Deno.writeTextFile(`${outside}/secret.txt`, "secret");
  await Deno.symlink(`${outside}/secret.txt`, `${root}/escape.txt`);
  await Deno.symlink(outside, `${root}/escapedir`);
  await Deno.symlink(`${root}/hello.txt`, `${root}/inside.txt`);
  return {
    dir,
    root,
    outside,
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

async function fetchText(
  handler: (r: Request) => Promise<Response>,
  path: string,
  headers: HeadersInit = {},
  method = "GET",
): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await handler(
    new Request(`http://localhost${path}`, { headers, method }),
  );
  return {
    status: response.status,
    headers: response.headers,
    body: await response.text(),
  };
}

test("staticFiles serves a file with type, length, ETag and Last-Modified", async () => {
  const t = await tree();
  const r = await fetchText(staticFiles(t.root), "/hello.txt");
  assertEquals(r.status, 200);
  assertEquals(r.body, "hello world");
  assertEquals(r.headers.get("content-type"), "text/plain;charset=UTF-8");
  assertEquals(r.headers.get("content-length"), "11");
  assert(r.headers.get("etag")?.startsWith('"'));
  assert(!Number.isNaN(Date.parse(r.headers.get("last-modified")!)));
  assertEquals(
    (await fetchText(staticFiles(t.root), "/page.html")).headers.get(
      "content-type",
    ),
    "text/html;charset=UTF-8",
  );
  await t.cleanup();
});

test("staticFiles: If-None-Match with the ETag gives 304", async () => {
  const t = await tree();
  const handler = staticFiles(t.root);
  const etag = (await fetchText(handler, "/hello.txt")).headers.get("etag")!;
  const r = await fetchText(handler, "/hello.txt", {
    "if-none-match": `"other", ${etag}`,
  });
  assertEquals(r.status, 304);
  assertEquals(r.body, "");
  assertEquals(
    (await fetchText(handler, "/hello.txt", { "if-none-match": '"other"' }))
      .status,
    200,
  );
  await t.cleanup();
});

test("staticFiles: If-Modified-Since at or after the mtime gives 304", async () => {
  const t = await tree();
  const handler = staticFiles(t.root);
  const lastModified = (await fetchText(handler, "/hello.txt")).headers.get(
    "last-modified",
  )!;
  assertEquals(
    (await fetchText(handler, "/hello.txt", {
      "if-modified-since": lastModified,
    })).status,
    304,
  );
  const before = new Date(Date.parse(lastModified) - 10_000).toUTCString();
  assertEquals(
    (await fetchText(handler, "/hello.txt", { "if-modified-since": before }))
      .status,
    200,
  );
  await t.cleanup();
});

test("staticFiles: byte ranges give 206 with Content-Range", async () => {
  const t = await tree();
  const handler = staticFiles(t.root);
  const r = await fetchText(handler, "/hello.txt", { range: "bytes=6-" });
  assertEquals([r.status, r.body, r.headers.get("content-range")], [
    206,
    "world",
    "bytes 6-10/11",
  ]);
  const suffix = await fetchText(handler, "/hello.txt", { range: "bytes=-3" });
  assertEquals([suffix.status, suffix.body], [206, "rld"]);
  const middle = await fetchText(handler, "/hello.txt", { range: "bytes=1-4" });
  assertEquals([middle.body, middle.headers.get("content-length")], [
    "ello",
    "4",
  ]);
  await t.cleanup();
});

test("staticFiles: an unsatisfiable range gives 416", async () => {
  const t = await tree();
  const r = await fetchText(staticFiles(t.root), "/hello.txt", {
    range: "bytes=50-",
  });
  assertEquals([r.status, r.headers.get("content-range")], [416, "bytes */11"]);
  await t.cleanup();
});

test("staticFiles: a range with a stale If-Range gives the whole file", async () => {
  const t = await tree();
  const r = await fetchText(staticFiles(t.root), "/hello.txt", {
    range: "bytes=0-1",
    "if-range": '"stale"',
  });
  assertEquals([r.status, r.body], [200, "hello world"]);
  await t.cleanup();
});

test("staticFiles: HEAD gives the headers and length without a body", async () => {
  const t = await tree();
  const r = await fetchText(staticFiles(t.root), "/hello.txt", {}, "HEAD");
  assertEquals([r.status, r.body, r.headers.get("content-length")], [
    200,
    "",
    "11",
  ]);
  await t.cleanup();
});

test("staticFiles: other methods give 405", async () => {
  const t = await tree();
  const r = await fetchText(staticFiles(t.root), "/hello.txt", {}, "DELETE");
  assertEquals([r.status, r.headers.get("allow")], [405, "GET, HEAD"]);
  await t.cleanup();
});

test("staticFiles: a directory redirects to its slash URL and serves its index", async () => {
  const t = await tree();
  const handler = staticFiles(t.root);
  const redirect = await fetchText(handler, "/sub");
  assertEquals([redirect.status, redirect.headers.get("location")], [
    301,
    "/sub/",
  ]);
  assertEquals((await fetchText(handler, "/sub/")).body, "index");
  await t.cleanup();
});

test("staticFiles: a directory without index is 403 unless listing is on", async () => {
  const t = await tree();
  assertEquals((await fetchText(staticFiles(t.root), "/list/")).status, 403);
  const listing = await fetchText(
    staticFiles(t.root, { directoryListing: true }),
    "/list/",
  );
  assertEquals(listing.status, 200);
  assert(listing.body.includes('<a href="b.txt">b.txt</a>'), listing.body);
  assert(listing.body.includes("a%20%3Cx%3E.txt"), listing.body);
  assert(listing.body.includes("a &#60;x&#62;.txt"), listing.body);
  await t.cleanup();
});

for (
  const [name, path] of [
    ["..", "/../outside/secret.txt"],
    ["encoded %2e%2e", "/%2e%2e/outside/secret.txt"],
    ["encoded slash %2f", "/..%2foutside%2fsecret.txt"],
    ["encoded backslash %5c", "/..%5coutside%5csecret.txt"],
    ["a symbolic link to a file outside", "/escape.txt"],
    ["a symbolic link to a directory outside", "/escapedir/secret.txt"],
    ["a dot file", "/.secret"],
    ["a NUL byte", "/hello.txt%00.html"],
  ]
) {
  test(`staticFiles: no escape from the root through ${name}`, async () => {
    const t = await tree();
    const r = await fetchText(
      staticFiles(t.root, { directoryListing: true }),
      path!,
    );
    assert(r.status === 404 || r.status === 403, `${r.status} ${r.body}`);
    assert(!r.body.includes("secret"), r.body);
    await t.cleanup();
  });
}

test("staticFiles: a symbolic link inside the root is served", async () => {
  const t = await tree();
  assertEquals(
    (await fetchText(staticFiles(t.root), "/inside.txt")).body,
    "hello world",
  );
  await t.cleanup();
});

test("staticFiles: a prefix mounts the root below a URL path", async () => {
  const t = await tree();
  const handler = staticFiles(t.root, { prefix: "/static" });
  assertEquals(
    (await fetchText(handler, "/static/hello.txt")).body,
    "hello world",
  );
  assertEquals((await fetchText(handler, "/hello.txt")).status, 404);
  await t.cleanup();
});

test("File: serves a directory as a leaf of a Site", async () => {
  const t = await tree();
  const root = new Resource();
  root.putChild("files", new File(t.root));
  const site = new Site(root);
  const r = await site.fetch(
    new Request("http://localhost/files/sub/index.html"),
  );
  assertEquals(await r.text(), "index");
  const escape = await site.fetch(
    new Request("http://localhost/files/escape.txt"),
  );
  assertEquals(escape.status, 404);
  await escape.body?.cancel();
  await t.cleanup();
});

test("File: serves a single file", async () => {
  const t = await tree();
  const site = new Site(new File(`${t.root}/hello.txt`));
  const r = await site.fetch(new Request("http://localhost/"));
  assertEquals(await r.text(), "hello world");
  await t.cleanup();
});

test("a path segment longer than the file system allows is 404 over TCP, with no error logged", async () => {
  const t = await tree();
  using logs = captureLogs({ level: "error" });
  {
    await using server = await serveHTTP(new Site(new File(t.root)).fetch, {
      listen: "tcp:0:interface=127.0.0.1",
    });
    const { port } = server.addr as Deno.NetAddr;
    for (const path of [`/${"a".repeat(300)}`, `/sub/${"b".repeat(300)}.txt`]) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      assertEquals(response.status, 404, path);
      await response.body?.cancel();
    }
  }
  assertEquals(logs.records.map((r) => r.message), []);
  await t.cleanup();
});
