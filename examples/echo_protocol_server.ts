// An echo server in the Twisted style: a Protocol whose dataReceived writes
// back what it gets, and a Factory that builds one per connection. Policies
// wrap the factory: an idle timeout and limits on concurrent connections.
//
// Run it:   deno run -A examples/echo_protocol_server.ts --port 8000
// Try it:   nc 127.0.0.1 8000      (or examples/echo_client.ts --port 8000)
// Options:  --port N (default 8000, 0 picks a free one),
//           --idle-timeout SECONDS (default 60), --max-connections N (default 1000)
import {
  Factory,
  idleTimeout,
  limitConnections,
  Protocol,
  reactor,
  serverFromString,
} from "../reactor/mod.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

class Echo extends Protocol {
  override connectionMade(): void {
    // Echo is interactive: send each reply at once rather than wait to batch.
    this.transport.setTcpNoDelay(true);
  }

  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

const factory = limitConnections(
  idleTimeout(Factory.forProtocol(Echo), {
    timeout: Number(option("idle-timeout", "60")) * 1000,
  }),
  {
    maxConnections: Number(option("max-connections", "1000")),
    maxPerPeer: 100,
  },
);

const listening = await serverFromString(
  reactor,
  `tcp:${option("port", "8000")}:interface=127.0.0.1`,
).listen(factory);
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
