// A TCP server for the descriptor-exhaustion test, run in a subprocess with a
// small descriptor limit: it prints its port on stdout, greets each
// connection with "hello\n" and holds it until the client closes. Its log
// (the reactor's accept failures) goes to stderr; SIGTERM ends it.
import { DenoReactor } from "../../reactor/deno_reactor.ts";

// Deno 2.9.6 sets up its signal handling lazily, with a descriptor of its own:
// without a listener set up now, while descriptors are left, Deno panics once
// none are (as a real server, which handles SIGTERM, does not).
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
const reactor = new DenoReactor();
const port = await reactor.listenTCP(0, async (conn) => {
  try {
    await conn.write(new TextEncoder().encode("hello\n"));
    while (await conn.read() !== null) {
      // Held until the client closes.
    }
  } catch {
    // A client that gave up while queued is gone before its greeting.
  }
}, { interface: "127.0.0.1" });
console.log((port.getHost() as Deno.NetAddr).port);
