import {
  assertEquals,
  assertInstanceOf,
  assertStrictEquals,
  assertThrows,
} from "../../trial/assertions.ts";
import { CancelledError } from "../../deferred/errors.ts";
import { Clock } from "../../reactor/clock.ts";
import { connectedPair } from "../../reactor/connected_pair.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import { ClientFactory } from "../../reactor/factory.ts";
import { Connector } from "../../reactor/connector.ts";
import { ConnectionDone, Protocol } from "../../reactor/protocol.ts";
import { decoder, readAll } from "./_helpers.ts";
import { ManualSource } from "./_manual_source.ts";

/** A client factory that records what its connector tells it. */
class RecordingFactory extends ClientFactory {
  events: string[] = [];
  reasons: Error[] = [];
  override startFactory(): void {
    this.events.push("startFactory");
  }
  override stopFactory(): void {
    this.events.push("stopFactory");
  }
  override startedConnecting(): void {
    this.events.push("startedConnecting");
  }
  override clientConnectionFailed(_c: Connector, reason: Error): void {
    this.events.push("failed");
    this.reasons.push(reason);
  }
  override clientConnectionLost(_c: Connector, reason: Error): void {
    this.events.push("lost");
    this.reasons.push(reason);
  }
}

class Hello extends Protocol {
  override connectionMade(): void {
    this.transport.write("hello");
    this.transport.loseConnection();
  }
}

Deno.test("a failed attempt is reported to clientConnectionFailed and stops the factory", () => {
  const source = new ManualSource();
  const factory = new RecordingFactory();
  const connector = new Connector(source, factory, { reactor: new Clock() });
  connector.connect();
  assertEquals(connector.state, "connecting");
  const refused = new ConnectionRefusedError("127.0.0.1", 1);
  source.attempts[0]!.errback(refused);
  assertEquals(connector.state, "disconnected");
  assertEquals(factory.events, [
    "startFactory",
    "startedConnecting",
    "failed",
    "stopFactory",
  ]);
  assertStrictEquals(factory.reasons[0], refused);
});

Deno.test("a made connection runs the factory's protocol and reports clientConnectionLost at its end", async () => {
  const source = new ManualSource();
  const factory = new RecordingFactory();
  factory.protocol = Hello;
  const connector = new Connector(source, factory, { reactor: new Clock() });
  connector.connect();
  const [local, remote] = connectedPair();
  source.attempts[0]!.callback(local);
  assertEquals(connector.state, "connected");
  assertEquals(decoder.decode(await readAll(() => remote.read())), "hello");
  await remote.close();
  await local.closed;
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(connector.state, "disconnected");
  assertEquals(factory.events, [
    "startFactory",
    "startedConnecting",
    "lost",
    "stopFactory",
  ]);
  assertInstanceOf(factory.reasons[0], ConnectionDone);
});

Deno.test("stopConnecting cancels the attempt and the factory hears CancelledError", () => {
  const source = new ManualSource();
  const factory = new RecordingFactory();
  const connector = new Connector(source, factory, { reactor: new Clock() });
  connector.connect();
  connector.stopConnecting();
  assertEquals(connector.state, "disconnected");
  assertInstanceOf(factory.reasons[0], CancelledError);
});

Deno.test("a connector takes its reactor from the source when not given one", () => {
  const source = Object.assign(new ManualSource(), { reactor: new Clock() });
  const connector = new Connector(source, new RecordingFactory());
  assertStrictEquals(connector.reactor, source.reactor);
  assertThrows(
    () => new Connector(new ManualSource(), new RecordingFactory()),
    TypeError,
    "options.reactor",
  );
});

Deno.test("connect while connecting throws", () => {
  const source = new ManualSource();
  const connector = new Connector(source, new RecordingFactory(), {
    reactor: new Clock(),
  });
  connector.connect();
  assertThrows(() => connector.connect(), Error, "already connecting");
  connector.stopConnecting();
});

Deno.test("disconnect closes the connection", async () => {
  const source = new ManualSource();
  const factory = new RecordingFactory();
  factory.protocol = Protocol;
  const connector = new Connector(source, factory, { reactor: new Clock() });
  connector.connect();
  const [local, remote] = connectedPair();
  source.attempts[0]!.callback(local);
  connector.disconnect();
  assertEquals(await remote.read(), null);
  await remote.close();
  await local.closed;
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(factory.events.at(-2), "lost");
});

Deno.test("a factory may reconnect from clientConnectionFailed without being stopped", () => {
  const source = new ManualSource();
  const events: string[] = [];
  class Retrying extends RecordingFactory {
    override clientConnectionFailed(connector: Connector, reason: Error): void {
      super.clientConnectionFailed(connector, reason);
      if (source.attempts.length < 2) connector.connect();
    }
  }
  const factory = new Retrying();
  factory.events = events;
  const connector = new Connector(source, factory, { reactor: new Clock() });
  connector.connect();
  source.attempts[0]!.errback(new ConnectionRefusedError("127.0.0.1", 1));
  assertEquals(connector.state, "connecting");
  assertEquals(events, [
    "startFactory",
    "startedConnecting",
    "failed",
    "startedConnecting",
  ]);
  connector.stopConnecting();
});
