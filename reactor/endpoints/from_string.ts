/**
 * `serverFromString` and `clientFromString`: endpoints from the strings a
 * configuration file or a command line carries, with the built-in kinds
 * (`tcp`, `tls` / `ssl`, `unix`, `udp`) registered.
 *
 * @module
 */
import type { EndpointReactor } from "../interfaces.ts";
import type {
  AnyServerEndpoint,
  ClientEndpoint,
  ClientFromStringOptions,
  DatagramEndpoint,
  ServerEndpoint,
  ServerFromStringOptions,
} from "./endpoint.ts";
import { EndpointTransportError } from "./errors.ts";
import { parseClientEndpoint, parseServerEndpoint } from "./registry.ts";
// The built-in kinds register themselves when loaded.
import "./tcp.ts";
import "./tls.ts";
import "./unix.ts";
import "./udp.ts";

/**
 * Parses a datagram server endpoint description (`udp:`).
 *
 * @example Usage
 * ```ts
 * import { DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const endpoint = serverFromString(new DenoReactor(), "udp:port=53");
 * console.assert(endpoint.toString() === "udp:53");
 * ```
 */
export function serverFromString(
  reactor: EndpointReactor,
  description: `udp:${string}`,
  options?: ServerFromStringOptions,
): DatagramEndpoint;
/**
 * Parses a stream server endpoint description of a built-in kind (`tcp:`,
 * `tls:`, `ssl:`, `unix:`).
 *
 * @example Usage
 * ```ts
 * import { DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const endpoint = serverFromString(new DenoReactor(), "unix:/tmp/app.sock");
 * console.assert(endpoint.transport === "stream");
 * ```
 */
export function serverFromString(
  reactor: EndpointReactor,
  description:
    | `tcp:${string}`
    | `tls:${string}`
    | `ssl:${string}`
    | `unix:${string}`,
  options?: ServerFromStringOptions,
): ServerEndpoint;
/**
 * Parses a server endpoint description where connections are served; one
 * of datagrams fails with `EndpointTransportError`.
 *
 * @example Usage
 * ```ts
 * import { DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const description: string = "tls:8443:privateKey=both.pem";
 * const endpoint = serverFromString(new DenoReactor(), description, {
 *   transport: "stream",
 *   defaults: { alpn: "http/1.1" },
 * });
 * console.assert(endpoint.secure);
 * ```
 */
export function serverFromString(
  reactor: EndpointReactor,
  description: string,
  options: ServerFromStringOptions & { transport: "stream" },
): ServerEndpoint;
/**
 * Parses a server endpoint description where datagrams are served; one of
 * streams fails with `EndpointTransportError`.
 *
 * @example Usage
 * ```ts
 * import { DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const description: string = "udp:53:interface=127.0.0.1";
 * const endpoint = serverFromString(new DenoReactor(), description, {
 *   transport: "datagram",
 * });
 * console.assert(endpoint.kind === "udp");
 * ```
 */
export function serverFromString(
  reactor: EndpointReactor,
  description: string,
  options: ServerFromStringOptions & { transport: "datagram" },
): DatagramEndpoint;
/**
 * Parses a server endpoint description:
 *
 * - `tcp:PORT` with `interface=ADDRESS`, `backlog=N`;
 * - `tls:PORT` (or `ssl:PORT`) with `privateKey=FILE`, `certKey=FILE`
 *   (default: the `privateKey` file), `interface`, `backlog`,
 *   `alpn=PROTO,PROTO`, `handshakeTimeout=SECONDS`;
 * - `unix:PATH` with `mode=OCTAL`;
 * - `udp:PORT` with `interface`, `maxPacketSize=N` (a
 *   {@linkcode DatagramEndpoint});
 * - any kind a module registered with `registerServerEndpointKind`.
 *
 * Parameters are `name=value` or positional, separated by `:`; a backslash
 * makes the next character literal (`unix:C\:\\app.sock`,
 * `tcp:8080:interface=\:\:1`). Without `interface=`, a server binds
 * `DEFAULT_INTERFACE` (every IPv4 interface), whatever its kind.
 * `options.defaults` fills parameters the description leaves out;
 * `options.reusePort` shares TCP, TLS and UDP ports between processes;
 * `options.transport` types the result and refuses the other transport.
 *
 * Throws {@linkcode UnknownEndpointKindError},
 * {@linkcode InvalidEndpointParameterError} (naming the kind and the
 * parameter), {@linkcode MissingReactorCapabilityError} or
 * {@linkcode EndpointTransportError}.
 *
 * @example Usage
 * ```ts
 * import { DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const description: string = "tcp:8080:interface=127.0.0.1";
 * const endpoint = serverFromString(new DenoReactor(), description);
 * console.assert(endpoint.toString() === "tcp:8080:interface=127.0.0.1");
 * ```
 */
export function serverFromString(
  reactor: EndpointReactor,
  description: string,
  options?: ServerFromStringOptions,
): AnyServerEndpoint;
export function serverFromString(
  reactor: EndpointReactor,
  description: string,
  options: ServerFromStringOptions = {},
): AnyServerEndpoint {
  const endpoint = parseServerEndpoint(reactor, description, options);
  if (
    options.transport !== undefined && endpoint.transport !== options.transport
  ) {
    throw new EndpointTransportError(description, options.transport);
  }
  return endpoint;
}

/**
 * Parses a client endpoint description:
 *
 * - `tcp:host=HOST:port=PORT` (or `tcp:HOST:PORT`) with `timeout=SECONDS`;
 * - `tls:host=HOST:port=PORT` (or `ssl:`) with `timeout`, `caCerts=FILE`
 *   (PEM CA certificates trusted besides the system's), `alpn=PROTO,PROTO`,
 *   `handshakeTimeout=SECONDS`;
 * - `unix:path=PATH` (or `unix:PATH`) with `timeout=SECONDS`;
 * - any kind a module registered with `registerClientEndpointKind`.
 *
 * `options.defaults` fills parameters the description leaves out. Throws
 * {@linkcode UnknownEndpointKindError}, {@linkcode InvalidEndpointParameterError}
 * or {@linkcode MissingReactorCapabilityError}, naming what is wrong.
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
  options: ClientFromStringOptions = {},
): ClientEndpoint {
  return parseClientEndpoint(reactor, description, options);
}
