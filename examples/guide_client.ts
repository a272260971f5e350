// The program of docs/writing_a_client.md: four ways to be a client, each
// against the shout server of examples/guide_server.ts (which answers each line
// in capitals), and an HTTP request with Agent.
//
// Run it:   deno run --allow-net examples/guide_server.ts --port 8000 &
//           deno run --allow-net examples/guide_client.ts --port 8000
// Options:  --port N (the shout server, default 8000),
//           --url URL (also GET this URL with Agent)
import {
  clientFromString,
  Connector,
  connectProtocol,
  type DenoReactor,
  react,
  ReconnectingClientFactory,
} from "../reactor/mod.ts";
import { LineDecoder, LineReceiver } from "../protocols/basic/mod.ts";
import { Agent } from "../protocols/http/mod.ts";

function option(name: string): string | undefined {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] : undefined;
}
const port = Number(option("port") ?? "8000");
const url = option("url");

// 1. Streams: connect, write, half-close, read the answer line by line.
async function withStreams(reactor: DenoReactor): Promise<void> {
  await using conn = await reactor.connectTCP("127.0.0.1", port, {
    timeout: 5_000,
  });
  await conn.write(new TextEncoder().encode("streams\n"));
  await conn.closeWrite();
  for await (
    const line of conn.readable.pipeThrough(
      new LineDecoder({ delimiter: "\n" }),
    )
  ) {
    console.log(`streams got: ${line}`);
  }
}

// 2. A Twisted-style protocol on a connection from an endpoint string.
class Ask extends LineReceiver {
  override delimiter = "\n";
  readonly answer = Promise.withResolvers<string>();

  override connectionMade(): void {
    this.sendLine("protocol");
  }

  override lineReceived(line: string): void {
    this.answer.resolve(line);
    this.transport.loseConnection();
  }
}

async function withProtocol(reactor: DenoReactor): Promise<void> {
  const endpoint = clientFromString(reactor, `tcp:127.0.0.1:${port}:timeout=5`);
  const ask = await connectProtocol(endpoint, new Ask());
  console.log(`protocol got: ${await ask.answer.promise}`);
}

// 3. A factory that reconnects with backoff; here it stops after one answer.
async function withReconnecting(reactor: DenoReactor): Promise<void> {
  const factory = new ReconnectingClientFactory<Ask>({
    initialDelay: 100,
    maxRetries: 5,
  });
  const first = Promise.withResolvers<string>();
  factory.buildProtocol = () => {
    factory.resetDelay(); // connected: the next retry starts from 100 ms again
    const ask = new Ask();
    ask.answer.promise.then((answer) => {
      factory.stopTrying(); // before the connection closes, so no retry
      first.resolve(answer);
    });
    return ask;
  };
  new Connector(clientFromString(reactor, `tcp:127.0.0.1:${port}`), factory)
    .connect();
  const answer = await first.promise;
  console.log(`reconnecting got: ${answer}`);
}

// 4. HTTP: Agent returns a standard Response.
async function withAgent(target: string): Promise<void> {
  const agent = new Agent();
  try {
    const response = await agent.request("GET", target);
    console.log(`agent got: ${response.status} ${await response.text()}`);
  } finally {
    await agent.close();
  }
}

await react(async (reactor) => {
  await withStreams(reactor);
  await withProtocol(reactor);
  await withReconnecting(reactor);
  if (url !== undefined) await withAgent(url);
});
