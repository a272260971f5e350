/**
 * Error types raised by connections, listeners and protocols.
 *
 * @module
 */

/**
 * The base of every error raised because a peer sent something malformed or
 * over a limit. The connection it came from is closed; its listener goes on.
 *
 * @example Usage
 * ```ts
 * import { ProtocolError } from "@spindle/spindle/reactor";
 * class BadGreetingError extends ProtocolError {}
 * const error = new BadGreetingError("the peer's greeting was not HELLO: close the connection");
 * console.assert(error instanceof ProtocolError);
 * ```
 */
export class ProtocolError extends Error {
  /** Creates the error with a message that says what happened and what to do. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A connection ended other than by a clean close: reset by the peer, aborted,
 * or broken by an I/O error. `Connection.closed` rejects with it.
 *
 * @example Usage
 * ```ts
 * import { ConnectionLostError } from "@spindle/spindle/reactor";
 * const error = new ConnectionLostError("the peer reset the connection");
 * console.assert(error.name === "ConnectionLostError");
 * ```
 */
export class ConnectionLostError extends Error {
  /** Creates the error with a message that says what happened and what to do. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A listener stopped: `accept()` has no connection to give and never will.
 * A `for await` over the listener ends instead.
 *
 * @example Usage
 * ```ts
 * import { ListenerStoppedError } from "@spindle/spindle/reactor";
 * const error = new ListenerStoppedError("127.0.0.1:8080");
 * console.assert(error.message.includes("127.0.0.1:8080"));
 * ```
 */
export class ListenerStoppedError extends Error {
  /** Creates the error for the listener on `address` (as `formatAddress` writes it). */
  constructor(address?: string, options?: ErrorOptions) {
    const where = address === undefined ? "" : ` on ${address}`;
    super(
      `The listener${where} has stopped: no more connections come from it; listen again to accept more`,
      options,
    );
    this.name = "ListenerStoppedError";
  }
}

/**
 * The peer refused the connection: nothing listens on that address and port.
 *
 * @example Usage
 * ```ts
 * import { ConnectionRefusedError } from "@spindle/spindle/reactor";
 * const error = new ConnectionRefusedError("127.0.0.1", 1);
 * console.assert(error.port === 1);
 * ```
 */
export class ConnectionRefusedError extends Error {
  /** The host that was dialled. */
  readonly host: string;
  /** The port that was dialled. */
  readonly port: number;
  /** Creates the error for `host:port`. */
  constructor(host: string, port: number, options?: ErrorOptions) {
    super(
      `Connection refused by ${host}:${port}: check that the server is running and listening on that address and port`,
      options,
    );
    this.name = new.target.name;
    this.host = host;
    this.port = port;
  }
}

/**
 * The address a listener asked for is already bound by another socket.
 *
 * @example Usage
 * ```ts
 * import { AddressInUseError } from "@spindle/spindle/reactor";
 * const error = new AddressInUseError("127.0.0.1:8080");
 * console.assert(error.address === "127.0.0.1:8080");
 * ```
 */
export class AddressInUseError extends Error {
  /** The address that was asked for, such as `"127.0.0.1:8080"` or a socket path. */
  readonly address: string;
  /** Creates the error for `address`. */
  constructor(address: string, options?: ErrorOptions) {
    super(
      `Address ${address} is already in use: stop the other process using it, pick another port, or listen on port 0 for a free one`,
      options,
    );
    this.name = new.target.name;
    this.address = address;
  }
}

/**
 * A host name could not be resolved to an address.
 *
 * @example Usage
 * ```ts
 * import { DNSLookupError } from "@spindle/spindle/reactor";
 * const error = new DNSLookupError("no-such-host.invalid");
 * console.assert(error.host === "no-such-host.invalid");
 * ```
 */
export class DNSLookupError extends Error {
  /** The host name that failed to resolve. */
  readonly host: string;
  /** Creates the error for `host`. */
  constructor(host: string, options?: ErrorOptions) {
    super(
      `Could not resolve the host name ${
        JSON.stringify(host)
      }: check its spelling and the resolver configuration`,
      options,
    );
    this.name = new.target.name;
    this.host = host;
  }
}

/**
 * A connection attempt took longer than its `timeout`.
 *
 * @example Usage
 * ```ts
 * import { ConnectTimeoutError } from "@spindle/spindle/reactor";
 * const error = new ConnectTimeoutError("127.0.0.1", 80, 5000);
 * console.assert(error.timeout === 5000);
 * ```
 */
export class ConnectTimeoutError extends Error {
  /** The host that was dialled. */
  readonly host: string;
  /** The port that was dialled. */
  readonly port: number;
  /** The timeout that expired, in milliseconds. */
  readonly timeout: number;
  /** Creates the error for `host:port` after `timeout` milliseconds. */
  constructor(
    host: string,
    port: number,
    timeout: number,
    options?: ErrorOptions,
  ) {
    super(
      `Connecting to ${host}:${port} timed out after ${timeout} ms: check that the host is reachable, or raise the timeout`,
      options,
    );
    this.name = new.target.name;
    this.host = host;
    this.port = port;
    this.timeout = timeout;
  }
}

/**
 * A TLS handshake failed: the certificate was not trusted or did not match the
 * server name, or the peer does not speak TLS.
 *
 * @example Usage
 * ```ts
 * import { TLSHandshakeError } from "@spindle/spindle/reactor";
 * const error = new TLSHandshakeError("localhost:443", "invalid peer certificate: UnknownIssuer");
 * console.assert(error.peer === "localhost:443");
 * ```
 */
export class TLSHandshakeError extends Error {
  /** Who the handshake was with. */
  readonly peer: string;
  /** Creates the error for `peer`, with the TLS library's `detail`. */
  constructor(peer: string, detail: string, options?: ErrorOptions) {
    super(
      `The TLS handshake with ${peer} failed (${detail}): check the certificate, the CA it is checked against (caCerts) and the server name`,
      options,
    );
    this.name = new.target.name;
    this.peer = peer;
  }
}

/**
 * A TLS handshake did not finish within its `handshakeTimeout`: the peer sent
 * nothing, or stopped part-way, or does not speak TLS. The connection has been
 * closed, so that a client cannot hold a server's socket (or a server a
 * client's) by never finishing.
 *
 * @example Usage
 * ```ts
 * import { TLSHandshakeTimeoutError } from "@spindle/spindle/reactor";
 * const error = new TLSHandshakeTimeoutError("127.0.0.1:50000", 10_000);
 * console.assert(error.timeout === 10_000);
 * ```
 */
export class TLSHandshakeTimeoutError extends TLSHandshakeError {
  /** The deadline that passed, in milliseconds. */
  readonly timeout: number;
  /** Creates the error for `peer` after `timeout` milliseconds. */
  constructor(peer: string, timeout: number, options?: ErrorOptions) {
    super(peer, `not finished within ${timeout} ms`, options);
    this.message =
      `The TLS handshake with ${peer} did not finish within ${timeout} ms, so the connection was closed: the peer stalled or does not speak TLS; if it is only slow, raise handshakeTimeout`;
    this.timeout = timeout;
  }
}
