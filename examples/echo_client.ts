// An echo client, in either style: it sends a message, half-closes (so the
// server sees the end of it), collects the echo until the server closes, and
// checks that it matches.
// - Twisted style (default): a Protocol, run by connectProtocol on a
//   connection from a client endpoint string.
// - Stream style (--style stream): the endpoint's Connection, written and read
//   as standard streams.
// react() runs the reactor around main and exits 0, or 1 if main failed.
//
// Run it:   deno run -A examples/echo_client.ts --port 8000 [--message TEXT]
//           (against examples/echo_server.ts or echo_protocol_server.ts)
// Options:  --host H (default 127.0.0.1), --port N (default 8000),
//           --message TEXT (default "hello, spindle"),
//           --style protocol|stream (default protocol)
import {
  clientFromString,
  ConnectionDone,
  connectProtocol,
  type DenoReactor,
  Protocol,
  react,
} from "../reactor/mod.ts";

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

class EchoClient extends Protocol {
  readonly message: string;
  readonly done: Promise<string>;
  #decoder = new TextDecoder();
  #reply = "";
  #finish!: (reply: string) => void;
  #fail!: (reason: Error) => void;

  constructor(message: string) {
    super();
    this.message = message;
    this.done = new Promise((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
    });
  }

  override connectionMade(): void {
    this.transport.write(this.message);
    this.transport.loseWriteConnection();
  }

  override dataReceived(data: Uint8Array): void {
    this.#reply += this.#decoder.decode(data, { stream: true });
  }

  override connectionLost(reason: Error): void {
    if (!(reason instanceof ConnectionDone)) return this.#fail(reason);
    this.#reply += this.#decoder.decode();
    this.#finish(this.#reply);
  }
}

async function main(reactor: DenoReactor): Promise<void> {
  const host = option("host", "127.0.0.1").replaceAll(":", "\\:");
  const endpoint = clientFromString(
    reactor,
    `tcp:host=${host}:port=${option("port", "8000")}:timeout=5`,
  );
  const message = option("message", "hello, spindle");
  let reply: string;
  if (option("style", "protocol") === "stream") {
    const conn = await endpoint.connect();
    const writer = conn.writable.getWriter();
    await writer.write(new TextEncoder().encode(message));
    await writer.close(); // half-close: the server sees the end of the message
    reply = await new Response(conn.readable).text();
    await conn.close();
  } else {
    const client = await connectProtocol(endpoint, new EchoClient(message));
    reply = await client.done;
  }
  console.log(`received: ${reply}`);
  if (reply !== message) {
    throw new Error(
      `the echo differs from what was sent: ${JSON.stringify(reply)}`,
    );
  }
}

await react(main);
