/**
 * The interfaces at the heart of the reactor: addresses, connections,
 * handlers, listening ports and the {@linkcode Reactor} itself.
 *
 * @module
 */
import type { Deferred } from "../deferred/deferred.ts";
import type { IReactorTime } from "./time.ts";

/** An in-memory address, used by {@linkcode connectedPair}. */
export interface MemoryAddr {
  /** Always `"memory"`. */
  transport: "memory";
  /** A name unique to the pair's end. */
  name: string;
}

/** Where a connection or listener is: a TCP/UDP host and port, a Unix path, or memory. */
export type Address = Deno.NetAddr | Deno.UnixAddr | MemoryAddr;

/**
 * A bidirectional byte stream: the common currency of Spindle.
 *
 * Two ways to use it, never both at once on the same side:
 * - the standard streams `readable` / `writable` (composable with any Web Streams code);
 * - the fast path `read()` / `write()`, which codecs and protocol servers use to run
 *   without Web Streams machinery per chunk (DESIGN.md, "Speed principle").
 *
 * @example Usage
 * ```ts ignore
 * import type { Connection } from "@spindle/spindle/reactor";
 * async function echo(conn: Connection) {
 *   await conn.readable.pipeTo(conn.writable);
 * }
 * ```
 */
export interface Connection {
  /** Bytes from the peer; ends when the peer half-closes or closes. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer; closing it half-closes the connection (`closeWrite`). */
  readonly writable: WritableStream<Uint8Array>;
  /** This end's address. */
  readonly localAddr: Address;
  /** The peer's address. */
  readonly remoteAddr: Address;
  /** Resolves when the connection has closed cleanly; rejects with `ConnectionLostError` otherwise. */
  readonly closed: Promise<void>;
  /**
   * Fast path: the next chunk from the peer, or `null` at end of input.
   * The returned bytes belong to the caller.
   */
  read(): Promise<Uint8Array | null>;
  /** Fast path: writes all of `data`; resolves when it is accepted (backpressure). */
  write(data: Uint8Array): Promise<void>;
  /**
   * Puts bytes back in front of the read side: the next `read()` (or the
   * readable) yields them first. This is how a decoder hands over the bytes it
   * buffered but did not decode when a protocol switches framing.
   */
  unshift(data: Uint8Array): void;
  /** Flushes pending writes, then half-closes: the peer sees end of input; reading goes on. */
  closeWrite(): Promise<void>;
  /** Flushes pending writes, then closes both directions. */
  close(): Promise<void>;
  /** Closes at once, dropping pending writes; `closed` rejects with `reason`. */
  abort(reason?: unknown): void;
  /** Disables Nagle's algorithm where the transport has it (TCP); a no-op elsewhere. */
  setNoDelay(noDelay?: boolean): void;
  /** Closes, for `await using`: the same as `close()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A stream-style connection handler. */
export type ConnectionHandlerFunction = (
  conn: Connection,
) => void | Promise<void>;

/**
 * What a Twisted-style `Factory` offers the reactor so it can be passed to
 * `listenTCP` and friends wherever a handler function is accepted.
 */
export interface ConnectionFactory {
  /** Called when a listener starts using the factory. */
  doStart(): void;
  /** Called when a listener stops using the factory. */
  doStop(): void;
  /** Serves one accepted connection (builds a protocol and drives it). */
  handleConnection(conn: Connection, reactor: Reactor): void | Promise<void>;
}

/** A handler for accepted connections: a function (stream style) or a `Factory` (Twisted style). */
export type ConnectionHandler = ConnectionHandlerFunction | ConnectionFactory;

/** A listening socket returned by `listenTCP`, `listenUnix`, `listenTLS`, `listenUDP`. */
export interface ListeningPort {
  /** The bound address (with the real port when 0 was asked for). */
  getHost(): Address;
  /** Stops accepting; resolves when the address can be bound again. */
  stopListening(): Deferred<void>;
  /** Stops listening, for `await using`: the same as `stopListening()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options for `listenTCP`. */
export interface ListenTCPOptions {
  /** The interface to bind, default `"0.0.0.0"`. */
  interface?: string;
  /** The accept backlog (advisory: Deno picks its own). */
  backlog?: number;
  /** Share the port between processes (SO_REUSEPORT). */
  reusePort?: boolean;
  /**
   * Stops listening when aborted, as `stopListening()` does; an already
   * aborted signal fails the listen with its reason.
   */
  signal?: AbortSignal;
}

/** Options for `connectTCP`. */
export interface ConnectTCPOptions {
  /** Serves the new connection, as for a listener. */
  handler?: ConnectionHandler;
  /** Milliseconds before the attempt fails with `ConnectTimeoutError`. */
  timeout?: number;
  /**
   * Abandons the attempt when aborted before it connected (the Deferred
   * fails with the signal's reason); a connection made is not affected.
   */
  signal?: AbortSignal;
  /** The local address to bind before connecting. */
  bindAddress?: { hostname: string; port?: number };
}

/**
 * The reactor: owns the event loop's resources — listeners, connections,
 * timers — and the lifecycle that opens and closes them.
 */
export interface Reactor extends IReactorTime {
  /** Listens on TCP `port` and serves each connection with `handler`. */
  listenTCP(
    port: number,
    handler: ConnectionHandler,
    options?: ListenTCPOptions,
  ): Deferred<ListeningPort>;
  /** Connects to `host:port` over TCP. */
  connectTCP(
    host: string,
    port: number,
    options?: ConnectTCPOptions,
  ): Deferred<Connection>;
}

/** Options for `listenUDP`. */
export interface ListenUDPOptions {
  /** The interface to bind, default `"0.0.0.0"`. */
  interface?: string;
  /** The largest datagram received whole, in bytes (default 65 507); longer ones are cut. */
  maxPacketSize?: number;
  /** Share the address with other sockets (SO_REUSEADDR), as multicast receivers need. */
  reuseAddress?: boolean;
  /**
   * Stops listening when aborted, as `stopListening()` does; an already
   * aborted signal fails the listen with its reason.
   */
  signal?: AbortSignal;
}

/**
 * A bound UDP socket: what `listenUDP` returns, and what its
 * {@linkcode DatagramHandler} gets to send with.
 */
export interface DatagramTransport extends ListeningPort {
  /** The bound address (with the real port when 0 was asked for). */
  getHost(): Deno.NetAddr;
  /** Sends one datagram to `addr`; resolves once it is handed to the system. */
  write(data: Uint8Array, addr: Deno.NetAddr): Promise<void>;
}

/**
 * What `listenUDP` drives: Twisted's `DatagramProtocol` shape. Only
 * `datagramReceived` is required; the twisted layer's `DatagramProtocol` base
 * class implements all of it.
 */
export interface DatagramHandler {
  /** Called once the socket is bound, before any datagram: keep `transport` to send. */
  makeConnection?(transport: DatagramTransport): void;
  /**
   * Called for each datagram received. A throw (or a rejected promise) is
   * logged and the port goes on.
   */
  datagramReceived(data: Uint8Array, addr: Deno.NetAddr): void | Promise<void>;
  /** Called once the port has stopped listening. */
  doStop?(): void;
}

/** A certificate chain and its private key, PEM-encoded. */
export interface TLSCertificate {
  /** The certificate chain (leaf first), PEM. */
  cert: string;
  /** The private key, PEM. */
  key: string;
}

/** The server side of TLS: the certificate(s) and ALPN protocols offered. */
export interface TLSServerOptions extends TLSCertificate {
  /**
   * More certificates, by the server name a client asks for (SNI): exact
   * names (`"mail.example.org"`) or one-label wildcards (`"*.example.org"`).
   * Clients that ask for another name, or none, get `cert` / `key`.
   */
  sni?: Record<string, TLSCertificate>;
  /** The application protocols offered for ALPN, most preferred first. */
  alpnProtocols?: string[];
  /**
   * Milliseconds a client has to finish its handshake before its connection
   * is closed with `TLSHandshakeTimeoutError` (default 10 000, the reactor's
   * `DEFAULT_HANDSHAKE_TIMEOUT`; `Infinity` for no deadline).
   */
  handshakeTimeout?: number;
}

/** Options for `listenTLS`. */
export interface ListenTLSOptions extends ListenTCPOptions, TLSServerOptions {}

/** The client side of TLS. */
export interface TLSClientOptions {
  /** Extra CA certificates (PEM) trusted besides the system's. */
  caCerts?: string[];
  /** The application protocols asked for by ALPN, most preferred first. */
  alpnProtocols?: string[];
  /**
   * Milliseconds the server has to finish the handshake before the connection
   * is closed with `TLSHandshakeTimeoutError` (default 10 000, the reactor's
   * `DEFAULT_HANDSHAKE_TIMEOUT`; `Infinity` for no deadline).
   */
  handshakeTimeout?: number;
}

/** Options for `connectTLS`. */
export interface ConnectTLSOptions
  extends ConnectTCPOptions, TLSClientOptions {}

// The capabilities below are what a reactor may offer beyond `Reactor`'s TCP
// and time. Endpoints and protocols ask for the ones they use, so a fake or
// partial reactor only needs those.

/**
 * A reactor that listens on and connects to Unix sockets.
 *
 * @example Usage
 * ```ts
 * import { reactor, type UnixReactor } from "@spindle/spindle/reactor";
 * const unix: UnixReactor = reactor;
 * console.assert(typeof unix.connectUnix === "function");
 * ```
 */
export interface UnixReactor {
  /** Listens on the Unix socket `path`. */
  listenUnix(path: string, handler: ConnectionHandler): Deferred<ListeningPort>;
  /** Connects to the Unix socket `path`. */
  connectUnix(
    path: string,
    options?: { handler?: ConnectionHandler; timeout?: number },
  ): Deferred<Connection>;
}

/**
 * A reactor that listens for and connects over TLS.
 *
 * @example Usage
 * ```ts
 * import { reactor, type TLSReactor } from "@spindle/spindle/reactor";
 * const tls: TLSReactor = reactor;
 * console.assert(typeof tls.connectTLS === "function");
 * ```
 */
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

/**
 * A reactor that binds UDP ports.
 *
 * @example Usage
 * ```ts
 * import { reactor, type UDPReactor } from "@spindle/spindle/reactor";
 * const udp: UDPReactor = reactor;
 * console.assert(typeof udp.listenUDP === "function");
 * ```
 */
export interface UDPReactor {
  /** Binds UDP `port` and feeds each datagram to `handler`. */
  listenUDP(
    port: number,
    handler: DatagramHandler,
    options?: ListenUDPOptions,
  ): Deferred<DatagramTransport>;
}

/**
 * A reactor that may have any of the optional capabilities: what endpoint
 * strings are parsed against. A kind that needs a capability the reactor
 * lacks is refused when the string is parsed.
 *
 * @example Usage
 * ```ts
 * import { reactor, type EndpointReactor } from "@spindle/spindle/reactor";
 * const anyReactor: EndpointReactor = reactor;
 * console.assert(typeof anyReactor.listenTCP === "function");
 * ```
 */
export type EndpointReactor =
  & Reactor
  & Partial<UnixReactor & TLSReactor & UDPReactor>;

/**
 * What every `serveX(handler, { listen })` function returns (`serveHTTP`,
 * `serveDNS`, and each protocol after them): one shape, whatever the
 * protocol, so a program or a service can stop any server the same way.
 *
 * @example Usage
 * ```ts ignore
 * import type { RunningServer } from "@spindle/spindle/reactor";
 * async function stopAll(servers: RunningServer[]): Promise<void> {
 *   await Promise.all(servers.map((server) => server.shutdown()));
 * }
 * ```
 */
export interface RunningServer {
  /** Where the server listens (its first endpoint, with the real port when 0 was asked for). */
  readonly addr: Address;
  /**
   * Stops accepting, lets the connections in flight finish (up to the
   * protocol's drain limit), then resolves; `finished` resolves with it.
   */
  shutdown(): Promise<void>;
  /** Resolves once the server has stopped, however it stopped. */
  readonly finished: Promise<void>;
  /** `shutdown()`, so `await using server = serveX(...)` works. */
  [Symbol.asyncDispose](): Promise<void>;
}
