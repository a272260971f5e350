/**
 * Endpoints: where to listen or connect, as objects or as Twisted-style
 * strings that a configuration file or a command line can carry.
 *
 * Server strings: `tcp:8080:interface=127.0.0.1`,
 * `tls:8443:certKey=cert.pem:privateKey=key.pem`, `unix:/run/app.sock`,
 * `udp:5353`. Client strings: `tcp:host=example.org:port=80`,
 * `tls:host=example.org:port=443`, `unix:path=/run/app.sock`. Parameters are
 * `name=value` or positional, separated by `:`; a backslash makes the next
 * character literal (`unix:C\:\\app.sock`, `tcp:8080:interface=\:\:1`).
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import type {
  Connection,
  ConnectionHandler,
  DatagramHandler,
  DatagramTransport,
  ListeningPort,
  ListenUDPOptions,
  Reactor,
} from "./interfaces.ts";
import type { ConnectTLSOptions, ListenTLSOptions } from "./tls.ts";
import type { IProtocol } from "./protocol_interfaces.ts";
import { runProtocol } from "./transport.ts";

/** The base of the errors about a malformed endpoint description. */
export class EndpointDescriptionError extends Error {
  /** The description that was given. */
  readonly description: string;
  /** Creates the error for `description`. */
  constructor(description: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.description = description;
  }
}

/**
 * An endpoint description names a kind (the part before the first `:`)
 * that is not known.
 *
 * @example Usage
 * ```ts
 * import {
 *   DenoReactor,
 *   serverFromString,
 *   UnknownEndpointKindError,
 * } from "@spindle/spindle/reactor";
 * try {
 *   serverFromString(new DenoReactor(), "sctp:80");
 * } catch (error) {
 *   console.assert(error instanceof UnknownEndpointKindError);
 * }
 * ```
 */
export class UnknownEndpointKindError extends EndpointDescriptionError {
  /** The kind that was asked for. */
  readonly kind: string;
  /** Creates the error for `kind`, listing the kinds that exist. */
  constructor(description: string, kind: string, known: string[]) {
    super(
      description,
      `Unknown endpoint kind ${JSON.stringify(kind)} in ${
        JSON.stringify(description)
      }: use one of ${known.join(", ")}`,
    );
    this.kind = kind;
  }
}

/**
 * An endpoint description has a parameter that is unknown, missing, repeated
 * or has a bad value.
 *
 * @example Usage
 * ```ts
 * import {
 *   DenoReactor,
 *   InvalidEndpointParameterError,
 *   serverFromString,
 * } from "@spindle/spindle/reactor";
 * try {
 *   serverFromString(new DenoReactor(), "tcp:port=http");
 * } catch (error) {
 *   if (!(error instanceof InvalidEndpointParameterError)) throw error;
 *   console.assert(error.parameter === "port");
 * }
 * ```
 */
export class InvalidEndpointParameterError extends EndpointDescriptionError {
  /** The parameter at fault. */
  readonly parameter: string;
  /** Creates the error: `problem` says what is wrong with `parameter` and what to do. */
  constructor(description: string, parameter: string, problem: string) {
    super(
      description,
      `Endpoint ${JSON.stringify(description)}: parameter ${
        JSON.stringify(parameter)
      } ${problem}`,
    );
    this.parameter = parameter;
  }
}

/** Where connections can be accepted: `listen` serves each with `handler`. */
export interface ServerEndpoint {
  /** Which kind of endpoint this is. */
  readonly kind: "tcp" | "tls" | "unix";
  /** Starts listening; resolves to the port once it accepts connections. */
  listen(handler: ConnectionHandler): Deferred<ListeningPort>;
  /** The endpoint as a string that `serverFromString` parses back. */
  toString(): string;
}

/** Where connections can be made to: `connect` opens one. */
export interface ClientEndpoint {
  /** Which kind of endpoint this is. */
  readonly kind: "tcp" | "tls" | "unix";
  /** The reactor the endpoint connects with. */
  readonly reactor: Reactor;
  /**
   * Opens a connection; with `handler`, the reactor also serves it (as a
   * listener would). The Deferred is cancellable.
   */
  connect(handler?: ConnectionHandler): Deferred<Connection>;
  /** The endpoint as a string that `clientFromString` parses back. */
  toString(): string;
}

/** What a reactor needs to listen on and connect to Unix sockets. */
export interface UnixReactor {
  /** Listens on the Unix socket `path`. */
  listenUnix(path: string, handler: ConnectionHandler): Deferred<ListeningPort>;
  /** Connects to the Unix socket `path`. */
  connectUnix(
    path: string,
    options?: { handler?: ConnectionHandler; timeout?: number },
  ): Deferred<Connection>;
}

/** What a reactor needs for TLS endpoints. */
export interface TLSReactor {
  /** Listens for TLS connections on `port`. */
  listenTLS(
    port: number,
    handler: ConnectionHandler,
    options: ListenTLSOptions,
  ): Deferred<ListeningPort>;
  /** Connects to `host:port` over TLS. */
  connectTLS(
    host: string,
    port: number,
    options?: ConnectTLSOptions,
  ): Deferred<Connection>;
}

/** What a reactor needs for UDP endpoints. */
export interface UDPReactor {
  /** Binds UDP `port` and feeds each datagram to `handler`. */
  listenUDP(
    port: number,
    handler: DatagramHandler,
    options?: ListenUDPOptions,
  ): Deferred<DatagramTransport>;
}

/** Options for {@linkcode TCPServerEndpoint}. */
export interface TCPServerEndpointOptions {
  /** The port; 0 for any free one. */
  port: number;
  /** The interface to bind; default all (`0.0.0.0`). */
  interface?: string;
  /** The accept backlog (advisory). */
  backlog?: number;
}

/**
 * Listens on TCP.
 *
 * @example Usage
 * ```ts ignore
 * import { reactor, TCPServerEndpoint } from "@spindle/spindle/reactor";
 * const endpoint = new TCPServerEndpoint(reactor, { port: 8080, interface: "127.0.0.1" });
 * const port = await endpoint.listen(async (conn) => {
 *   await conn.readable.pipeTo(conn.writable);
 * });
 * ```
 */
export class TCPServerEndpoint implements ServerEndpoint {
  /** Always `"tcp"`. */
  readonly kind = "tcp" as const;
  readonly #reactor: Reactor;
  readonly #options: TCPServerEndpointOptions;

  /** Makes the endpoint; nothing is bound until `listen`. */
  constructor(reactor: Reactor, options: TCPServerEndpointOptions) {
    this.#reactor = reactor;
    this.#options = options;
  }

  /** Listens with `handler` (a function or a `Factory`). */
  listen(handler: ConnectionHandler): Deferred<ListeningPort> {
    const { port, ...options } = this.#options;
    return this.#reactor.listenTCP(port, handler, options);
  }

  /** The description, such as `tcp:8080:interface=127.0.0.1`. */
  toString(): string {
    return describe("tcp", [this.#options.port], {
      interface: this.#options.interface,
      backlog: this.#options.backlog,
    });
  }
}

/** Options for {@linkcode UnixServerEndpoint}. */
export interface UnixServerEndpointOptions {
  /** The socket file. */
  path: string;
  /** Permission bits for the socket file, such as `0o660`; default the umask's. */
  mode?: number;
}

/**
 * Listens on a Unix socket.
 *
 * @example Usage
 * ```ts ignore
 * import { reactor, UnixServerEndpoint } from "@spindle/spindle/reactor";
 * const endpoint = new UnixServerEndpoint(reactor, { path: "/tmp/app.sock", mode: 0o600 });
 * await endpoint.listen((conn) => conn.close());
 * ```
 */
export class UnixServerEndpoint implements ServerEndpoint {
  /** Always `"unix"`. */
  readonly kind = "unix" as const;
  readonly #reactor: Reactor & UnixReactor;
  readonly #options: UnixServerEndpointOptions;

  /** Makes the endpoint; nothing is bound until `listen`. */
  constructor(
    reactor: Reactor & UnixReactor,
    options: UnixServerEndpointOptions,
  ) {
    this.#reactor = reactor;
    this.#options = options;
  }

  /** Listens with `handler` (a function or a `Factory`). */
  listen(handler: ConnectionHandler): Deferred<ListeningPort> {
    const { path, mode } = this.#options;
    const listening = this.#reactor.listenUnix(path, handler);
    if (mode === undefined) return listening;
    return listening.addCallback(async (port) => {
      try {
        await Deno.chmod(path, mode);
      } catch (error) {
        await port.stopListening();
        throw error;
      }
      return port;
    });
  }

  /** The description, such as `unix:/run/app.sock:mode=660`. */
  toString(): string {
    return describe("unix", [this.#options.path], {
      mode: this.#options.mode?.toString(8),
    });
  }
}

/** Options for {@linkcode TCPClientEndpoint}. */
export interface TCPClientEndpointOptions {
  /** The host name or address to connect to. */
  host: string;
  /** The port. */
  port: number;
  /** Milliseconds before an attempt fails with `ConnectTimeoutError`. */
  timeout?: number;
}

/**
 * Connects over TCP.
 *
 * @example Usage
 * ```ts ignore
 * import { reactor, TCPClientEndpoint } from "@spindle/spindle/reactor";
 * const endpoint = new TCPClientEndpoint(reactor, { host: "127.0.0.1", port: 8080 });
 * const conn = await endpoint.connect();
 * await conn.close();
 * ```
 */
export class TCPClientEndpoint implements ClientEndpoint {
  /** Always `"tcp"`. */
  readonly kind = "tcp" as const;
  /** The reactor the endpoint connects with. */
  readonly reactor: Reactor;
  readonly #options: TCPClientEndpointOptions;

  /** Makes the endpoint; nothing happens until `connect`. */
  constructor(reactor: Reactor, options: TCPClientEndpointOptions) {
    this.reactor = reactor;
    this.#options = options;
  }

  /** Opens a connection; with `handler`, the reactor also serves it. */
  connect(handler?: ConnectionHandler): Deferred<Connection> {
    const { host, port, timeout } = this.#options;
    return this.reactor.connectTCP(host, port, { handler, timeout });
  }

  /** The description, such as `tcp:host=example.org:port=80`. */
  toString(): string {
    return describe("tcp", [], {
      host: this.#options.host,
      port: this.#options.port,
      timeout: seconds(this.#options.timeout),
    });
  }
}

/** Options for {@linkcode UnixClientEndpoint}. */
export interface UnixClientEndpointOptions {
  /** The socket file. */
  path: string;
  /** Milliseconds before an attempt fails with `ConnectTimeoutError`. */
  timeout?: number;
}

/**
 * Connects to a Unix socket.
 *
 * @example Usage
 * ```ts ignore
 * import { reactor, UnixClientEndpoint } from "@spindle/spindle/reactor";
 * const conn = await new UnixClientEndpoint(reactor, { path: "/tmp/app.sock" }).connect();
 * await conn.close();
 * ```
 */
export class UnixClientEndpoint implements ClientEndpoint {
  /** Always `"unix"`. */
  readonly kind = "unix" as const;
  /** The reactor the endpoint connects with. */
  readonly reactor: Reactor & UnixReactor;
  readonly #options: UnixClientEndpointOptions;

  /** Makes the endpoint; nothing happens until `connect`. */
  constructor(
    reactor: Reactor & UnixReactor,
    options: UnixClientEndpointOptions,
  ) {
    this.reactor = reactor;
    this.#options = options;
  }

  /** Opens a connection; with `handler`, the reactor also serves it. */
  connect(handler?: ConnectionHandler): Deferred<Connection> {
    const { path, timeout } = this.#options;
    return this.reactor.connectUnix(path, { handler, timeout });
  }

  /** The description, such as `unix:path=/run/app.sock`. */
  toString(): string {
    return describe("unix", [], {
      path: this.#options.path,
      timeout: seconds(this.#options.timeout),
    });
  }
}

/** Options for {@linkcode TLSServerEndpoint}: TCP options plus PEM files. */
export interface TLSServerEndpointOptions extends TCPServerEndpointOptions {
  /** The certificate chain file (PEM); default `privateKeyFile` (one file with both). */
  certificateFile?: string;
  /** The private key file (PEM). */
  privateKeyFile: string;
  /** The application protocols offered for ALPN, most preferred first. */
  alpnProtocols?: string[];
}

/**
 * Listens for TLS over TCP, with the certificate and key read from PEM files
 * when `listen` is called.
 *
 * @example Usage
 * ```ts ignore
 * import { reactor, TLSServerEndpoint } from "@spindle/spindle/reactor";
 * const endpoint = new TLSServerEndpoint(reactor, {
 *   port: 8443,
 *   certificateFile: "cert.pem",
 *   privateKeyFile: "key.pem",
 * });
 * await endpoint.listen(async (conn) => {
 *   await conn.readable.pipeTo(conn.writable);
 * });
 * ```
 */
export class TLSServerEndpoint implements ServerEndpoint {
  /** Always `"tls"`. */
  readonly kind = "tls" as const;
  readonly #reactor: Reactor & TLSReactor;
  readonly #options: TLSServerEndpointOptions;

  /** Makes the endpoint; nothing is read or bound until `listen`. */
  constructor(
    reactor: Reactor & TLSReactor,
    options: TLSServerEndpointOptions,
  ) {
    this.#reactor = reactor;
    this.#options = options;
  }

  /** Reads the PEM files, then listens with `handler` (a function or a `Factory`). */
  listen(handler: ConnectionHandler): Deferred<ListeningPort> {
    const { port, certificateFile, privateKeyFile, alpnProtocols, ...tcp } =
      this.#options;
    const files = Promise.all([
      Deno.readTextFile(certificateFile ?? privateKeyFile),
      Deno.readTextFile(privateKeyFile),
    ]);
    return Deferred.fromPromise(files).addCallback(([cert, key]) =>
      this.#reactor.listenTLS(port, handler, {
        ...tcp,
        cert,
        key,
        alpnProtocols,
      })
    );
  }

  /** The description, such as `tls:8443:certKey=cert.pem:privateKey=key.pem`. */
  toString(): string {
    return describe("tls", [this.#options.port], {
      interface: this.#options.interface,
      backlog: this.#options.backlog,
      certKey: this.#options.certificateFile,
      privateKey: this.#options.privateKeyFile,
      alpn: this.#options.alpnProtocols?.join(","),
    });
  }
}

/** Options for {@linkcode TLSClientEndpoint}. */
export interface TLSClientEndpointOptions extends TCPClientEndpointOptions {
  /** A PEM file of CA certificates to trust besides the system's. */
  caCertsFile?: string;
  /** The application protocols asked for by ALPN, most preferred first. */
  alpnProtocols?: string[];
}

/**
 * Connects over TLS; the server's certificate is checked against `host`.
 *
 * @example Usage
 * ```ts ignore
 * import { reactor, TLSClientEndpoint } from "@spindle/spindle/reactor";
 * const endpoint = new TLSClientEndpoint(reactor, { host: "example.org", port: 443 });
 * const conn = await endpoint.connect();
 * await conn.close();
 * ```
 */
export class TLSClientEndpoint implements ClientEndpoint {
  /** Always `"tls"`. */
  readonly kind = "tls" as const;
  /** The reactor the endpoint connects with. */
  readonly reactor: Reactor & TLSReactor;
  readonly #options: TLSClientEndpointOptions;

  /** Makes the endpoint; nothing happens until `connect`. */
  constructor(
    reactor: Reactor & TLSReactor,
    options: TLSClientEndpointOptions,
  ) {
    this.reactor = reactor;
    this.#options = options;
  }

  /** Opens a connection (after reading `caCertsFile`); with `handler`, the reactor also serves it. */
  connect(handler?: ConnectionHandler): Deferred<Connection> {
    const { host, port, timeout, caCertsFile, alpnProtocols } = this.#options;
    const options: ConnectTLSOptions = { handler, timeout, alpnProtocols };
    if (caCertsFile === undefined) {
      return this.reactor.connectTLS(host, port, options);
    }
    return Deferred.fromPromise(Deno.readTextFile(caCertsFile)).addCallback((
      ca,
    ) => this.reactor.connectTLS(host, port, { ...options, caCerts: [ca] }));
  }

  /** The description, such as `tls:host=example.org:port=443`. */
  toString(): string {
    return describe("tls", [], {
      host: this.#options.host,
      port: this.#options.port,
      timeout: seconds(this.#options.timeout),
      caCerts: this.#options.caCertsFile,
      alpn: this.#options.alpnProtocols?.join(","),
    });
  }
}

/** Options for {@linkcode UDPServerEndpoint}. */
export interface UDPServerEndpointOptions {
  /** The port; 0 for any free one. */
  port: number;
  /** The interface to bind; default all (`0.0.0.0`). */
  interface?: string;
  /** The largest datagram received whole, in bytes. */
  maxPacketSize?: number;
}

/**
 * Binds a UDP port for a datagram protocol (needs `--unstable-net`).
 *
 * @example Usage
 * ```ts ignore
 * import { DatagramProtocol, reactor, UDPServerEndpoint } from "@spindle/spindle/reactor";
 * const endpoint = new UDPServerEndpoint(reactor, { port: 5353 });
 * await endpoint.listen(new DatagramProtocol());
 * ```
 */
export class UDPServerEndpoint {
  /** Always `"udp"`. */
  readonly kind = "udp" as const;
  readonly #reactor: Reactor & UDPReactor;
  readonly #options: UDPServerEndpointOptions;

  /** Makes the endpoint; nothing is bound until `listen`. */
  constructor(
    reactor: Reactor & UDPReactor,
    options: UDPServerEndpointOptions,
  ) {
    this.#reactor = reactor;
    this.#options = options;
  }

  /** Binds the port and feeds its datagrams to `handler` (such as a `DatagramProtocol`). */
  listen(handler: DatagramHandler): Deferred<DatagramTransport> {
    const { port, ...options } = this.#options;
    return this.#reactor.listenUDP(port, handler, options);
  }

  /** The description, such as `udp:5353:interface=127.0.0.1`. */
  toString(): string {
    return describe("udp", [this.#options.port], {
      interface: this.#options.interface,
      maxPacketSize: this.#options.maxPacketSize,
    });
  }
}

/** A reactor that may have the optional transports endpoints use. */
export type EndpointReactor =
  & Reactor
  & Partial<UnixReactor & TLSReactor & UDPReactor>;

/**
 * Parses a server endpoint description:
 *
 * - `tcp:PORT` with `interface=ADDRESS`, `backlog=N`;
 * - `tls:PORT` (or `ssl:PORT`) with `privateKey=FILE`, `certKey=FILE`
 *   (default: the `privateKey` file), `interface`, `backlog`,
 *   `alpn=PROTO,PROTO`;
 * - `unix:PATH` with `mode=OCTAL`;
 * - `udp:PORT` with `interface`, `maxPacketSize=N` (gives a
 *   {@linkcode UDPServerEndpoint}, which listens with a datagram protocol).
 *
 * Throws {@linkcode UnknownEndpointKindError} or
 * {@linkcode InvalidEndpointParameterError} naming what is wrong.
 *
 * @example Usage
 * ```ts
 * import { DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const endpoint = serverFromString(new DenoReactor(), "tcp:8080:interface=127.0.0.1");
 * console.assert(endpoint.toString() === "tcp:8080:interface=127.0.0.1");
 * ```
 */
export function serverFromString(
  reactor: EndpointReactor,
  description: `udp:${string}`,
): UDPServerEndpoint;
/**
 * Parses a stream server endpoint description (`tcp:`, `tls:`, `ssl:`, `unix:`).
 *
 * @example Usage
 * ```ts
 * import { DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const endpoint = serverFromString(new DenoReactor(), "unix:/tmp/app.sock");
 * console.assert(endpoint.kind === "unix");
 * ```
 */
export function serverFromString(
  reactor: EndpointReactor,
  description:
    | `tcp:${string}`
    | `tls:${string}`
    | `ssl:${string}`
    | `unix:${string}`,
): ServerEndpoint;
/**
 * Parses any server endpoint description; check `kind` to tell a
 * {@linkcode UDPServerEndpoint} from a stream one.
 *
 * @example Usage
 * ```ts
 * import { DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const description: string = "udp:0:interface=127.0.0.1";
 * const endpoint = serverFromString(new DenoReactor(), description);
 * console.assert(endpoint.kind === "udp");
 * ```
 */
export function serverFromString(
  reactor: EndpointReactor,
  description: string,
): ServerEndpoint | UDPServerEndpoint;
export function serverFromString(
  reactor: EndpointReactor,
  description: string,
): ServerEndpoint | UDPServerEndpoint {
  const parsed = parse(description);
  switch (parsed.kind) {
    case "tcp": {
      const p = parsed.take(["port"], ["interface", "backlog"]);
      return new TCPServerEndpoint(reactor, {
        port: p.port("port"),
        interface: p.string("interface"),
        backlog: p.integer("backlog", 1),
      });
    }
    case "tls":
    case "ssl": {
      const p = parsed.take(["port"], [
        "privateKey",
        "certKey",
        "interface",
        "backlog",
        "alpn",
      ]);
      return new TLSServerEndpoint(need(reactor, "listenTLS", description), {
        port: p.port("port"),
        privateKeyFile: p.string("privateKey", true),
        certificateFile: p.string("certKey"),
        interface: p.string("interface"),
        backlog: p.integer("backlog", 1),
        alpnProtocols: p.list("alpn"),
      });
    }
    case "unix": {
      const p = parsed.take(["path"], ["mode"]);
      return new UnixServerEndpoint(need(reactor, "listenUnix", description), {
        path: p.string("path", true),
        mode: p.octal("mode"),
      });
    }
    case "udp": {
      const p = parsed.take(["port"], ["interface", "maxPacketSize"]);
      return new UDPServerEndpoint(need(reactor, "listenUDP", description), {
        port: p.port("port"),
        interface: p.string("interface"),
        maxPacketSize: p.integer("maxPacketSize", 1, 65535),
      });
    }
  }
  throw new UnknownEndpointKindError(description, parsed.kind, [
    "tcp",
    "tls",
    "ssl",
    "unix",
    "udp",
  ]);
}

/**
 * Parses a client endpoint description.
 *
 * - `tcp:host=HOST:port=PORT` (or `tcp:HOST:PORT`) with `timeout=SECONDS`;
 * - `tls:host=HOST:port=PORT` (or `ssl:`) with `timeout`, `caCerts=FILE`
 *   (PEM CA certificates trusted besides the system's), `alpn=PROTO,PROTO`;
 * - `unix:path=PATH` (or `unix:PATH`) with `timeout=SECONDS`.
 *
 * Throws {@linkcode UnknownEndpointKindError} or
 * {@linkcode InvalidEndpointParameterError} naming what is wrong.
 *
 * @example Usage
 * ```ts
 * import { clientFromString, DenoReactor } from "@spindle/spindle/reactor";
 * const endpoint = clientFromString(new DenoReactor(), "tcp:host=example.org:port=80");
 * console.assert(endpoint.toString() === "tcp:host=example.org:port=80");
 * ```
 */
export function clientFromString(
  reactor: EndpointReactor,
  description: string,
): ClientEndpoint {
  const parsed = parse(description);
  switch (parsed.kind) {
    case "tcp": {
      const p = parsed.take(["host", "port"], ["timeout"]);
      return new TCPClientEndpoint(reactor, {
        host: p.string("host", true),
        port: p.port("port"),
        timeout: p.seconds("timeout"),
      });
    }
    case "tls":
    case "ssl": {
      const p = parsed.take(["host", "port"], ["timeout", "caCerts", "alpn"]);
      return new TLSClientEndpoint(need(reactor, "connectTLS", description), {
        host: p.string("host", true),
        port: p.port("port"),
        timeout: p.seconds("timeout"),
        caCertsFile: p.string("caCerts"),
        alpnProtocols: p.list("alpn"),
      });
    }
    case "unix": {
      const p = parsed.take(["path"], ["timeout"]);
      return new UnixClientEndpoint(need(reactor, "connectUnix", description), {
        path: p.string("path", true),
        timeout: p.seconds("timeout"),
      });
    }
  }
  throw new UnknownEndpointKindError(description, parsed.kind, [
    "tcp",
    "tls",
    "ssl",
    "unix",
  ]);
}

/**
 * Connects `endpoint` and runs `protocol` on the connection; resolves to the
 * protocol once its `connectionMade` has run (Twisted's `connectProtocol`).
 *
 * @example Usage
 * ```ts ignore
 * import { clientFromString, connectProtocol, Protocol, reactor } from "@spindle/spindle/reactor";
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     this.transport.write("hello\n");
 *     this.transport.loseConnection();
 *   }
 * }
 * await connectProtocol(clientFromString(reactor, "tcp:127.0.0.1:8000"), new Hello());
 * ```
 */
export function connectProtocol<P extends IProtocol>(
  endpoint: ClientEndpoint,
  protocol: P,
): Deferred<P> {
  return endpoint.connect().addCallback((conn) => {
    runProtocol(protocol, conn, { reactor: endpoint.reactor });
    return protocol;
  });
}

const transportNames = {
  listenUnix: "Unix sockets",
  connectUnix: "Unix sockets",
  listenTLS: "TLS",
  connectTLS: "TLS",
  listenUDP: "UDP",
} as const;

type Capabilities = UnixReactor & TLSReactor & UDPReactor;

/** The reactor, checked to have `method` (a `Clock` or a partial fake may not). */
function need<M extends keyof typeof transportNames>(
  reactor: EndpointReactor,
  method: M,
  description: string,
): Reactor & Pick<Capabilities, M> & Capabilities {
  if (typeof reactor[method] !== "function") {
    throw new EndpointDescriptionError(
      description,
      `Endpoint ${JSON.stringify(description)}: this reactor has no ${
        transportNames[method]
      } (no ${method} method); use a DenoReactor`,
    );
  }
  return reactor as Reactor & Capabilities;
}

function seconds(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : String(ms / 1000);
}

function escape(value: string): string {
  return value.replace(/[\\:=]/g, (c) => `\\${c}`);
}

function describe(
  kind: string,
  positional: (string | number)[],
  named: Record<string, string | number | undefined>,
): string {
  const parts = [kind, ...positional.map((v) => escape(String(v)))];
  for (const [key, value] of Object.entries(named)) {
    if (value !== undefined) parts.push(`${key}=${escape(String(value))}`);
  }
  return parts.join(":");
}

interface Segment {
  key: string | undefined;
  value: string;
}

/** Splits at unescaped `:`, and each segment at its first unescaped `=`. */
function split(description: string): Segment[] {
  const segments: Segment[] = [];
  let key: string | undefined;
  let current = "";
  for (let i = 0; i < description.length; i++) {
    const c = description[i]!;
    if (c === "\\") {
      i++;
      if (i === description.length) {
        throw new EndpointDescriptionError(
          description,
          `Endpoint ${
            JSON.stringify(description)
          } ends with a lone backslash: a backslash escapes the character after it; write \\\\ for a backslash`,
        );
      }
      current += description[i];
    } else if (c === ":") {
      segments.push({ key, value: current });
      key = undefined;
      current = "";
    } else if (c === "=" && key === undefined) {
      key = current;
      current = "";
    } else {
      current += c;
    }
  }
  segments.push({ key, value: current });
  return segments;
}

function parse(description: string): {
  kind: string;
  take(positional: string[], optional: string[]): Parameters;
} {
  const [first, ...rest] = split(description);
  if (first === undefined || first.key !== undefined || first.value === "") {
    throw new EndpointDescriptionError(
      description,
      `Endpoint ${
        JSON.stringify(description)
      } does not start with a kind: write it as KIND:PARAMETERS, such as tcp:8080`,
    );
  }
  const kind = first.value;
  return {
    kind,
    take(positional, optional) {
      const values = new Map<string, string>();
      const known = [...positional, ...optional];
      let next = 0;
      for (const segment of rest) {
        let name = segment.key;
        if (name === undefined) {
          name = positional[next++];
          if (name === undefined) {
            throw new InvalidEndpointParameterError(
              description,
              segment.value,
              `is one positional value too many: ${kind} takes ${
                positional.length === 0
                  ? "none"
                  : `at most ${positional.join(", ")}`
              } by position; name the others (name=value)`,
            );
          }
        } else if (!known.includes(name)) {
          throw new InvalidEndpointParameterError(
            description,
            name,
            `is not known for ${kind} endpoints: use ${known.join(", ")}`,
          );
        }
        if (values.has(name)) {
          throw new InvalidEndpointParameterError(
            description,
            name,
            "is given twice: keep one",
          );
        }
        values.set(name, segment.value);
      }
      return new Parameters(description, values);
    },
  };
}

/** The named values of one description, with typed, validating getters. */
class Parameters {
  #description: string;
  #values: Map<string, string>;

  constructor(description: string, values: Map<string, string>) {
    this.#description = description;
    this.#values = values;
  }

  #fail(name: string, problem: string): never {
    throw new InvalidEndpointParameterError(this.#description, name, problem);
  }

  string(name: string, required: true): string;
  string(name: string, required?: boolean): string | undefined;
  string(name: string, required = false): string | undefined {
    const value = this.#values.get(name);
    if (value === undefined) {
      if (required) this.#fail(name, "is missing: add it");
      return undefined;
    }
    if (value === "") this.#fail(name, "is empty: give it a value");
    return value;
  }

  integer(
    name: string,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) {
      this.#fail(
        name,
        `is ${
          JSON.stringify(value)
        }: it must be a whole number from ${min} to ${max}`,
      );
    }
    return n;
  }

  /** A required port number. */
  port(name: string): number {
    this.string(name, true);
    return this.integer(name, 0, 65535)!;
  }

  /** A comma-separated list. */
  list(name: string): string[] | undefined {
    return this.string(name)?.split(",");
  }

  /** Seconds in the description (Twisted's unit), milliseconds in the result. */
  seconds(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
    if (!(n > 0)) {
      this.#fail(
        name,
        `is ${JSON.stringify(value)}: it must be a positive number of seconds`,
      );
    }
    return n * 1000;
  }

  octal(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^0?o?[0-7]{1,4}$/.test(value)) {
      this.#fail(
        name,
        `is ${
          JSON.stringify(value)
        }: it must be octal permission bits, such as 660`,
      );
    }
    return parseInt(value.replace(/^0?o/, ""), 8);
  }
}
