// Interop with real Twisted peers (/usr/bin/python3 with Debian's
// python3-twisted): Twisted clients against Spindle Protocol-style servers,
// and Spindle clients against a Twisted server.
import { assert, assertEquals, test } from "../../trial/mod.ts";
import type { DenoReactor } from "../../reactor/deno_reactor.ts";
import {
  clientFromString,
  connectProtocol,
} from "../../reactor/endpoints/mod.ts";
import { ClientFactory, Factory } from "../../reactor/factory.ts";
import { Connector } from "../../reactor/connector.ts";
import { ConnectionDone, Protocol } from "../../reactor/protocol.ts";
import type {
  HalfCloseableProtocol,
  PullProducer,
} from "../../reactor/protocol_interfaces.ts";
import { findPeer, PEERS } from "../_peers.ts";

const twisted = findPeer(PEERS.twisted);

/** A Twisted client: each of COUNT connections sends SIZE bytes and checks the echo. */
const twistedEchoClient = `
import sys
from twisted.internet import reactor, protocol
port, count, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
expected = bytes(i % 251 for i in range(size))
results = []
class Client(protocol.Protocol):
    def connectionMade(self):
        self.buf = bytearray()
        self.transport.write(expected)
    def dataReceived(self, data):
        self.buf += data
        if len(self.buf) >= size:
            results.append(bytes(self.buf) == expected)
            self.transport.loseConnection()
    def connectionLost(self, reason):
        if len(results) + failed[0] == count:
            reactor.stop()
failed = [0]
class Factory(protocol.ClientFactory):
    protocol = Client
    def clientConnectionFailed(self, connector, reason):
        print("failed", reason.getErrorMessage(), flush=True)
        failed[0] += 1
        if len(results) + failed[0] == count:
            reactor.stop()
for _ in range(count):
    reactor.connectTCP("127.0.0.1", port, Factory())
reactor.run()
print("echoed", sum(results), "of", count, flush=True)
`;

/** A Twisted client that half-closes after sending and prints the reply. */
const twistedHalfCloseClient = `
import sys
from twisted.internet import reactor, protocol
class Client(protocol.Protocol):
    def connectionMade(self):
        self.reply = b""
        self.transport.write(b"x" * 100000)
        self.transport.loseWriteConnection()
    def dataReceived(self, data):
        self.reply += data
    def connectionLost(self, reason):
        print("reply", self.reply.decode(), flush=True)
        reactor.stop()
protocol.ClientCreator(reactor, Client).connectTCP("127.0.0.1", int(sys.argv[1]))
reactor.run()
`;

/** A Twisted echo server on a free port; prints the port, stops when stdin closes. */
const twistedEchoServer = `
from twisted.internet import reactor, protocol, stdio
class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)
port = reactor.listenTCP(0, protocol.Factory.forProtocol(Echo), interface="127.0.0.1")
print(port.getHost().port, flush=True)
class StopOnEOF(protocol.Protocol):
    def connectionLost(self, reason):
        reactor.stop()
stdio.StandardIO(StopOnEOF())
reactor.run()
`;

async function runPython(script: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(twisted.path, {
    args: ["-c", script, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  assertEquals(
    code,
    0,
    `python exited with ${code}: ${out}\n${new TextDecoder().decode(stderr)}`,
  );
  return out;
}

/** Starts the Twisted echo server; `stop()` closes its stdin and waits for it. */
async function startTwistedServer() {
  const child = new Deno.Command(twisted.path, {
    args: ["-c", twistedEchoServer],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      throw new Error("the Twisted echo server exited before listening");
    }
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const port = Number(text.trim());
  return {
    port,
    async stop() {
      await child.stdin.close();
      await child.stdout.cancel();
      await child.stderr.cancel();
      const status = await child.status;
      assertEquals(status.code, 0);
    },
  };
}

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

async function listenLocal(reactor: DenoReactor, factory: Factory) {
  const port = await reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
  return { port, number: (port.getHost() as Deno.NetAddr).port };
}

test(
  "Twisted echo clients get everything back from a Spindle Protocol server",
  async (t) => {
    const { port, number } = await listenLocal(
      t.reactor,
      Factory.forProtocol(Echo),
    );
    const out = await runPython(twistedEchoClient, [
      String(number),
      "8",
      "200000",
    ]);
    assertEquals(out.trim(), "echoed 8 of 8");
    await port.stopListening();
  },
  { ignore: twisted.ignore },
);

test(
  "a Twisted client's half-close reaches a half-closeable Spindle protocol, which still replies",
  async (t) => {
    class Counter extends Protocol implements HalfCloseableProtocol {
      count = 0;
      override dataReceived(data: Uint8Array): void {
        this.count += data.byteLength;
      }
      readConnectionLost(): void {
        this.transport.write(`${this.count} bytes`);
        this.transport.loseConnection();
      }
    }
    const { port, number } = await listenLocal(
      t.reactor,
      Factory.forProtocol(Counter),
    );
    const out = await runPython(twistedHalfCloseClient, [String(number)]);
    assertEquals(out.trim(), "reply 100000 bytes");
    await port.stopListening();
  },
  { ignore: twisted.ignore },
);

/** Sends `total` bytes through a pull producer and collects the echo. */
class Sender extends Protocol implements PullProducer {
  readonly total: number;
  sent = 0;
  received = 0;
  readonly done: Promise<Error>;
  #lost!: (reason: Error) => void;
  constructor(total: number) {
    super();
    this.total = total;
    this.done = new Promise((resolve) => this.#lost = resolve);
  }
  override connectionMade(): void {
    this.transport.registerProducer(this, false);
  }
  resumeProducing(): void {
    const size = Math.min(16 * 1024, this.total - this.sent);
    this.transport.write(new Uint8Array(size).fill(this.sent % 256));
    this.sent += size;
    if (this.sent === this.total) this.transport.unregisterProducer();
  }
  stopProducing(): void {}
  override dataReceived(data: Uint8Array): void {
    this.received += data.byteLength;
    if (this.received === this.total) this.transport.loseConnection();
  }
  override connectionLost(reason: Error): void {
    this.#lost(reason);
  }
}

test(
  "a Spindle client streams 4 MiB through a Twisted echo server with a pull producer",
  async (t) => {
    const server = await startTwistedServer();
    const sender = await connectProtocol(
      clientFromString(t.reactor, `tcp:127.0.0.1:${server.port}`),
      new Sender(4 * 1024 * 1024),
    );
    const reason = await sender.done;
    assert(reason instanceof ConnectionDone, String(reason));
    assertEquals(sender.received, 4 * 1024 * 1024);
    await server.stop();
  },
  { ignore: twisted.ignore },
);

test(
  "a Spindle ClientFactory hears clientConnectionLost from a Twisted server",
  async (t) => {
    const server = await startTwistedServer();
    const lost = Promise.withResolvers<Error>();
    class Once extends ClientFactory<Sender> {
      override buildProtocol(): Sender {
        return new Sender(1000);
      }
      override clientConnectionLost(_c: Connector, reason: Error): void {
        lost.resolve(reason);
      }
    }
    const factory = new Once();
    const endpoint = clientFromString(
      t.reactor,
      `tcp:127.0.0.1:${server.port}`,
    );
    new Connector(endpoint, factory).connect();
    assert((await lost.promise) instanceof ConnectionDone);
    await server.stop();
  },
  { ignore: twisted.ignore },
);
