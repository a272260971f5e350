import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertThrows,
} from "../../trial/assertions.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import { test } from "../../trial/mod.ts";
import { ConnectionRefusedError } from "../../reactor/errors.ts";
import {
  clientFromString,
  connectProtocol,
  EndpointDescriptionError,
  InvalidEndpointParameterError,
  serverFromString,
  TCPClientEndpoint,
  TCPServerEndpoint,
  TLSClientEndpoint,
  TLSServerEndpoint,
  UDPServerEndpoint,
  UnixClientEndpoint,
  UnixServerEndpoint,
  UnknownEndpointKindError,
} from "../../reactor/endpoints/mod.ts";
import { Factory } from "../../reactor/factory.ts";
import { DatagramProtocol } from "../../reactor/datagram_protocol.ts";
import { makeTestPki } from "./_tls.ts";
import { ConnectionDone, Protocol } from "../../reactor/protocol.ts";
import { decoder, encoder, readAll, tcpOnlyReactor } from "./_helpers.ts";

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

Deno.test("serverFromString reads tls (or ssl) with Twisted's certKey and privateKey", () => {
  const endpoint = serverFromString(
    reactor,
    "tls:8443:certKey=cert.pem:privateKey=key.pem:alpn=h2,http/1.1",
  );
  assertInstanceOf(endpoint, TLSServerEndpoint);
  assertEquals(
    endpoint.toString(),
    "tls:8443:certKey=cert.pem:privateKey=key.pem:alpn=h2,http/1.1",
  );
  assertInstanceOf(
    serverFromString(reactor, "ssl:443:privateKey=both.pem"),
    TLSServerEndpoint,
  );
});

Deno.test("a tls server without privateKey is refused, naming it", () => {
  const error = assertThrows(
    () => serverFromString(reactor, "tls:8443:certKey=cert.pem"),
    InvalidEndpointParameterError,
  );
  assertEquals(error.parameter, "privateKey");
});

Deno.test("serverFromString reads udp with its interface and packet size", () => {
  const endpoint = serverFromString(
    reactor,
    "udp:5353:interface=127.0.0.1:maxPacketSize=1500",
  );
  assertInstanceOf(endpoint, UDPServerEndpoint);
  assertEquals(endpoint.kind, "udp");
  assertEquals(
    endpoint.toString(),
    "udp:5353:interface=127.0.0.1:maxPacketSize=1500",
  );
});

Deno.test("clientFromString reads tls host, port and CA file", () => {
  const endpoint = clientFromString(
    reactor,
    "tls:host=localhost:port=8443:caCerts=/tmp/ca.pem",
  );
  assertInstanceOf(endpoint, TLSClientEndpoint);
  assertEquals(
    endpoint.toString(),
    "tls:host=localhost:port=8443:caCerts=/tmp/ca.pem",
  );
});

Deno.test("a reactor without the transport asked for is a clear error", () => {
  const tcpOnly = tcpOnlyReactor(reactor);
  assertInstanceOf(serverFromString(tcpOnly, "tcp:0"), TCPServerEndpoint);
  assertThrows(
    () => serverFromString(tcpOnly, "unix:/tmp/x.sock"),
    EndpointDescriptionError,
    "Unix sockets",
  );
  assertThrows(
    () => clientFromString(tcpOnly, "tls:localhost:443"),
    EndpointDescriptionError,
    "TLS",
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
  assertEquals([error.kind, error.parameter], ["tcp", "colour"]);
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

Deno.test("a timeout is read to the millisecond, and finer is refused", () => {
  const endpoint = clientFromString(reactor, "tcp:h:1:timeout=1.001");
  assertInstanceOf(endpoint, TCPClientEndpoint);
  assertEquals(endpoint.options.timeout, 1001);
  assertEquals(endpoint.toString(), "tcp:host=h:port=1:timeout=1.001");
  assertThrows(
    () => clientFromString(reactor, "tcp:h:1:timeout=0.0005"),
    InvalidEndpointParameterError,
    "millisecond",
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

test("tcp endpoints listen with a Factory and connect a protocol", async (t) => {
  const port = await serverFromString(t.reactor, "tcp:0:interface=127.0.0.1")
    .listen(Factory.forProtocol(Echo));
  const { port: number } = port.getHost() as Deno.NetAddr;
  const greeter = await connectProtocol(
    clientFromString(t.reactor, `tcp:host=127.0.0.1:port=${number}`),
    new Greeter(),
  );
  assertInstanceOf(await greeter.lost, ConnectionDone);
  assertEquals(greeter.received, "hi");
  await port.stopListening();
});

test("tcp endpoints listen with a stream handler and connect a Connection", async (t) => {
  const port = await serverFromString(t.reactor, "tcp:0:interface=127.0.0.1")
    .listen(async (conn) => {
      await conn.readable.pipeTo(conn.writable);
    });
  const { port: number } = port.getHost() as Deno.NetAddr;
  const conn = await clientFromString(t.reactor, `tcp:127.0.0.1:${number}`)
    .connect();
  await conn.write(encoder.encode("ping"));
  await conn.closeWrite();
  assertEquals(decoder.decode(await readAll(() => conn.read())), "ping");
  await conn.close();
  await port.stopListening();
});

test("a refused tcp connection fails with ConnectionRefusedError", async (t) => {
  const port = await serverFromString(t.reactor, "tcp:0:interface=127.0.0.1")
    .listen(() => {});
  const { port: number } = port.getHost() as Deno.NetAddr;
  await port.stopListening();
  await assertRejects(
    () =>
      clientFromString(t.reactor, `tcp:127.0.0.1:${number}`).connect()
        .asPromise(),
    ConnectionRefusedError,
  );
});

test("unix endpoints listen, set the socket's mode and connect", async (t) => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/echo:1.sock`;
  const escaped = path.replaceAll(":", "\\:");
  const port = await serverFromString(t.reactor, `unix:${escaped}:mode=600`)
    .listen(Factory.forProtocol(Echo));
  assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
  const greeter = await connectProtocol(
    clientFromString(t.reactor, `unix:path=${escaped}`),
    new Greeter(),
  );
  await greeter.lost;
  assertEquals(greeter.received, "hi");
  await port.stopListening();
  await Deno.remove(dir, { recursive: true });
});

test("tls endpoints read their PEM files, listen and connect", async (t) => {
  const pki = await makeTestPki();
  const port = await serverFromString(
    t.reactor,
    `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
  ).listen(Factory.forProtocol(Echo));
  const { port: number } = port.getHost() as Deno.NetAddr;
  const greeter = await connectProtocol(
    clientFromString(
      t.reactor,
      `tls:host=localhost:port=${number}:caCerts=${pki.dir}/ca.pem`,
    ),
    new Greeter(),
  );
  await greeter.lost;
  assertEquals(greeter.received, "hi");
  await port.stopListening();
});

test("a tls endpoint whose key file is missing fails to listen with NotFound", async (t) => {
  await assertRejects(
    () =>
      serverFromString(t.reactor, "tls:0:privateKey=/nonexistent/key.pem")
        .listen(() => {}).asPromise(),
    Deno.errors.NotFound,
  );
});

test("a udp endpoint listens with a DatagramProtocol", async (t) => {
  class UDPEcho extends DatagramProtocol {
    override datagramReceived(data: Uint8Array, addr: Deno.NetAddr): void {
      this.transport.write(data, addr);
    }
  }
  const protocol = new UDPEcho();
  const port = await serverFromString(t.reactor, "udp:0:interface=127.0.0.1")
    .listen(protocol);
  assertEquals(protocol.numPorts, 1);
  const client = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  await client.send(encoder.encode("ping"), port.getHost());
  const [data] = await client.receive();
  assertEquals(decoder.decode(data), "ping");
  client.close();
  await port.stopListening();
  assertEquals(protocol.numPorts, 0);
});
