// An echo server in the stream style: each connection is a standard pair of
// streams, and echoing is one pipeTo (which Spindle runs as a plain read/write
// loop underneath). The address comes from an endpoint string, so
// "tcp:8000:interface=127.0.0.1" could as well be "unix:/tmp/echo.sock".
//
// Run it:   deno run -A examples/echo_server.ts --port 8000
// Try it:   nc 127.0.0.1 8000      (type lines; they come back)
// Options:  --port N (default 8000, 0 picks a free one)
import { type Connection, reactor, serverFromString } from "../reactor/mod.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

async function echo(conn: Connection): Promise<void> {
  await conn.readable.pipeTo(conn.writable);
}

const endpoint = serverFromString(
  reactor,
  `tcp:${option("port", "8000")}:interface=127.0.0.1`,
);
const listening = await endpoint.listen(echo);
const address = listening.getHost() as Deno.NetAddr;
console.log(`listening on ${address.hostname}:${address.port}`);

// SIGINT and SIGTERM stop the reactor; before it stops, stop accepting.
reactor.addSystemEventTrigger(
  "before",
  "shutdown",
  () => listening.stopListening(),
);
await reactor.run();
await reactor.cleanUp();
