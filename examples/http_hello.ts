// A hello-world HTTP server: a `Deno.serve`-shaped handler served by Spindle's
// own HTTP/1.1 engine (keep-alive, pipelining, chunked bodies, timeouts and
// limits), here with a small JSON route and a streamed response.
//
// Run it:   deno run -A examples/http_hello.ts --port 8080
// Try it:   curl -i http://127.0.0.1:8080/   curl http://127.0.0.1:8080/json
//           curl -N http://127.0.0.1:8080/count
// Options:  --port N (default 8080, 0 picks a free one)
import { reactor } from "../reactor/mod.ts";
import { serveHTTP } from "../protocols/http/mod.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

function handler(request: Request): Response {
  const url = new URL(request.url);
  switch (url.pathname) {
    case "/json":
      return Response.json({ hello: "world", method: request.method });
    case "/count": {
      // A streamed body goes out chunked, one chunk per number.
      let n = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (++n > 5) return controller.close();
          controller.enqueue(new TextEncoder().encode(`${n}\n`));
        },
      });
      return new Response(body, { headers: { "content-type": "text/plain" } });
    }
    default:
      return new Response("Hello, World!\n");
  }
}

const server = await serveHTTP(handler, {
  listen: `tcp:${option("port", "8080")}:interface=127.0.0.1`,
  maxBodySize: 1024 * 1024,
});
const address = server.addr as Deno.NetAddr;
console.log(`listening on ${address.hostname}:${address.port}`);

// SIGINT and SIGTERM stop the reactor; first stop listening and finish responses.
reactor.addSystemEventTrigger("before", "shutdown", () => server.shutdown());
await reactor.run();
await reactor.cleanUp();
