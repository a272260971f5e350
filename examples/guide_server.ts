// The program of docs/writing_a_server.md: a line-based "shout" server in the
// stream style. Each connection is a pair of Web Streams; a LineDecoder with a
// limit frames the input, a TransformStream upper-cases each line, and a
// LineEncoder frames the output. SIGINT or SIGTERM stops it gracefully.
//
// Run it:   deno run --allow-net examples/guide_server.ts --port 8000
// Try it:   nc 127.0.0.1 8000      (type lines; they come back in capitals)
import { type Connection, listen, reactor } from "../reactor/mod.ts";
import { LineDecoder, LineEncoder } from "../protocols/basic/mod.ts";

const portIndex = Deno.args.indexOf("--port");
const port = portIndex >= 0 ? Deno.args[portIndex + 1] : "8000";

// One connection: lines in, shouted lines out. A line longer than maxLength
// makes the decoder fail, which ends this connection only.
async function shout(conn: Connection): Promise<void> {
  try {
    await conn.readable
      .pipeThrough(new LineDecoder({ delimiter: "\n", maxLength: 1024 }))
      .pipeThrough(
        new TransformStream<string, string>({
          transform: (line, out) => out.enqueue(line.toUpperCase()),
        }),
      )
      .pipeThrough(new LineEncoder({ delimiter: "\n" }))
      .pipeTo(conn.writable);
  } catch (error) {
    conn.abort(error);
  }
}

const stop = new AbortController();
const listener = await listen(`tcp:${port}:interface=127.0.0.1`, {
  signal: stop.signal,
});
const { hostname, port: bound } = listener.addr as Deno.NetAddr;
console.log(`listening on ${hostname}:${bound}`);

// On SIGINT or SIGTERM: stop accepting, then let each open connection flush
// what it has written and close.
const open = new Set<Connection>();
reactor.addSystemEventTrigger("before", "shutdown", async () => {
  stop.abort();
  await Promise.allSettled([...open].map((conn) => conn.close()));
});

(async () => {
  for await (const conn of listener) {
    open.add(conn);
    shout(conn).finally(() => open.delete(conn));
  }
})();

await reactor.run();
await reactor.cleanUp();
