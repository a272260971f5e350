/**
 * maxBodySize over real TCP: bodies over the limit are refused on the wire
 * with 413 (a declared length at the head, a chunked body as it grows), by
 * default at 64 MiB; a body of exactly the limit is served.
 */
import { assert, assertEquals, assertMatch, test } from "../../../trial/mod.ts";
import {
  BodyTooLargeError,
  DEFAULT_MAX_BODY_SIZE,
  serveHTTP,
  type ServeHTTPOptions,
} from "../../../protocols/http/mod.ts";
import { statuses, tcpClient } from "./_helpers.ts";

const LISTEN = "tcp:0:interface=127.0.0.1";
const H = "Host: example.org\r\n";

/** A server whose handler reads the whole body and answers with its length; `calls` counts handler calls. */
async function lengthServer(options: ServeHTTPOptions = {}) {
  const seen = { calls: 0, error: undefined as unknown };
  const server = await serveHTTP(async (request) => {
    seen.calls++;
    try {
      const body = await request.arrayBuffer();
      return new Response(`${body.byteLength} bytes`);
    } catch (error) {
      seen.error = error;
      throw error;
    }
  }, { listen: LISTEN, ...options });
  return { server, seen };
}

test("a Content-Length over the default maxBodySize gets 413 at the head, before any body is sent", async () => {
  const { server, seen } = await lengthServer();
  await using _server = server;
  await using client = await tcpClient(server.addr);
  await client.send(
    `POST / HTTP/1.1\r\n${H}Content-Length: ${
      DEFAULT_MAX_BODY_SIZE + 1
    }\r\n\r\n`,
  );
  const answer = await client.readAll();
  assertEquals(statuses(answer), [413]);
  assertMatch(answer, /connection: close/i);
  assertEquals(seen.calls, 0);
});

test("a Content-Length over maxBodySize with Expect: 100-continue gets 413, never 100 Continue", async () => {
  const { server, seen } = await lengthServer();
  await using _server = server;
  await using client = await tcpClient(server.addr);
  await client.send(
    `POST / HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: ${
      DEFAULT_MAX_BODY_SIZE + 1
    }\r\n\r\n`,
  );
  assertEquals(statuses(await client.readAll()), [413]);
  assertEquals(seen.calls, 0);
});

test("a chunked upload that grows past maxBodySize gets 413 and the handler's body fails with BodyTooLargeError", async () => {
  const { server, seen } = await lengthServer({ maxBodySize: 1000 });
  await using _server = server;
  await using client = await tcpClient(server.addr);
  const chunk = "x".repeat(600);
  await client.send(
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n` +
      `258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`,
  );
  const answer = await client.readAll();
  assertEquals(statuses(answer), [413]);
  assertMatch(answer, /connection: close/i);
  assertEquals(seen.calls, 1);
  assert(seen.error instanceof BodyTooLargeError, String(seen.error));
});

test("a chunk declared past the default maxBodySize gets 413 before its data is sent", async () => {
  const { server } = await lengthServer();
  await using _server = server;
  await using client = await tcpClient(server.addr);
  await client.send(
    `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${
      (DEFAULT_MAX_BODY_SIZE + 1).toString(16)
    }\r\n`,
  );
  assertEquals(statuses(await client.readAll()), [413]);
});

test("a body of exactly maxBodySize is served, by length and chunked", async () => {
  const { server, seen } = await lengthServer({ maxBodySize: 1000 });
  await using _server = server;
  await using client = await tcpClient(server.addr);
  const body = "y".repeat(1000);
  await client.send(
    `POST / HTTP/1.1\r\n${H}Content-Length: 1000\r\n\r\n${body}` +
      `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
      `1f4\r\n${body.slice(500)}\r\n1f4\r\n${body.slice(500)}\r\n0\r\n\r\n`,
  );
  const answer = await client.readAll();
  assertEquals(statuses(answer), [200, 200]);
  assertEquals(answer.match(/1000 bytes/g)?.length, 2);
  assertEquals(seen.error, undefined);
});

test("maxBodySize Infinity lifts the limit", async () => {
  const { server } = await lengthServer({ maxBodySize: Infinity });
  await using _server = server;
  await using client = await tcpClient(server.addr);
  // The declared size is accepted: the head is answered only once the body is in.
  await client.send(
    `POST / HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: ${
      DEFAULT_MAX_BODY_SIZE + 1
    }\r\nConnection: close\r\n\r\n`,
  );
  const buf = new Uint8Array(1024);
  const n = await client.conn.read(buf);
  assertMatch(
    new TextDecoder().decode(buf.subarray(0, n ?? 0)),
    /^HTTP\/1\.1 100 /,
  );
});
