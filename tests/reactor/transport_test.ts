import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
} from "../../trial/assertions.ts";
import { captureLogs } from "../../log/mod.ts";
import { Clock } from "../../reactor/clock.ts";
import { connectedPair } from "../../reactor/connected_pair.ts";
import { ConnectionLostError, ProtocolError } from "../../reactor/errors.ts";
import { ConnectionDone, Protocol } from "../../reactor/protocol.ts";
import type {
  HalfCloseableProtocol,
  PullProducer,
  PushProducer,
} from "../../reactor/protocol_interfaces.ts";
import { runProtocol } from "../../reactor/transport.ts";
import { decoder, encoder, readAll } from "./_helpers.ts";
import { Factory } from "../../reactor/factory.ts";
import { idleTimeout } from "../../reactor/policies/timeout.ts";
import { makeTestPki, type TestPki } from "./_tls.ts";
import { test } from "../../trial/mod.ts";

/** A protocol that records what happens to it. */
class Recorder extends Protocol {
  received: string[] = [];
  lost: Error[] = [];
  made = 0;
  override connectionMade(): void {
    this.made++;
  }
  override dataReceived(data: Uint8Array): void {
    this.received.push(decoder.decode(data));
  }
  override connectionLost(reason: Error): void {
    this.lost.push(reason);
  }
}

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

function run(protocol: Protocol) {
  const [server, client] = connectedPair();
  const done = runProtocol(protocol, server, { reactor: new Clock() });
  return { server, client, done };
}

Deno.test("makeConnection gives the protocol a transport and calls connectionMade once", async () => {
  const protocol = new Recorder();
  const { server, client, done } = run(protocol);
  assertEquals(protocol.made, 1);
  assert(protocol.connected);
  assertStrictEquals(protocol.transport.getPeer(), server.remoteAddr);
  assertStrictEquals(protocol.transport.getHost(), server.localAddr);
  assertStrictEquals(protocol.transport.connection, server);
  await client.close();
  await done;
});

Deno.test("dataReceived gets the peer's bytes in order", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  await client.write(encoder.encode("one "));
  await client.write(encoder.encode("two"));
  await client.close();
  await done;
  assertEquals(protocol.received.join(""), "one two");
});

Deno.test("an echo protocol sends back everything, then closes when the peer half-closes", async () => {
  const { client, done } = run(new Echo());
  const payload = new Uint8Array(300_000).map((_, i) => i % 251);
  const reading = readAll(() => client.read());
  await client.write(payload);
  await client.closeWrite();
  assertEquals(await reading, payload);
  assertInstanceOf(await done, ConnectionDone);
});

Deno.test("writes made in one tick reach the peer as one chunk", async () => {
  class Chatty extends Protocol {
    override connectionMade(): void {
      for (let i = 0; i < 100; i++) this.transport.write(`${i},`);
    }
  }
  const { client, done } = run(new Chatty());
  const first = await client.read();
  assert(first !== null);
  const expected = Array.from({ length: 100 }, (_, i) => `${i},`).join("");
  assertEquals(decoder.decode(first), expected);
  await client.close();
  await done;
});

Deno.test("write sends strings as UTF-8 and writeSequence sends each element", async () => {
  class Greeter extends Protocol {
    override connectionMade(): void {
      this.transport.write("héllo ");
      this.transport.writeSequence(["wor", encoder.encode("ld")]);
      this.transport.loseConnection();
    }
  }
  const { client, done } = run(new Greeter());
  assertEquals(
    decoder.decode(await readAll(() => client.read())),
    "héllo world",
  );
  await client.close();
  await done;
});

Deno.test("loseConnection sends what was written, then closes with ConnectionDone", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  protocol.transport.write("last words");
  protocol.transport.loseConnection();
  assert(protocol.transport.disconnecting);
  assertEquals(
    decoder.decode(await readAll(() => client.read())),
    "last words",
  );
  await client.close();
  assertInstanceOf(await done, ConnectionDone);
  assertEquals(protocol.lost.length, 1);
  assertInstanceOf(protocol.lost[0], ConnectionDone);
  assertEquals(protocol.connected, false);
});

Deno.test("what dataReceived writes before loseConnection is sent", async () => {
  class Once extends Protocol {
    override dataReceived(data: Uint8Array): void {
      this.transport.write(data);
      this.transport.write("!");
      this.transport.loseConnection();
    }
  }
  const { client, done } = run(new Once());
  await client.write(encoder.encode("bye"));
  assertEquals(decoder.decode(await readAll(() => client.read())), "bye!");
  await client.close();
  assertInstanceOf(await done, ConnectionDone);
});

Deno.test("writes after the connection closed are dropped", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  protocol.transport.loseConnection();
  assertEquals(decoder.decode(await readAll(() => client.read())), "");
  protocol.transport.write("dropped");
  await client.close();
  await done;
  protocol.transport.write("dropped too");
});

Deno.test("abortConnection drops unsent data and loses the connection with ConnectionLostError", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  protocol.transport.write("never sent");
  protocol.transport.abortConnection();
  assertInstanceOf(await done, ConnectionLostError);
  assertInstanceOf(protocol.lost[0], ConnectionLostError);
  await assertRejects(() => client.read(), ConnectionLostError);
});

Deno.test("a peer that aborts makes connectionLost get a ConnectionLostError", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  client.abort(new ConnectionLostError("reset by test"));
  assertInstanceOf(await done, ConnectionLostError);
  assertEquals(protocol.lost.length, 1);
});

Deno.test("a half-closeable protocol hears readConnectionLost and can still write", async () => {
  class Summer extends Protocol implements HalfCloseableProtocol {
    total = 0;
    override dataReceived(data: Uint8Array): void {
      this.total += data.byteLength;
    }
    readConnectionLost(): void {
      this.transport.write(`got ${this.total} bytes`);
      this.transport.loseConnection();
    }
  }
  const { client, done } = run(new Summer());
  await client.write(new Uint8Array(1000));
  await client.closeWrite();
  assertEquals(
    decoder.decode(await readAll(() => client.read())),
    "got 1000 bytes",
  );
  assertInstanceOf(await done, ConnectionDone);
});

Deno.test("loseWriteConnection half-closes: the peer sees end of input and can still send", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  protocol.transport.write("question");
  protocol.transport.loseWriteConnection();
  assertEquals(decoder.decode(await readAll(() => client.read())), "question");
  await client.write(encoder.encode("answer"));
  await client.closeWrite();
  assertInstanceOf(await done, ConnectionDone);
  assertEquals(protocol.received.join(""), "answer");
});

Deno.test("a dataReceived that throws is logged and aborts only its connection", async () => {
  class Broken extends Protocol {
    lost: Error | undefined;
    override dataReceived(): void {
      throw new RangeError("bad input");
    }
    override connectionLost(reason: Error): void {
      this.lost = reason;
    }
  }
  using logs = captureLogs({ namespace: "spindle.reactor" });
  const protocol = new Broken();
  const { client, done } = run(protocol);
  await client.write(encoder.encode("x"));
  assertInstanceOf(await done, RangeError);
  assertInstanceOf(protocol.lost, RangeError);
  assertEquals(logs.records.length, 1);
  assertEquals(logs.records[0]!.level, "error");
  assertInstanceOf(logs.records[0]!.fields.error, RangeError);
  await assertRejects(() => client.read(), Error);
});

Deno.test("a ProtocolError from dataReceived (the peer's fault) is logged as a warning", async () => {
  class BadInputError extends ProtocolError {}
  class Strict extends Protocol {
    override dataReceived(): void {
      throw new BadInputError("the peer sent garbage");
    }
  }
  using logs = captureLogs({ namespace: "spindle.reactor" });
  const { client, done } = run(new Strict());
  await client.write(encoder.encode("garbage"));
  assertInstanceOf(await done, BadInputError);
  assertEquals(logs.records.map((r) => r.level), ["warn"]);
  await client.close();
});

Deno.test("a ProtocolError from dataReceived closes after sending what the protocol wrote before it", async () => {
  class BadInputError extends ProtocolError {}
  class AnswersThenFails extends Protocol {
    override dataReceived(): void {
      this.transport.write("answer to the good part\n");
      throw new BadInputError("the rest was garbage");
    }
  }
  using _logs = captureLogs({ namespace: "spindle.reactor" });
  const { client, done } = run(new AnswersThenFails());
  await client.write(encoder.encode("good part, then garbage"));
  assertEquals(
    await new Response(client.readable).text(),
    "answer to the good part\n",
  );
  assertInstanceOf(await done, BadInputError);
  await client.close();
});

Deno.test("pauseProducing on the transport holds dataReceived back until resumeProducing", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  protocol.transport.pauseProducing();
  await client.write(encoder.encode("held"));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assertEquals(protocol.received, []);
  protocol.transport.resumeProducing();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(protocol.received, ["held"]);
  await client.close();
  await done;
});

class RecordingPushProducer implements PushProducer {
  events: string[] = [];
  pauseProducing(): void {
    this.events.push("pause");
  }
  resumeProducing(): void {
    this.events.push("resume");
  }
  stopProducing(): void {
    this.events.push("stop");
  }
}

Deno.test("a push producer is paused while the peer does not read, and resumed when it does", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  const producer = new RecordingPushProducer();
  protocol.transport.registerProducer(producer, true);
  // The pipe and the connection hold 64 KiB each: 512 KiB cannot all be accepted.
  for (let i = 0; i < 8; i++) protocol.transport.write(new Uint8Array(65536));
  assertEquals(producer.events, ["pause"]);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assertEquals(producer.events, ["pause"]);
  let received = 0;
  while (received < 8 * 65536) {
    const chunk = await client.read();
    assert(chunk !== null);
    received += chunk.byteLength;
  }
  assertEquals(producer.events, ["pause", "resume"]);
  protocol.transport.unregisterProducer();
  await client.close();
  await done;
});

Deno.test("a pull producer is asked for more on registration and whenever the buffer empties", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  let calls = 0;
  const producer: PullProducer = {
    resumeProducing() {
      calls++;
      if (calls <= 3) protocol.transport.write(`part ${calls};`);
      else {
        protocol.transport.unregisterProducer();
        protocol.transport.loseConnection();
      }
    },
    stopProducing() {},
  };
  protocol.transport.registerProducer(producer, false);
  assertEquals(
    decoder.decode(await readAll(() => client.read())),
    "part 1;part 2;part 3;",
  );
  await client.close();
  await done;
  assertEquals(calls, 4);
});

Deno.test("registering a second producer throws", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  protocol.transport.registerProducer(new RecordingPushProducer(), true);
  let thrown: unknown;
  try {
    protocol.transport.registerProducer(new RecordingPushProducer(), true);
  } catch (error) {
    thrown = error;
  }
  assertInstanceOf(thrown, Error);
  protocol.transport.unregisterProducer();
  await client.close();
  await done;
});

Deno.test("a registered producer hears stopProducing when the connection is lost", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  const producer = new RecordingPushProducer();
  protocol.transport.registerProducer(producer, true);
  client.abort();
  await done;
  assertEquals(producer.events, ["stop"]);
});

Deno.test("loseConnection waits for the registered producer, which may go on writing, to unregister", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  const producer = new RecordingPushProducer();
  protocol.transport.registerProducer(producer, true);
  protocol.transport.write("a");
  protocol.transport.loseConnection();
  await new Promise((resolve) => setTimeout(resolve, 5));
  assertEquals(protocol.lost, []);
  protocol.transport.write("b");
  protocol.transport.unregisterProducer();
  assertEquals(decoder.decode(await readAll(() => client.read())), "ab");
  await client.close();
  assertInstanceOf(await done, ConnectionDone);
});

/** A line-at-a-time server: "STARTTLS" switches to TLS, anything else is echoed. */
class StartTLSServer extends Protocol {
  constructor(readonly pki: TestPki) {
    super();
  }
  override dataReceived(data: Uint8Array): void {
    const text = decoder.decode(data);
    if (text === "STARTTLS\n") {
      this.transport.write("GO\n");
      const { cert, key } = this.pki.leaves.localhost!;
      this.transport.startTLS({ isServer: true, cert, key });
    } else {
      this.transport.write(`echo ${text}`);
    }
  }
}

/** Asks for STARTTLS, upgrades on "GO", then sends a secret and waits for its echo. */
class StartTLSClient extends Protocol {
  readonly replies: string[] = [];
  readonly done = Promise.withResolvers<void>();
  constructor(readonly pki: TestPki) {
    super();
  }
  override connectionMade(): void {
    this.transport.write("STARTTLS\n");
  }
  override dataReceived(data: Uint8Array): void {
    const text = decoder.decode(data);
    this.replies.push(text);
    if (text === "GO\n") {
      this.transport.startTLS({
        hostname: "localhost",
        caCerts: [this.pki.caCert],
      }).then(() => this.transport.write("secret\n"));
    } else {
      this.transport.loseConnection();
    }
  }
  override connectionLost(): void {
    this.done.resolve();
  }
}

test("startTLS from dataReceived upgrades both ends after the clear-text reply", async (t) => {
  const pki = await makeTestPki();
  const port = await t.reactor.listenTCP(
    0,
    new (class extends Factory {
      override buildProtocol(): StartTLSServer {
        return new StartTLSServer(pki);
      }
    })(),
    { interface: "127.0.0.1" },
  );
  const { port: number } = port.getHost() as Deno.NetAddr;
  const conn = await t.reactor.connectTCP("127.0.0.1", number);
  const client = new StartTLSClient(pki);
  const done = runProtocol(client, conn, { reactor: t.reactor });
  await client.done.promise;
  assertInstanceOf(await done, ConnectionDone);
  assertEquals(client.replies, ["GO\n", "echo secret\n"]);
  await port.stopListening();
});

test("startTLS works on a connection wrapped by a policy", async (t) => {
  const pki = await makeTestPki();
  const factory = idleTimeout(
    new (class extends Factory {
      override buildProtocol(): StartTLSServer {
        return new StartTLSServer(pki);
      }
    })(),
    { timeout: 10_000 },
  );
  const port = await t.reactor.listenTCP(0, factory, {
    interface: "127.0.0.1",
  });
  const { port: number } = port.getHost() as Deno.NetAddr;
  const conn = await t.reactor.connectTCP("127.0.0.1", number);
  const client = new StartTLSClient(pki);
  const done = runProtocol(client, conn, { reactor: t.reactor });
  await client.done.promise;
  await done;
  assertEquals(client.replies, ["GO\n", "echo secret\n"]);
  await port.stopListening();
});

test("startTLS outside connectionMade and dataReceived is refused", async () => {
  const protocol = new Recorder();
  const { client, done } = run(protocol);
  await new Promise((resolve) => setTimeout(resolve, 0));
  await assertRejects(
    () => protocol.transport.startTLS({ hostname: "localhost" }),
    TypeError,
    "dataReceived",
  );
  await client.close();
  await done;
});
