/**
 * The HTTP server engine alone: one keep-alive request and its response per
 * iteration, through `serveConnection` on an in-memory connection that hands
 * the next request to the server as soon as the previous response is written.
 * No sockets, so what is left is the engine's own JavaScript and GC cost per
 * request (parser, `Request`, handler, `Response`, serialisation, timers).
 *
 * Run: deno bench -A bench/http_engine_bench.ts
 *
 * The loop variant (`--loop N [--conns 64]`) prints microseconds per request
 * without the `Deno.bench` harness, over many connections taking turns (as
 * under wrk), for comparing changes and for `--cpu-prof`:
 *   deno run -A --cpu-prof --cpu-prof-interval 50 bench/http_engine_bench.ts --loop 200000
 */
import process from "node:process";
import { BaseConnection } from "../reactor/connection.ts";
import type { Address } from "../reactor/interfaces.ts";
import { serveConnection, type ServeHandler } from "../protocols/http/mod.ts";

const encoder = new TextEncoder();

/**
 * A connection whose reads are answered by the bench: `send` makes the next
 * pending read resolve; `written` resolves on the next write.
 */
class BenchConnection extends BaseConnection {
  #pendingRead: ((chunk: Uint8Array | null) => void) | null = null;
  #queued: (Uint8Array | null)[] = [];
  #onWrite: (() => void) | null = null;
  bytesWritten = 0;

  constructor() {
    const addr: Address = { transport: "tcp", hostname: "127.0.0.1", port: 1 };
    super(addr, addr);
  }

  send(chunk: Uint8Array | null): void {
    const pending = this.#pendingRead;
    if (pending !== null) {
      this.#pendingRead = null;
      pending(chunk);
    } else this.#queued.push(chunk);
  }

  written(): Promise<void> {
    return new Promise((resolve) => this.#onWrite = resolve);
  }

  protected rawRead(): Promise<Uint8Array | null> {
    if (this.#queued.length > 0) {
      return Promise.resolve(this.#queued.shift()!);
    }
    return new Promise((resolve) => this.#pendingRead = resolve);
  }

  protected rawWrite(data: Uint8Array): Promise<void> {
    this.bytesWritten += data.byteLength;
    const onWrite = this.#onWrite;
    this.#onWrite = null;
    onWrite?.();
    return Promise.resolve();
  }

  protected rawCloseWrite(): Promise<void> {
    return Promise.resolve();
  }

  protected rawClose(): void {}
}

/** What wrk sends. */
const WRK_REQUEST = encoder.encode(
  "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
);
/** What a browser-like client sends. */
const BROWSER_REQUEST = encoder.encode(
  "GET /index.html?q=1 HTTP/1.1\r\nHost: example.org\r\n" +
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n" +
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
    "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n" +
    "Connection: keep-alive\r\nCookie: session=abc123; theme=dark\r\n\r\n",
);

interface Session {
  /** One request through the server; resolves when its response is written. */
  exchange(): Promise<void>;
  close(): Promise<void>;
}

function session(handler: ServeHandler, request: Uint8Array): Session {
  const conn = new BenchConnection();
  const served = serveConnection(conn, handler, { keepAliveTimeout: 5000 });
  return {
    exchange() {
      // Each read gets a fresh view, as from a socket; the bytes are shared.
      const written = conn.written();
      conn.send(request.subarray(0));
      return written;
    },
    async close() {
      conn.send(null);
      await served;
    },
  };
}

const hello: ServeHandler = () => new Response("Hello, World!");
const withHeaders: ServeHandler = (request) =>
  new Response(`${request.method} ${new URL(request.url).pathname}`, {
    headers: {
      "content-type": "text/plain",
      "x-agent": request.headers.get("user-agent") ?? "",
    },
  });

const loopIndex = Deno.args.indexOf("--loop");
if (loopIndex >= 0) {
  // Many connections take turns, as under wrk: caches and GC see their churn.
  const count = Number(Deno.args[loopIndex + 1] ?? 200_000);
  const connsIndex = Deno.args.indexOf("--conns");
  const conns = connsIndex >= 0 ? Number(Deno.args[connsIndex + 1]) : 64;
  const sessions = Array.from(
    { length: conns },
    () => session(hello, WRK_REQUEST),
  );
  const run = (perSession: number) =>
    Promise.all(sessions.map(async (s) => {
      for (let i = 0; i < perSession; i++) await s.exchange();
    }));
  await run(Math.ceil(20_000 / conns));
  const perSession = Math.ceil(count / conns);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await run(perSession);
  const cpu = process.cpuUsage(cpuStart);
  const elapsed = performance.now() - start;
  await Promise.all(sessions.map((s) => s.close()));
  const requests = perSession * conns;
  console.log(
    `${(elapsed * 1000 / requests).toFixed(2)} µs wall, ${
      ((cpu.user + cpu.system) / requests).toFixed(2)
    } µs CPU per request (${requests} requests, ${conns} connections)`,
  );
} else {
  const wrkHello = session(hello, WRK_REQUEST);
  const browserHello = session(hello, BROWSER_REQUEST);
  const browserHeaders = session(withHeaders, BROWSER_REQUEST);

  Deno.bench({
    name: "hello world, wrk request",
    group: "engine",
    baseline: true,
    fn: async () => await wrkHello.exchange(),
  });
  Deno.bench({
    name: "hello world, browser request",
    group: "engine",
    fn: async () => await browserHello.exchange(),
  });
  Deno.bench({
    name: "headers and URL read, browser request",
    group: "engine",
    fn: async () => await browserHeaders.exchange(),
  });

  globalThis.addEventListener("unload", () => {
    wrkHello.close();
    browserHello.close();
    browserHeaders.close();
  });
}
