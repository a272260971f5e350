// A heartbeat server: every client that connects receives a line
// "heartbeat N <time>" every --interval milliseconds, from one LoopingCall
// shared by all clients. Shows LoopingCall on the real reactor clock, a
// broadcast that never queues behind a slow client (a client still busy with
// the previous beat skips this one), and a clean stop on SIGTERM/SIGINT.
//
// Run it:    deno run -A examples/heartbeat.ts --port 7003 --interval 1000
// Listen:    nc 127.0.0.1 7003
import { getLogger } from "../log/mod.ts";
import { type Connection, LoopingCall, reactor } from "../reactor/mod.ts";

const log = getLogger("example.heartbeat");

function option(name: string, fallback: number): number {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Number(Deno.args[index + 1]) : fallback;
}

interface Client {
  conn: Connection;
  busy: boolean;
}

const clients = new Set<Client>();
const encoder = new TextEncoder();
let beats = 0;

function beat(): void {
  beats++;
  const line = encoder.encode(
    `heartbeat ${beats} ${new Date().toISOString()}\n`,
  );
  for (const client of clients) {
    // A client that has not taken the last beat yet gets no new one: a
    // heartbeat is about now, so queueing old beats would be wrong.
    if (client.busy) continue;
    client.busy = true;
    client.conn.write(line).then(
      () => client.busy = false,
      () => clients.delete(client),
    );
  }
  if (beats % 10 === 0) {
    log.info("{beats} beats sent, {clients} clients", {
      beats,
      clients: clients.size,
    });
  }
}

async function serve(conn: Connection): Promise<void> {
  const client: Client = { conn, busy: false };
  clients.add(client);
  log.info("client connected");
  // Whatever the client sends is ignored; its end of input ends the session.
  while ((await conn.read()) !== null) { /* ignore */ }
  clients.delete(client);
}

const loop = new LoopingCall(beat, { clock: reactor });
const listening = await reactor.listenTCP(option("port", 7003), serve, {
  interface: "127.0.0.1",
});
const { hostname, port } = listening.getHost() as Deno.NetAddr;
const done = loop.start(option("interval", 1000), { now: false });
console.log(`listening on ${hostname}:${port}`);

async function stop(): Promise<void> {
  loop.stop();
  await done;
  await listening.stopListening();
  await Promise.all([...clients].map((c) => c.conn.close().catch(() => {})));
  Deno.exit(0);
}
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
