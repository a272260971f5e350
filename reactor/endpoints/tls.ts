/**
 * TLS endpoints (`tls:`, or `ssl:` as Twisted writes it): TLS over TCP, with
 * the certificate and key in PEM files.
 *
 * @module
 */
import { Deferred } from "../../deferred/deferred.ts";
import type {
  Connection,
  ConnectionHandler,
  ConnectTLSOptions,
  ListeningPort,
  Reactor,
  TLSReactor,
} from "../interfaces.ts";
import type { ClientEndpoint, ServerEndpoint } from "./endpoint.ts";
import { describeEndpoint, formatSeconds } from "./grammar.ts";
import {
  type ClientEndpointKind,
  registerClientEndpointKind,
  registerServerEndpointKind,
  type ServerEndpointKind,
} from "./registry.ts";
import type {
  TCPClientEndpointOptions,
  TCPServerEndpointOptions,
} from "./tcp.ts";
import { pinFreePort } from "./_pin.ts";

/** Options for {@linkcode TLSServerEndpoint}: TCP options plus PEM files. */
export interface TLSServerEndpointOptions extends TCPServerEndpointOptions {
  /** The certificate chain file (PEM); default `privateKeyFile` (one file with both). */
  certificateFile?: string;
  /** The private key file (PEM). */
  privateKeyFile: string;
  /** The application protocols offered for ALPN, most preferred first. */
  alpnProtocols?: string[];
  /**
   * Milliseconds a client has to finish its handshake before its connection
   * is closed (default the reactor's `DEFAULT_HANDSHAKE_TIMEOUT`, 10 000).
   */
  handshakeTimeout?: number;
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
  /** Always `"stream"`. */
  readonly transport = "stream" as const;
  /** Always `true`. */
  readonly secure = true;
  readonly #reactor: Reactor & TLSReactor;
  readonly #options: Readonly<TLSServerEndpointOptions>;

  /** Makes the endpoint; nothing is read or bound until `listen`. */
  constructor(
    reactor: Reactor & TLSReactor,
    options: TLSServerEndpointOptions,
  ) {
    this.#reactor = reactor;
    this.#options = { ...options };
  }

  /** The options it was made with. */
  get options(): Readonly<TLSServerEndpointOptions> {
    return this.#options;
  }

  /** Reads the PEM files, then listens with `handler` (a function or a `Factory`). */
  listen(handler: ConnectionHandler): Deferred<ListeningPort> {
    const {
      port,
      certificateFile,
      privateKeyFile,
      alpnProtocols,
      handshakeTimeout,
      ...tcp
    } = this.#options;
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
        handshakeTimeout,
      })
    );
  }

  /**
   * This endpoint, or with port 0 a copy at a port free now (found with a
   * plain TCP listener: TLS uses the same ports, and no PEM file is read).
   */
  pinPort(): Deferred<TLSServerEndpoint> {
    const { port, interface: hostname, reusePort } = this.#options;
    return pinFreePort(port, this, {
      bind: () =>
        this.#reactor.listenTCP(0, () => {}, {
          interface: hostname,
          reusePort,
        }),
      make: (port) =>
        new TLSServerEndpoint(this.#reactor, { ...this.#options, port }),
    });
  }

  /** The description, such as `tls:8443:certKey=cert.pem:privateKey=key.pem`. */
  toString(): string {
    return describeEndpoint({
      kind: "tls",
      positional: [this.#options.port],
      named: {
        interface: this.#options.interface,
        backlog: this.#options.backlog,
        certKey: this.#options.certificateFile,
        privateKey: this.#options.privateKeyFile,
        alpn: this.#options.alpnProtocols?.join(","),
        handshakeTimeout: formatSeconds(this.#options.handshakeTimeout),
      },
    });
  }
}

/** Options for {@linkcode TLSClientEndpoint}. */
export interface TLSClientEndpointOptions extends TCPClientEndpointOptions {
  /** A PEM file of CA certificates to trust besides the system's. */
  caCertsFile?: string;
  /** The application protocols asked for by ALPN, most preferred first. */
  alpnProtocols?: string[];
  /**
   * Milliseconds the server has to finish the handshake before the connection
   * is closed (default the reactor's `DEFAULT_HANDSHAKE_TIMEOUT`, 10 000).
   */
  handshakeTimeout?: number;
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
  readonly #options: Readonly<TLSClientEndpointOptions>;

  /** Makes the endpoint; nothing happens until `connect`. */
  constructor(
    reactor: Reactor & TLSReactor,
    options: TLSClientEndpointOptions,
  ) {
    this.reactor = reactor;
    this.#options = { ...options };
  }

  /** The options it was made with. */
  get options(): Readonly<TLSClientEndpointOptions> {
    return this.#options;
  }

  /** Opens a connection (after reading `caCertsFile`); with `handler`, the reactor also serves it. */
  connect(handler?: ConnectionHandler): Deferred<Connection> {
    const {
      host,
      port,
      timeout,
      caCertsFile,
      alpnProtocols,
      handshakeTimeout,
    } = this.#options;
    const options: ConnectTLSOptions = {
      handler,
      timeout,
      alpnProtocols,
      handshakeTimeout,
    };
    if (caCertsFile === undefined) {
      return this.reactor.connectTLS(host, port, options);
    }
    return Deferred.fromPromise(Deno.readTextFile(caCertsFile)).addCallback((
      ca,
    ) => this.reactor.connectTLS(host, port, { ...options, caCerts: [ca] }));
  }

  /** The description, such as `tls:host=example.org:port=443`. */
  toString(): string {
    return describeEndpoint({
      kind: "tls",
      named: {
        host: this.#options.host,
        port: this.#options.port,
        timeout: formatSeconds(this.#options.timeout),
        caCerts: this.#options.caCertsFile,
        alpn: this.#options.alpnProtocols?.join(","),
        handshakeTimeout: formatSeconds(this.#options.handshakeTimeout),
      },
    });
  }
}

// handshakeTimeout= is in seconds, as every duration in an endpoint string
// (ARCHITECTURE.md, "Units"); the API's handshakeTimeout is in milliseconds.
const tlsServer: ServerEndpointKind = {
  positional: ["port"],
  named: [
    "privateKey",
    "certKey",
    "interface",
    "backlog",
    "alpn",
    "handshakeTimeout",
  ],
  create: (p, { reactorWith, options }) =>
    new TLSServerEndpoint(reactorWith("listenTLS"), {
      port: p.port("port"),
      privateKeyFile: p.string("privateKey", true),
      certificateFile: p.string("certKey"),
      interface: p.string("interface"),
      backlog: p.integer("backlog", 1),
      alpnProtocols: p.list("alpn"),
      handshakeTimeout: p.seconds("handshakeTimeout"),
      reusePort: options.reusePort,
    }),
};
registerServerEndpointKind("tls", tlsServer);
registerServerEndpointKind("ssl", tlsServer);

const tlsClient: ClientEndpointKind = {
  positional: ["host", "port"],
  named: ["timeout", "caCerts", "alpn", "handshakeTimeout"],
  create: (p, { reactorWith }) =>
    new TLSClientEndpoint(reactorWith("connectTLS"), {
      host: p.string("host", true),
      port: p.port("port"),
      timeout: p.seconds("timeout"),
      caCertsFile: p.string("caCerts"),
      alpnProtocols: p.list("alpn"),
      handshakeTimeout: p.seconds("handshakeTimeout"),
    }),
};
registerClientEndpointKind("tls", tlsClient);
registerClientEndpointKind("ssl", tlsClient);
