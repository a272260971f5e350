/**
 * The handler's time: `handlerTimeout` answers 503 for a handler that does
 * not answer in time, and `request.signal` tells a handler that it should
 * stop (its time ran out, or the client went away over TCP).
 */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import { captureLogs } from "../../../log/mod.ts";
import { HandlerTimeoutError, serveHTTP } from "../../../protocols/http/mod.ts";
import { rawSession, statuses, tcpClient } from "./_helpers.ts";

const H = "Host: example.org\r\n";
const GET = `GET / HTTP/1.1\r\n${H}\r\n`;

/** Lets queued microtasks and in-memory I/O settle. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * A handler that answers only once its signal aborts (too late for anyone to
 * read); `aborted` resolves then.
 */
function answeringOnAbort() {
  const { promise: aborted, resolve } = Promise.withResolvers<void>();
  const handler = (request: Request) =>
    new Promise<Response>((answer) => {
      request.signal.addEventListener("abort", () => {
        resolve();
        answer(new Response("nobody listens"));
      });
    });
  return { handler, aborted };
}

test("a handler that has not answered within handlerTimeout gets 503 and its signal aborted", async (t) => {
  using logs = captureLogs({ namespace: "spindle.http.server", level: "warn" });
  const { handler, aborted } = answeringOnAbort();
  const session = rawSession(handler, {
    clock: t.clock,
    handlerTimeout: 1000,
  });
  await session.send(GET);
  await settle();
  t.clock.advance(999);
  await settle();
  t.clock.advance(1);
  const answer = await session.readAll();
  assertEquals(statuses(answer), [503]);
  assert(answer.toLowerCase().includes("connection: close"), answer);
  await aborted;
  await session.served;
  assertEquals(logs.records.map((r) => r.level), ["warn"]);
});

test("a request body still being read when handlerTimeout fires fails with HandlerTimeoutError", async (t) => {
  let bodyError: unknown;
  const session = rawSession(async (request) => {
    try {
      await request.text();
    } catch (error) {
      bodyError = error;
    }
    return new Response("late");
  }, { clock: t.clock, handlerTimeout: 1000 });
  await session.send(`POST / HTTP/1.1\r\n${H}Content-Length: 10\r\n\r\nabc`);
  await settle();
  {
    using _quiet = captureLogs();
    t.clock.advance(1000);
  }
  assertEquals(statuses(await session.readAll()), [503]);
  await session.served;
  assert(bodyError instanceof HandlerTimeoutError, String(bodyError));
});

test("a handler that answers within handlerTimeout is served and leaves no timer behind", async (t) => {
  const session = rawSession(() => new Response("in time"), {
    clock: t.clock,
    handlerTimeout: 1000,
    keepAliveTimeout: 5000,
  });
  await session.send(GET);
  assertEquals(statuses(await session.readUntil("in time")), [200]);
  t.clock.advance(1000);
  await session.send(GET);
  assertEquals(statuses(await session.readUntil("in time")), [200]);
  await session.close();
  assertEquals(t.clock.getDelayedCalls().length, 0);
});

test("request.signal aborts when the TCP client disconnects while the handler works", async () => {
  const { handler, aborted } = answeringOnAbort();
  await using server = await serveHTTP(handler, {
    listen: "tcp:0:interface=127.0.0.1",
  });
  const client = await tcpClient(server.addr);
  await client.send(GET);
  client.close();
  await aborted;
});

test("request.signal aborts when the TCP client disconnects while its body lies unread", async () => {
  const { handler, aborted } = answeringOnAbort();
  const { promise: started, resolve: start } = Promise.withResolvers<void>();
  await using server = await serveHTTP((request) => {
    start();
    return handler(request);
  }, { listen: "tcp:0:interface=127.0.0.1" });
  const client = await tcpClient(server.addr);
  await client.send(`POST / HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhello`);
  await started;
  client.close();
  await aborted;
});
