// The endpoint registry: kinds registered by other modules (here, test-only
// wrapper kinds shaped like haproxy: and socks5:), protocol defaults and
// non-string options, transports, port pinning, and the round trip of every
// built-in kind's toString.
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertRejects,
  assertStrictEquals,
  assertThrows,
} from "../../trial/assertions.ts";
import { test } from "../../trial/mod.ts";
import type { Deferred } from "../../deferred/deferred.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import { AddressInUseError } from "../../reactor/errors.ts";
import type {
  Connection,
  ConnectionHandler,
  ListeningPort,
  Reactor,
} from "../../reactor/interfaces.ts";
import {
  type AnyServerEndpoint,
  type ClientEndpoint,
  clientFromString,
  DEFAULT_INTERFACE,
  describeEndpoint,
  EndpointDescriptionError,
  EndpointTransportError,
  InvalidEndpointParameterError,
  MAX_ENDPOINT_NESTING,
  MissingReactorCapabilityError,
  registerClientEndpointKind,
  registerServerEndpointKind,
  type ServerEndpoint,
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
import { StreamServerEndpointService } from "../../app/endpoint_service.ts";
import { DatagramServerEndpointService } from "../../app/datagram_service.ts";
import { seededRandom } from "../_random.ts";
import { decoder, encoder, tcpOnlyReactor } from "./_helpers.ts";

const reactor = new DenoReactor();

// A server wrapper as a PROXY-protocol module would register it:
// `trusting:<inner endpoint>:trusted=NETWORK`, its own option after the
// inner endpoint's.
class TrustingEndpoint implements ServerEndpoint {
  readonly kind = "trusting";
  readonly transport = "stream" as const;
  readonly inner: ServerEndpoint;
  readonly trusted: string | undefined;
  constructor(inner: ServerEndpoint, trusted: string | undefined) {
    this.inner = inner;
    this.trusted = trusted;
  }
  get secure(): boolean {
    return this.inner.secure;
  }
  listen(handler: ConnectionHandler): Deferred<ListeningPort> {
    return this.inner.listen(handler);
  }
  pinPort(): Deferred<ServerEndpoint> {
    return this.inner.pinPort().addCallback((inner) =>
      new TrustingEndpoint(inner, this.trusted)
    );
  }
  toString(): string {
    return describeEndpoint({
      kind: this.kind,
      inner: this.inner,
      named: { trusted: this.trusted },
    });
  }
}

registerServerEndpointKind("trusting", {
  wraps: true,
  named: ["trusted"],
  create(parameters, { inner }) {
    if (inner.transport !== "stream") {
      throw new EndpointTransportError(parameters.description, "stream");
    }
    return new TrustingEndpoint(inner, parameters.string("trusted"));
  },
});

// A client wrapper as a SOCKS module would register it:
// `relay:HOST:PORT:<inner endpoint>` connects to the relay at HOST:PORT and
// asks it for the inner endpoint (here with one line, `TO <inner>`).
class RelayEndpoint implements ClientEndpoint {
  readonly kind = "relay";
  readonly reactor: Reactor;
  readonly host: string;
  readonly port: number;
  readonly inner: ClientEndpoint;
  constructor(host: string, port: number, inner: ClientEndpoint) {
    this.reactor = inner.reactor;
    this.host = host;
    this.port = port;
    this.inner = inner;
  }
  connect(): Deferred<Connection> {
    return this.reactor.connectTCP(this.host, this.port).addCallback(
      async (conn) => {
        await conn.write(encoder.encode(`TO ${this.inner}\n`));
        return conn;
      },
    );
  }
  toString(): string {
    return describeEndpoint({
      kind: this.kind,
      positional: [this.host, this.port],
      inner: this.inner,
    });
  }
}

registerClientEndpointKind("relay", {
  wraps: true,
  positional: ["host", "port"],
  create: (parameters, { inner }) =>
    new RelayEndpoint(
      parameters.string("host", true),
      parameters.port("port"),
      inner,
    ),
});

Deno.test("a server wrapper kind re-parses the endpoint after it and keeps its own options after the inner ones", () => {
  const endpoint = serverFromString(
    reactor,
    "trusting:tcp:8080:interface=127.0.0.1:trusted=10.0.0.0/8",
  );
  assertInstanceOf(endpoint, TrustingEndpoint);
  assertInstanceOf(endpoint.inner, TCPServerEndpoint);
  assertEquals(endpoint.inner.options.interface, "127.0.0.1");
  assertEquals(endpoint.trusted, "10.0.0.0/8");
  assertEquals(
    endpoint.toString(),
    "trusting:tcp:8080:interface=127.0.0.1:trusted=10.0.0.0/8",
  );
});

Deno.test("a client wrapper kind takes its positional parameters, then the endpoint it wraps", () => {
  const endpoint = clientFromString(
    reactor,
    "relay:proxy.example:1080:tcp:example.com:80",
  );
  assertInstanceOf(endpoint, RelayEndpoint);
  assertEquals([endpoint.host, endpoint.port], ["proxy.example", 1080]);
  assertInstanceOf(endpoint.inner, TCPClientEndpoint);
  assertEquals(
    endpoint.toString(),
    "relay:proxy.example:1080:tcp:host=example.com:port=80",
  );
});

Deno.test("wrapper kinds nest", () => {
  const description =
    "trusting:trusting:tls:443:privateKey=k.pem:trusted=a:trusted=b";
  const outer = serverFromString(reactor, description);
  assertInstanceOf(outer, TrustingEndpoint);
  assertInstanceOf(outer.inner, TrustingEndpoint);
  assertInstanceOf(outer.inner.inner, TLSServerEndpoint);
  assertEquals([outer.trusted, outer.inner.trusted], ["b", "a"]);
  assert(outer.secure);
  assertEquals(outer.toString(), description);
});

Deno.test("a parameter neither the wrapped endpoint nor its wrapper knows is named with both kinds", () => {
  const error = assertThrows(
    () => serverFromString(reactor, "trusting:tcp:8080:colour=blue"),
    InvalidEndpointParameterError,
  );
  assertEquals([error.kind, error.parameter], ["trusting", "colour"]);
  assertMatch(error.message, /tcp endpoint it wraps/);
});

Deno.test("a wrapper's own named parameter before the endpoint it wraps is refused, saying where it goes", () => {
  const error = assertThrows(
    () => serverFromString(reactor, "trusting:trusted=x:tcp:8080"),
    InvalidEndpointParameterError,
  );
  assertEquals([error.kind, error.parameter], ["trusting", "trusted"]);
  assertMatch(error.message, /comes after the endpoint trusting wraps/);
});

Deno.test("a wrapper with nothing to wrap says where the inner endpoint goes", () => {
  assertThrows(
    () => serverFromString(reactor, "trusting"),
    EndpointDescriptionError,
    "trusting:tcp:8080",
  );
  assertThrows(
    () => clientFromString(reactor, "relay:proxy.example:1080"),
    EndpointDescriptionError,
    "relay:tcp:8080",
  );
});

Deno.test("an unknown kind inside a wrapper is an UnknownEndpointKindError naming it", () => {
  const error = assertThrows(
    () => clientFromString(reactor, "relay:proxy.example:1080:sctp:x:1"),
    UnknownEndpointKindError,
  );
  assertEquals(error.kind, "sctp");
});

Deno.test(`wrappers nest at most ${MAX_ENDPOINT_NESTING} deep`, () => {
  const depth = (n: number) => `${"trusting:".repeat(n - 1)}tcp:0`;
  serverFromString(reactor, depth(MAX_ENDPOINT_NESTING));
  assertThrows(
    () => serverFromString(reactor, depth(MAX_ENDPOINT_NESTING + 1)),
    EndpointDescriptionError,
    `more than ${MAX_ENDPOINT_NESTING}`,
  );
});

Deno.test("a kind name is registered once: another kind under it is refused", () => {
  assertThrows(
    () =>
      registerServerEndpointKind("tcp", {
        create: () => serverFromString(reactor, "tcp:0"),
      }),
    TypeError,
    "already registered",
  );
  assertThrows(
    () =>
      registerClientEndpointKind("Not A Name", {
        create: () => clientFromString(reactor, "tcp:h:1"),
      }),
    TypeError,
    "not valid",
  );
});

Deno.test("a protocol's default applies to tls: and ssl: alike, and not to kinds without the parameter", () => {
  const defaults = { alpn: "http/1.1" };
  for (const kind of ["tls", "ssl"]) {
    const endpoint = serverFromString(reactor, `${kind}:443:privateKey=k.pem`, {
      defaults,
    });
    assertInstanceOf(endpoint, TLSServerEndpoint);
    assertEquals(endpoint.options.alpnProtocols, ["http/1.1"]);
  }
  assertEquals(
    serverFromString(reactor, "tcp:80", { defaults }).toString(),
    "tcp:80",
  );
});

Deno.test("the description's own value wins over a protocol's default", () => {
  const endpoint = serverFromString(
    reactor,
    "tls:443:privateKey=k.pem:alpn=h2,http/1.1",
    { defaults: { alpn: "http/1.1" } },
  );
  assertInstanceOf(endpoint, TLSServerEndpoint);
  assertEquals(endpoint.options.alpnProtocols, ["h2", "http/1.1"]);
});

Deno.test("a protocol's default reaches the endpoint inside a wrapper", () => {
  const endpoint = serverFromString(
    reactor,
    "trusting:ssl:443:privateKey=k.pem:trusted=x",
    { defaults: { alpn: "http/1.1" } },
  );
  assertEquals(
    endpoint.toString(),
    "trusting:tls:443:privateKey=k.pem:alpn=http/1.1:trusted=x",
  );
});

Deno.test("client defaults fill what the description leaves out", () => {
  const endpoint = clientFromString(reactor, "tcp:example.org:80", {
    defaults: { timeout: "5" },
  });
  assertInstanceOf(endpoint, TCPClientEndpoint);
  assertEquals(endpoint.options.timeout, 5000);
});

Deno.test("a bad default is refused naming the kind and the parameter", () => {
  const error = assertThrows(
    () => serverFromString(reactor, "tcp:80", { defaults: { backlog: "x" } }),
    InvalidEndpointParameterError,
  );
  assertEquals([error.kind, error.parameter], ["tcp", "backlog"]);
});

test("reusePort lets two TCP listeners share a port", async (t) => {
  const options = { reusePort: true, transport: "stream" } as const;
  const first = await serverFromString(
    t.reactor,
    "tcp:0:interface=127.0.0.1",
    options,
  ).listen(() => {});
  const { port } = first.getHost() as Deno.NetAddr;
  const second = await serverFromString(
    t.reactor,
    `tcp:${port}:interface=127.0.0.1`,
    options,
  ).listen(() => {});
  await second.stopListening();
  await first.stopListening();
});

test("without reusePort a second TCP listener on the port fails", async (t) => {
  const first = await serverFromString(t.reactor, "tcp:0:interface=127.0.0.1")
    .listen(() => {});
  const { port } = first.getHost() as Deno.NetAddr;
  await assertRejects(
    () =>
      serverFromString(t.reactor, `tcp:${port}:interface=127.0.0.1`)
        .listen(() => {}).asPromise(),
    AddressInUseError,
  );
  await first.stopListening();
});

test("reusePort lets two UDP ports share a port", async (t) => {
  const handler = { datagramReceived() {} };
  const first = await serverFromString(
    t.reactor,
    "udp:0:interface=127.0.0.1",
    { reusePort: true },
  ).listen(handler);
  const { port } = first.getHost();
  const second = await serverFromString(
    t.reactor,
    `udp:${port}:interface=127.0.0.1`,
    { reusePort: true },
  ).listen(handler);
  await second.stopListening();
  await first.stopListening();
});

test("reusePort reaches a TLS listener", async (t) => {
  const seen: (boolean | undefined)[] = [];
  const recording = Object.assign(Object.create(t.reactor), {
    listenTLS: (_port: number, _handler: unknown, options: {
      reusePort?: boolean;
    }) => {
      seen.push(options.reusePort);
      return t.reactor.listenTCP(0, () => {}, { interface: "127.0.0.1" });
    },
  });
  const file = await Deno.makeTempFile();
  const port = await serverFromString(recording, `tls:0:privateKey=${file}`, {
    reusePort: true,
  }).listen(() => {});
  await port.stopListening();
  await Deno.remove(file);
  assertEquals(seen, [true]);
});

test("server kinds bind DEFAULT_INTERFACE when the description names none, udp: as tcp:", async (t) => {
  const tcp = await serverFromString(t.reactor, "tcp:0").listen(() => {});
  const udp = await serverFromString(t.reactor, "udp:0").listen({
    datagramReceived() {},
  });
  assertEquals((tcp.getHost() as Deno.NetAddr).hostname, DEFAULT_INTERFACE);
  assertEquals(udp.getHost().hostname, DEFAULT_INTERFACE);
  await tcp.stopListening();
  await udp.stopListening();
});

Deno.test("udp takes its port by position or by name", () => {
  assertEquals(serverFromString(reactor, "udp:53").toString(), "udp:53");
  assertEquals(serverFromString(reactor, "udp:port=53").toString(), "udp:53");
});

Deno.test("transport: stream refuses a datagram endpoint, and datagram a stream one", () => {
  const stream = assertThrows(
    () => serverFromString(reactor, "udp:53", { transport: "stream" }),
    EndpointTransportError,
  );
  assertEquals(stream.expected, "stream");
  const datagram = assertThrows(
    () => serverFromString(reactor, "tcp:53", { transport: "datagram" }),
    EndpointTransportError,
  );
  assertEquals(datagram.expected, "datagram");
});

test("the services take serverFromString's typed result as it is", async (t) => {
  const description: string = "tcp:0:interface=127.0.0.1";
  const stream = new StreamServerEndpointService(
    serverFromString(t.reactor, description, { transport: "stream" }),
    () => {},
    { reactor: t.reactor },
  );
  const datagram = new DatagramServerEndpointService(
    serverFromString(t.reactor, "udp:0:interface=127.0.0.1", {
      transport: "datagram",
    }),
    { datagramReceived() {} },
  );
  await stream.startService();
  await datagram.startService();
  await stream.stopService();
  await datagram.stopService();
});

Deno.test("a reactor without the capability a kind needs is a MissingReactorCapabilityError naming both", () => {
  const tcpOnly = tcpOnlyReactor(reactor);
  const error = assertThrows(
    () => serverFromString(tcpOnly, "trusting:ssl:443:privateKey=k.pem"),
    MissingReactorCapabilityError,
  );
  assertEquals([error.kind, error.capability], ["ssl", "listenTLS"]);
  assertMatch(error.message, /TLS/);
});

test("pinPort gives port 0 a free port and keeps a fixed one", async (t) => {
  const fixed = serverFromString(t.reactor, "tcp:8080:interface=127.0.0.1");
  assertStrictEquals(await fixed.pinPort(), fixed);
  const unix = serverFromString(t.reactor, "unix:/tmp/pin.sock");
  assertStrictEquals(await unix.pinPort(), unix);
  for (
    const description of [
      "tcp:0:interface=127.0.0.1",
      "tls:0:interface=127.0.0.1:privateKey=k.pem",
      "udp:0:interface=127.0.0.1",
      "trusting:tcp:0:interface=127.0.0.1:trusted=x",
    ]
  ) {
    const pinned: AnyServerEndpoint = await serverFromString(
      t.reactor,
      description,
    ).pinPort();
    const [, port] = /(?:^|:)(?:tcp|tls|udp):(\d+)/.exec(pinned.toString())!;
    assert(Number(port) > 0, `${pinned} has a port`);
    assertEquals(pinned.toString(), description.replace(":0:", `:${port}:`));
  }
});

test("a client wrapper connects through what it wraps", async (t) => {
  const relay = await t.reactor.listenTCP(0, async (conn) => {
    await conn.write((await conn.read())!);
    await conn.close();
  }, { interface: "127.0.0.1" });
  const { port } = relay.getHost() as Deno.NetAddr;
  const conn = await clientFromString(
    t.reactor,
    `relay:127.0.0.1:${port}:tcp:example.com:80`,
  ).connect();
  assertEquals(
    decoder.decode((await conn.read())!),
    "TO tcp:host=example.com:port=80\n",
  );
  await conn.close();
  await relay.stopListening();
});

// Values with the characters the grammar escapes, so every toString must
// escape them and every parse must read them back.
const ALPHABET = "ab:=\\/.,- 9Z";

function randomText(random: () => number, allowed = ALPHABET): string {
  const length = 1 + Math.floor(random() * 8);
  let text = "";
  for (let i = 0; i < length; i++) {
    text += allowed[Math.floor(random() * allowed.length)];
  }
  return text;
}

function maybe<T>(random: () => number, make: () => T): T | undefined {
  return random() < 0.5 ? make() : undefined;
}

function randomEndpoint(
  random: () => number,
): AnyServerEndpoint | ClientEndpoint {
  const port = () => Math.floor(random() * 65536);
  const text = () => randomText(random);
  const alpn = () =>
    maybe(random, () => [
      randomText(random, ALPHABET.replace(",", "")),
      randomText(random, ALPHABET.replace(",", "")),
    ]);
  const timeout = () => maybe(random, () => 1 + Math.floor(random() * 99999));
  const inner = (): ServerEndpoint =>
    new TCPServerEndpoint(reactor, { port: port() });
  const makers: (() => AnyServerEndpoint | ClientEndpoint)[] = [
    () =>
      new TCPServerEndpoint(reactor, {
        port: port(),
        interface: maybe(random, text),
        backlog: maybe(random, () => 1 + Math.floor(random() * 1000)),
      }),
    () =>
      new TLSServerEndpoint(reactor, {
        port: port(),
        privateKeyFile: text(),
        certificateFile: maybe(random, text),
        interface: maybe(random, text),
        alpnProtocols: alpn(),
      }),
    () =>
      new UnixServerEndpoint(reactor, {
        path: text(),
        mode: maybe(random, () => Math.floor(random() * 0o7777)),
      }),
    () =>
      new UDPServerEndpoint(reactor, {
        port: port(),
        interface: maybe(random, text),
        maxPacketSize: maybe(random, () => 1 + Math.floor(random() * 65535)),
      }),
    () =>
      new TCPClientEndpoint(reactor, {
        host: text(),
        port: port(),
        timeout: timeout(),
      }),
    () =>
      new TLSClientEndpoint(reactor, {
        host: text(),
        port: port(),
        timeout: timeout(),
        caCertsFile: maybe(random, text),
        alpnProtocols: alpn(),
      }),
    () => new UnixClientEndpoint(reactor, { path: text(), timeout: timeout() }),
    () => new TrustingEndpoint(inner(), maybe(random, text)),
  ];
  return makers[Math.floor(random() * makers.length)]!();
}

function optionsOf(endpoint: object): unknown {
  const { options, inner, trusted } = endpoint as {
    options?: object;
    inner?: object;
    trusted?: string;
  };
  if (inner !== undefined) return { inner: optionsOf(inner), trusted };
  return JSON.parse(JSON.stringify(options));
}

Deno.test("every built-in endpoint's toString parses back to the same endpoint", () => {
  const random = seededRandom(12);
  for (let i = 0; i < 2000; i++) {
    const endpoint = randomEndpoint(random);
    const text = endpoint.toString();
    const parsed = "connect" in endpoint
      ? clientFromString(reactor, text)
      : serverFromString(reactor, text);
    assertEquals(parsed.constructor, endpoint.constructor, text);
    assertEquals(parsed.toString(), text);
    assertEquals(optionsOf(parsed), optionsOf(endpoint), text);
  }
});
