/**
 * Endpoints: where to listen or connect, as objects or as Twisted-style
 * strings that a configuration file or a command line can carry.
 *
 * Server strings: `tcp:8080:interface=127.0.0.1`,
 * `tls:8443:certKey=cert.pem:privateKey=key.pem`, `unix:/run/app.sock`,
 * `udp:5353`. Client strings: `tcp:host=example.org:port=80`,
 * `tls:host=example.org:port=443`, `unix:path=/run/app.sock`. The kinds are
 * an open registry: a protocol adds its own, plain or wrapping another
 * endpoint (`haproxy:tcp:8080:trusted=10.0.0.0/8`), with
 * {@linkcode registerServerEndpointKind} and
 * {@linkcode registerClientEndpointKind}.
 *
 * ```ts
 * import { DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const endpoint = serverFromString(new DenoReactor(), "ssl:443:privateKey=k.pem", {
 *   defaults: { alpn: "http/1.1" },
 * });
 * console.assert(endpoint.toString() === "tls:443:privateKey=k.pem:alpn=http/1.1");
 * ```
 *
 * @module
 */
export {
  type AnyServerEndpoint,
  type ClientEndpoint,
  type ClientFromStringOptions,
  type DatagramEndpoint,
  DEFAULT_INTERFACE,
  type EndpointDefaults,
  type ServerEndpoint,
  type ServerFromStringOptions,
} from "./endpoint.ts";
// The capabilities endpoints ask of a reactor live with the reactor's
// interfaces; they are named here too, for code that imports endpoints.
export type {
  EndpointReactor,
  TLSReactor,
  UDPReactor,
  UnixReactor,
} from "../interfaces.ts";
export {
  EndpointDescriptionError,
  EndpointTransportError,
  InvalidEndpointParameterError,
  MissingReactorCapabilityError,
  UnknownEndpointKindError,
} from "./errors.ts";
export {
  describeEndpoint,
  type EndpointDescriptionParts,
  EndpointParameters,
  type EndpointSegment,
  splitEndpoint,
} from "./grammar.ts";
export {
  type ClientEndpointContext,
  type ClientEndpointKind,
  type ClientEndpointWrapperContext,
  type ClientEndpointWrapperKind,
  type EndpointContext,
  type EndpointSyntax,
  MAX_ENDPOINT_NESTING,
  type ReactorCapabilities,
  registerClientEndpointKind,
  registerServerEndpointKind,
  type ServerEndpointContext,
  type ServerEndpointKind,
  type ServerEndpointWrapperContext,
  type ServerEndpointWrapperKind,
} from "./registry.ts";
export {
  TCPClientEndpoint,
  type TCPClientEndpointOptions,
  TCPServerEndpoint,
  type TCPServerEndpointOptions,
} from "./tcp.ts";
export {
  TLSClientEndpoint,
  type TLSClientEndpointOptions,
  TLSServerEndpoint,
  type TLSServerEndpointOptions,
} from "./tls.ts";
export {
  UnixClientEndpoint,
  type UnixClientEndpointOptions,
  UnixServerEndpoint,
  type UnixServerEndpointOptions,
} from "./unix.ts";
export { UDPServerEndpoint, type UDPServerEndpointOptions } from "./udp.ts";
export { clientFromString, serverFromString } from "./from_string.ts";
export {
  DEFAULT_MAX_PENDING_CONNECTIONS,
  listen,
  type Listener,
  type ListenOptions,
} from "./listen.ts";
export { connectProtocol } from "./connect_protocol.ts";
export {
  listenAll,
  type ListenAllOptions,
  type ListenOn,
} from "./listen_all.ts";
