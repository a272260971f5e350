/**
 * Unix socket endpoints: `unix:PATH` to listen or connect.
 *
 * @module
 */
import { type Deferred, succeed } from "../../deferred/deferred.ts";
import type {
  Connection,
  ConnectionHandler,
  ListeningPort,
  Reactor,
  UnixReactor,
} from "../interfaces.ts";
import type { ClientEndpoint, ServerEndpoint } from "./endpoint.ts";
import { describeEndpoint, formatSeconds } from "./grammar.ts";
import {
  registerClientEndpointKind,
  registerServerEndpointKind,
} from "./registry.ts";

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
  /** Always `"stream"`. */
  readonly transport = "stream" as const;
  /** Always `false`. */
  readonly secure = false;
  readonly #reactor: Reactor & UnixReactor;
  readonly #options: Readonly<UnixServerEndpointOptions>;

  /** Makes the endpoint; nothing is bound until `listen`. */
  constructor(
    reactor: Reactor & UnixReactor,
    options: UnixServerEndpointOptions,
  ) {
    this.#reactor = reactor;
    this.#options = { ...options };
  }

  /** The options it was made with. */
  get options(): Readonly<UnixServerEndpointOptions> {
    return this.#options;
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

  /** This endpoint: a socket file has no port to pin. */
  pinPort(): Deferred<UnixServerEndpoint> {
    return succeed(this);
  }

  /** The description, such as `unix:/run/app.sock:mode=660`. */
  toString(): string {
    return describeEndpoint({
      kind: "unix",
      positional: [this.#options.path],
      named: { mode: this.#options.mode?.toString(8) },
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
  readonly #options: Readonly<UnixClientEndpointOptions>;

  /** Makes the endpoint; nothing happens until `connect`. */
  constructor(
    reactor: Reactor & UnixReactor,
    options: UnixClientEndpointOptions,
  ) {
    this.reactor = reactor;
    this.#options = { ...options };
  }

  /** The options it was made with. */
  get options(): Readonly<UnixClientEndpointOptions> {
    return this.#options;
  }

  /** Opens a connection; with `handler`, the reactor also serves it. */
  connect(handler?: ConnectionHandler): Deferred<Connection> {
    const { path, timeout } = this.#options;
    return this.reactor.connectUnix(path, { handler, timeout });
  }

  /** The description, such as `unix:path=/run/app.sock`. */
  toString(): string {
    return describeEndpoint({
      kind: "unix",
      named: {
        path: this.#options.path,
        timeout: formatSeconds(this.#options.timeout),
      },
    });
  }
}

registerServerEndpointKind("unix", {
  positional: ["path"],
  named: ["mode"],
  create: (p, { reactorWith }) =>
    new UnixServerEndpoint(reactorWith("listenUnix"), {
      path: p.string("path", true),
      mode: p.octal("mode"),
    }),
});

registerClientEndpointKind("unix", {
  positional: ["path"],
  named: ["timeout"],
  create: (p, { reactorWith }) =>
    new UnixClientEndpoint(reactorWith("connectUnix"), {
      path: p.string("path", true),
      timeout: p.seconds("timeout"),
    }),
});
