import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertThrows,
} from "../../trial/assertions.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import {
  clientFromString,
  connectProtocol,
  EndpointDescriptionError,
  InvalidEndpointParameterError,
  serverFromString,
  TCPClientEndpoint,
  TCPServerEndpoint,
  UnixClientEndpoint,
  UnixServerEndpoint,
  UnknownEndpointKindError,
} from "../../reactor/endpoints.ts";
import { Factory } from "../../reactor/factory.ts";
import { ConnectionDone, Protocol } from "../../reactor/protocol.ts";
import { decoder, encoder, readAll } from "./_helpers.ts";

const reactor = new DenoReactor();

Deno.test("serverFromString reads a tcp port and interface", () => {
  const endpoint = serverFromString(reactor, "tcp:8080:interface=127.0.0.1");
  assertInstanceOf(endpoint, TCPServerEndpoint);
  assertEquals(endpoint.toString(), "tcp:8080:interface=127.0.0.1");
});

Deno.test("serverFromString takes the port by name too", () => {
  assertEquals(
    serverFromString(reactor, "tcp:port=80:backlog=5").toString(),
    "tcp:80:backlog=5",
  );
});

Deno.test("a backslash escapes a colon, so IPv6 interfaces fit", () => {
  const endpoint = serverFromString(reactor, "tcp:0:interface=\\:\\:1");
  assertEquals(endpoint.toString(), "tcp:0:interface=\\:\\:1");
});

Deno.test("serverFromString reads a unix path and octal mode", () => {
  const endpoint = serverFromString(reactor, "unix:/run/a\\:b.sock:mode=660");
  assertInstanceOf(endpoint, UnixServerEndpoint);
  assertEquals(endpoint.toString(), "unix:/run/a\\:b.sock:mode=660");
});

Deno.test("clientFromString reads tcp host and port by name or by position", () => {
  const named = clientFromString(reactor, "tcp:host=example.org:port=80");
  assertInstanceOf(named, TCPClientEndpoint);
  assertEquals(named.toString(), "tcp:host=example.org:port=80");
  assertEquals(
    clientFromString(reactor, "tcp:example.org:80:timeout=2.5").toString(),
    "tcp:host=example.org:port=80:timeout=2.5",
  );
});

Deno.test("clientFromString reads a unix path", () => {
  const endpoint = clientFromString(reactor, "unix:path=/tmp/x.sock");
  assertInstanceOf(endpoint, UnixClientEndpoint);
  assertEquals(endpoint.toString(), "unix:path=/tmp/x.sock");
});

Deno.test("an unknown kind is an UnknownEndpointKindError naming it", () => {
  const error = assertThrows(
    () => serverFromString(reactor, "sctp:80"),
    UnknownEndpointKindError,
  );
  assertEquals(error.kind, "sctp");
  assert(error.message.includes('"sctp"'));
  assert(error.message.includes("tcp"));
  assertThrows(
    () => clientFromString(reactor, "carrier-pigeon:host=x"),
    UnknownEndpointKindError,
  );
});

Deno.test("an unknown parameter is an InvalidEndpointParameterError naming it", () => {
  const error = assertThrows(
    () => serverFromString(reactor, "tcp:80:colour=blue"),
    InvalidEndpointParameterError,
  );
  assertEquals(error.parameter, "colour");
  assert(error.message.includes("interface"));
});

Deno.test("a port that is not a number from 0 to 65535 is refused", () => {
  for (const port of ["http", "-1", "65536", "8.5", ""]) {
    const error = assertThrows(
      () => serverFromString(reactor, `tcp:port=${port}`),
      InvalidEndpointParameterError,
    );
    assertEquals(error.parameter, "port");
  }
});

Deno.test("a missing required parameter is named", () => {
  const error = assertThrows(
    () => clientFromString(reactor, "tcp:host=example.org"),
    InvalidEndpointParameterError,
  );
  assertEquals(error.parameter, "port");
});

Deno.test("a parameter given twice is refused", () => {
  const error = assertThrows(
    () => serverFromString(reactor, "tcp:80:port=81"),
    InvalidEndpointParameterError,
  );
  assertEquals(error.parameter, "port");
});

Deno.test("too many positional values are refused", () => {
  assertThrows(
    () => serverFromString(reactor, "tcp:80:81"),
    InvalidEndpointParameterError,
  );
});

Deno.test("a bad timeout or mode is refused", () => {
  assertThrows(
    () => clientFromString(reactor, "tcp:h:1:timeout=soon"),
    InvalidEndpointParameterError,
    "timeout",
  );
  assertThrows(
    () => serverFromString(reactor, "unix:/x:mode=999"),
    InvalidEndpointParameterError,
    "mode",
  );
});

Deno.test("a description without a kind, or ending in a lone backslash, is refused", () => {
  assertThrows(() => serverFromString(reactor, ""), EndpointDescriptionError);
  assertThrows(
    () => serverFromString(reactor, "port=80"),
    EndpointDescriptionError,
  );
  assertThrows(
    () => serverFromString(reactor, "tcp:80\\"),
    EndpointDescriptionError,
  );
});

class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

class Greeter extends Protocol {
  lost: Promise<Error>;
  #lost!: (reason: Error) => void;
  constructor() {
    super();
    this.lost = new Promise((resolve) => this.#lost = resolve);
  }
  override connectionMade(): void {
    this.transport.write("hi");
    this.transport.loseWriteConnection();
  }
  received = "";
  override dataReceived(data: Uint8Array): void {
    this.received += decoder.decode(data);
  }
  readConnectionLost(): void {
    this.transport.loseConnection();
  }
  override connectionLost(reason: Error): void {
    this.#lost(reason);
  }
}

Deno.test("tcp endpoints listen with a Factory and connect a protocol", async () => {
  const port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1")
    .listen(Factory.forProtocol(Echo));
  const { port: number } = port.getHost() as Deno.NetAddr;
  const greeter = await connectProtocol(
    clientFromString(reactor, `tcp:host=127.0.0.1:port=${number}`),
    new Greeter(),
  );
  assertInstanceOf(await greeter.lost, ConnectionDone);
  assertEquals(greeter.received, "hi");
  await port.stopListening();
});

Deno.test("tcp endpoints listen with a stream handler and connect a Connection", async () => {
  const port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1")
    .listen(async (conn) => {
      await conn.readable.pipeTo(conn.writable);
    });
  const { port: number } = port.getHost() as Deno.NetAddr;
  const conn = await clientFromString(reactor, `tcp:127.0.0.1:${number}`)
    .connect();
  await conn.write(encoder.encode("ping"));
  await conn.closeWrite();
  assertEquals(decoder.decode(await readAll(() => conn.read())), "ping");
  await conn.close();
  await port.stopListening();
});

Deno.test("a refused tcp connection fails with ConnectionRefusedError", async () => {
  const port = await serverFromString(reactor, "tcp:0:interface=127.0.0.1")
    .listen(() => {});
  const { port: number } = port.getHost() as Deno.NetAddr;
  await port.stopListening();
  await assertRejects(
    () =>
      clientFromString(reactor, `tcp:127.0.0.1:${number}`).connect()
        .asPromise(),
    ConnectionRefusedError,
  );
});

Deno.test("unix endpoints listen, set the socket's mode and connect", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/echo:1.sock`;
  const escaped = path.replaceAll(":", "\\:");
  const port = await serverFromString(reactor, `unix:${escaped}:mode=600`)
    .listen(Factory.forProtocol(Echo));
  assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
  const greeter = await connectProtocol(
    clientFromString(reactor, `unix:path=${escaped}`),
    new Greeter(),
  );
  await greeter.lost;
  assertEquals(greeter.received, "hi");
  await port.stopListening();
  await Deno.remove(dir, { recursive: true });
});
