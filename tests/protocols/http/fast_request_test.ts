/** The server's request maker: lazily built requests that behave as standard ones. */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import {
  makeRequest,
  RequestAbort,
  standardRequest,
} from "../../../protocols/http/_fast_request.ts";

function make(
  method: string,
  url: string,
  headers: [string, string][],
  body: ReadableStream<Uint8Array> | null = null,
  abort = new RequestAbort(),
): Request {
  return makeRequest(method, url, headers, body, abort);
}

test("makeRequest uses the fast path on this Deno", () => {
  assert(
    makeRequest !== standardRequest,
    "the fast path failed its self-check on this runtime",
  );
});

test("a fast request has the method, URL and headers it was made with", () => {
  const request = make("DELETE", "http://example.org/a?b=c", [[
    "Host",
    "example.org",
  ], ["X-One", "1"]]);
  assert(request instanceof Request);
  assertEquals(request.method, "DELETE");
  assertEquals(request.url, "http://example.org/a?b=c");
  assertEquals([...request.headers], [["host", "example.org"], ["x-one", "1"]]);
  assertEquals(request.body, null);
});

test("a fast request's body streams once and can be cloned", async () => {
  const request = make(
    "POST",
    "http://x/",
    [["Host", "x"]],
    new Blob(["payload"]).stream(),
  );
  const clone = request.clone();
  assertEquals(await request.text(), "payload");
  assert(request.bodyUsed);
  assertEquals(await clone.text(), "payload");
});

test("a fast request can seed a new Request", async () => {
  const request = make("GET", "http://x/p", [["Host", "x"], [
    "Accept",
    "text/plain",
  ]]);
  const derived = new Request(request, { method: "PUT", body: "new" });
  assertEquals([
    derived.url,
    derived.headers.get("accept"),
    await derived.text(),
  ], ["http://x/p", "text/plain", "new"]);
});

test("a fast request's headers can be changed, as a standard request's can", () => {
  const request = make("GET", "http://x/", [["Host", "x"]]);
  request.headers.set("x-added", "yes");
  assertEquals(request.headers.get("x-added"), "yes");
});

for (
  const [name, maker] of [["fast", makeRequest], [
    "standard",
    standardRequest,
  ]] as const
) {
  test(`a ${name} request's signal aborts with its RequestAbort`, () => {
    const abort = new RequestAbort();
    const request = maker("GET", "http://x/", [["Host", "x"]], null, abort);
    assertEquals(request.signal.aborted, false);
    abort.abort();
    assertEquals(request.signal.aborted, true);
  });
}

test("a signal first read after the abort is already aborted", () => {
  const abort = new RequestAbort();
  const request = make("GET", "http://x/", [["Host", "x"]], null, abort);
  abort.abort();
  assertEquals(request.signal.aborted, true);
});
