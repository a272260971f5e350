/**
 * TCP endpoints: `tcp:PORT` to listen, `tcp:HOST:PORT` to connect.
 *
 * @module
 */
import type { Deferred } from "../../deferred/deferred.ts";
import type {
  Connection,
  ConnectionHandler,
  ListeningPort,
  Reactor,
} from "../interfaces.ts";
import type { ClientEndpoint, ServerEndpoint } from "./endpoint.ts";
import { describeEndpoint, formatSeconds } from "./grammar.ts";
import {
  registerClientEndpointKind,
  registerServerEndpointKind,
} from "./registry.ts";
import { pinFreePort } from "./_pin.ts";

/** Options for {@linkcode TCPServerEndpoint}. */
export interface TCPServerEndpointOptions {
  /** The port; 0 for any free one. */
  port: number;
  /** The interface to bind; default `DEFAULT_INTERFACE` (all IPv4 ones). */
  interface?: string;
  /** The accept backlog (advisory). */
  backlog?: number;
  /** Share the port between processes (SO_REUSEPORT); not part of the description. */
  reusePort?: boolean;
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
  /** Always `"stream"`. */
  readonly transport = "stream" as const;
  /** Always `false`. */
  readonly secure = false;
  readonly #reactor: Reactor;
  readonly #options: Readonly<TCPServerEndpointOptions>;

  /** Makes the endpoint; nothing is bound until `listen`. */
  constructor(reactor: Reactor, options: TCPServerEndpointOptions) {
    this.#reactor = reactor;
    this.#options = { ...options };
  }

  /** The options it was made with. */
  get options(): Readonly<TCPServerEndpointOptions> {
    return this.#options;
  }

  /** Listens with `handler` (a function or a `Factory`). */
  listen(handler: ConnectionHandler): Deferred<ListeningPort> {
    const { port, ...options } = this.#options;
    return this.#reactor.listenTCP(port, handler, options);
  }

  /** This endpoint, or with port 0 a copy at a port free now. */
  pinPort(): Deferred<TCPServerEndpoint> {
    const { port, interface: hostname, reusePort } = this.#options;
    return pinFreePort(port, this, {
      bind: () =>
        this.#reactor.listenTCP(0, () => {}, {
          interface: hostname,
          reusePort,
        }),
      make: (port) =>
        new TCPServerEndpoint(this.#reactor, { ...this.#options, port }),
    });
  }

  /** The description, such as `tcp:8080:interface=127.0.0.1`. */
  toString(): string {
    return describeEndpoint({
      kind: "tcp",
      positional: [this.#options.port],
      named: {
        interface: this.#options.interface,
        backlog: this.#options.backlog,
      },
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
  readonly #options: Readonly<TCPClientEndpointOptions>;

  /** Makes the endpoint; nothing happens until `connect`. */
  constructor(reactor: Reactor, options: TCPClientEndpointOptions) {
    this.reactor = reactor;
    this.#options = { ...options };
  }

  /** The options it was made with. */
  get options(): Readonly<TCPClientEndpointOptions> {
    return this.#options;
  }

  /** Opens a connection; with `handler`, the reactor also serves it. */
  connect(handler?: ConnectionHandler): Deferred<Connection> {
    const { host, port, timeout } = this.#options;
    return this.reactor.connectTCP(host, port, { handler, timeout });
  }

  /** The description, such as `tcp:host=example.org:port=80`. */
  toString(): string {
    return describeEndpoint({
      kind: "tcp",
      named: {
        host: this.#options.host,
        port: this.#options.port,
        timeout: formatSeconds(this.#options.timeout),
      },
    });
  }
}

registerServerEndpointKind("tcp", {
  positional: ["port"],
  named: ["interface", "backlog"],
  create: (p, { reactor, options }) =>
    new TCPServerEndpoint(reactor, {
      port: p.port("port"),
      interface: p.string("interface"),
      backlog: p.integer("backlog", 1),
      reusePort: options.reusePort,
    }),
});

registerClientEndpointKind("tcp", {
  positional: ["host", "port"],
  named: ["timeout"],
  create: (p, { reactor }) =>
    new TCPClientEndpoint(reactor, {
      host: p.string("host", true),
      port: p.port("port"),
      timeout: p.seconds("timeout"),
    }),
});
