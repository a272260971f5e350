/**
 * What an endpoint is: where connections are accepted
 * ({@linkcode ServerEndpoint}), where datagrams are bound
 * ({@linkcode DatagramEndpoint}), where connections are made to
 * ({@linkcode ClientEndpoint}), and the options a protocol gives the parsers
 * besides the string.
 *
 * @module
 */
import type { Deferred } from "../../deferred/deferred.ts";
import type {
  Connection,
  ConnectionHandler,
  DatagramHandler,
  DatagramTransport,
  ListeningPort,
  Reactor,
} from "../interfaces.ts";

/**
 * The interface a server endpoint binds when its description names none:
 * every IPv4 interface, as `listenTCP` and `listenUDP` do. The rule is the
 * same for every server kind with an `interface` parameter (`tcp:`, `tls:`,
 * `udp:`): write `interface=127.0.0.1` to serve this machine only.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_INTERFACE } from "@spindle/spindle/reactor";
 * console.assert(DEFAULT_INTERFACE === "0.0.0.0");
 * ```
 */
export const DEFAULT_INTERFACE = "0.0.0.0";

/**
 * Where connections can be accepted: `listen` serves each with `handler`.
 *
 * @example Usage
 * ```ts
 * import { DenoReactor, serverFromString, type ServerEndpoint } from "@spindle/spindle/reactor";
 * const endpoint: ServerEndpoint = serverFromString(
 *   new DenoReactor(),
 *   "tcp:0:interface=127.0.0.1",
 *   { transport: "stream" },
 * );
 * console.assert(!endpoint.secure);
 * ```
 */
export interface ServerEndpoint {
  /** The kind that made it, such as `"tcp"` (a wrapper kind gives its own). */
  readonly kind: string;
  /** Always `"stream"`: it accepts connections. */
  readonly transport: "stream";
  /** Whether its connections are encrypted (TLS), here or in an endpoint it wraps. */
  readonly secure: boolean;
  /** Starts listening; resolves to the port once it accepts connections. */
  listen(handler: ConnectionHandler): Deferred<ListeningPort>;
  /**
   * The same endpoint with port 0 replaced by a port that is free now (the
   * endpoint itself when it asks for a fixed port or has none), so that
   * several processes can be told one port to share.
   */
  pinPort(): Deferred<ServerEndpoint>;
  /** The endpoint as a string that `serverFromString` parses back. */
  toString(): string;
}

/**
 * Where datagrams can be received: `listen` binds and feeds each to
 * `handler` (such as a `DatagramProtocol`).
 *
 * @example Usage
 * ```ts
 * import { type DatagramEndpoint, DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const endpoint: DatagramEndpoint = serverFromString(
 *   new DenoReactor(),
 *   "udp:0:interface=127.0.0.1",
 *   { transport: "datagram" },
 * );
 * console.assert(endpoint.kind === "udp");
 * ```
 */
export interface DatagramEndpoint {
  /** The kind that made it, such as `"udp"`. */
  readonly kind: string;
  /** Always `"datagram"`: it receives datagrams. */
  readonly transport: "datagram";
  /** Binds; resolves to the transport once bound. */
  listen(handler: DatagramHandler): Deferred<DatagramTransport>;
  /** As {@linkcode ServerEndpoint.pinPort}: port 0 replaced by a port free now. */
  pinPort(): Deferred<DatagramEndpoint>;
  /** The endpoint as a string that `serverFromString` parses back. */
  toString(): string;
}

/**
 * Any server endpoint: tell them apart by `transport`.
 *
 * @example Usage
 * ```ts
 * import { type AnyServerEndpoint, DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const description: string = "udp:0";
 * const endpoint: AnyServerEndpoint = serverFromString(new DenoReactor(), description);
 * console.assert(endpoint.transport === "datagram");
 * ```
 */
export type AnyServerEndpoint = ServerEndpoint | DatagramEndpoint;

/**
 * Where connections can be made to: `connect` opens one.
 *
 * @example Usage
 * ```ts
 * import { clientFromString, type ClientEndpoint, DenoReactor } from "@spindle/spindle/reactor";
 * const endpoint: ClientEndpoint = clientFromString(new DenoReactor(), "tcp:example.org:80");
 * console.assert(endpoint.kind === "tcp");
 * ```
 */
export interface ClientEndpoint {
  /** The kind that made it, such as `"tcp"` (a wrapper kind gives its own). */
  readonly kind: string;
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

/**
 * Values a protocol gives the parsers for parameters the description leaves
 * out, by parameter name (`{ alpn: "http/1.1" }`): each applies to every
 * kind, wrapped or not, that has a parameter of that name. A value in the
 * description wins.
 *
 * @example Usage
 * ```ts
 * import type { EndpointDefaults } from "@spindle/spindle/reactor";
 * const defaults: EndpointDefaults = { alpn: "http/1.1" };
 * console.assert(defaults.alpn === "http/1.1");
 * ```
 */
export type EndpointDefaults = Readonly<Record<string, string>>;

/**
 * Options of `serverFromString`: what a protocol or a runner adds to the
 * user's description without editing it.
 *
 * @example Usage
 * ```ts
 * import type { ServerFromStringOptions } from "@spindle/spindle/reactor";
 * const options: ServerFromStringOptions = {
 *   defaults: { alpn: "http/1.1" },
 *   reusePort: true,
 * };
 * console.assert(options.reusePort);
 * ```
 */
export interface ServerFromStringOptions {
  /** Parameter values for what the description leaves out. */
  defaults?: EndpointDefaults;
  /**
   * Share the port between processes (`spindle --workers`): TCP and TLS
   * listeners use SO_REUSEPORT; UDP ports SO_REUSEADDR, the most Deno
   * offers (every process can bind the port, but the system hands each
   * datagram to one of them).
   */
  reusePort?: boolean;
  /**
   * The transport the caller serves: the result is typed for it, and a
   * description of the other transport fails with `EndpointTransportError`.
   */
  transport?: "stream" | "datagram";
}

/**
 * Options of `clientFromString`.
 *
 * @example Usage
 * ```ts
 * import type { ClientFromStringOptions } from "@spindle/spindle/reactor";
 * const options: ClientFromStringOptions = { defaults: { timeout: "10" } };
 * console.assert(options.defaults?.timeout === "10");
 * ```
 */
export interface ClientFromStringOptions {
  /** Parameter values for what the description leaves out. */
  defaults?: EndpointDefaults;
}
