// A TCP port forwarder: every connection to --port is relayed to --target
// HOST:PORT, bytes both ways, with backpressure: each direction reads the
// next chunk only after the other side has accepted the previous one, so a
// slow receiver slows the sender down instead of filling this process's
// memory. A half-close travels through (the peer sees end of input while the
// other direction keeps flowing), and a reset on one side aborts the other.
//
// Run it:    deno run -A examples/port_forwarder.ts --port 8000 --target 127.0.0.1:8080
// Try it:    curl http://127.0.0.1:8000/   (with a web server on 8080)
import { getLogger } from "../log/mod.ts";
import { type Connection, formatAddress, reactor } from "../reactor/mod.ts";
// relay: copies one direction with backpressure, then half-closes (what
// `spindle portforward` runs).
import { relay } from "../protocols/portforward/mod.ts";

const log = getLogger("example.port_forwarder");

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

const [targetHost, targetPort] = (() => {
  const target = option("target", "127.0.0.1:8080");
  const colon = target.lastIndexOf(":");
  return [
    target.slice(0, colon).replace(/^\[|\]$/g, ""),
    Number(target.slice(colon + 1)),
  ];
})();

const open = new Set<Connection>();

async function forward(client: Connection): Promise<void> {
  const peer = formatAddress(client.remoteAddr);
  let upstream: Connection;
  try {
    upstream = await reactor.connectTCP(targetHost, targetPort, {
      timeout: 5000,
    });
  } catch (error) {
    log.warn("{peer}: cannot reach {host}:{port}: {error}", {
      peer,
      host: targetHost,
      port: targetPort,
      error,
    });
    client.abort(error);
    return;
  }
  open.add(client).add(upstream);
  try {
    await Promise.all([relay(client, upstream), relay(upstream, client)]);
    log.info("{peer}: done", { peer });
    await Promise.all([client.close(), upstream.close()]);
  } catch (error) {
    // One side failed (reset, timeout): the other side cannot be finished
    // cleanly, so it is aborted too.
    log.info("{peer}: relay broken: {error}", { peer, error });
    client.abort(error);
    upstream.abort(error);
  } finally {
    open.delete(client);
    open.delete(upstream);
  }
}

const listening = await reactor.listenTCP(
  Number(option("port", "8000")),
  forward,
  {
    interface: "127.0.0.1",
  },
);
const { hostname, port } = listening.getHost() as Deno.NetAddr;
console.log(`listening on ${hostname}:${port}`);

async function stop(): Promise<void> {
  await listening.stopListening();
  for (const conn of open) conn.abort();
  Deno.exit(0);
}
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
