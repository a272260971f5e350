/**
 * The errors of the PROXY protocol.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * A PROXY header is missing or malformed: no signature, a bad address or
 * port, an unknown protocol or version, too long, or a v2 address block
 * shorter than its family needs. The connection is closed unanswered.
 *
 * @example Usage
 * ```ts
 * import { ProxyHeaderError } from "@spindle/spindle/protocols/haproxy";
 * const error = new ProxyHeaderError("the v1 header's source port 70000 is over 65535");
 * console.assert(error.name === "ProxyHeaderError");
 * ```
 */
export class ProxyHeaderError extends ProtocolError {}

/**
 * A connection did not send its whole PROXY header within the header
 * timeout: it is closed unanswered.
 *
 * @example Usage
 * ```ts
 * import { ProxyHeaderTimeoutError } from "@spindle/spindle/protocols/haproxy";
 * const error = new ProxyHeaderTimeoutError(5000);
 * console.assert(error.timeout === 5000);
 * ```
 */
export class ProxyHeaderTimeoutError extends Error {
  /** The timeout that passed, in milliseconds. */
  readonly timeout: number;

  /** Creates the error for a header that took more than `timeout` ms. */
  constructor(timeout: number) {
    super(
      `no complete PROXY header within ${timeout} ms: the peer is no proxy that sends one, or it stalled`,
    );
    this.name = "ProxyHeaderTimeoutError";
    this.timeout = timeout;
  }
}

/**
 * A connection came from a source that is not trusted to send PROXY
 * headers: it is closed unserved.
 *
 * @example Usage
 * ```ts
 * import { UntrustedProxyError } from "@spindle/spindle/protocols/haproxy";
 * const error = new UntrustedProxyError("203.0.113.9");
 * console.assert(error.source === "203.0.113.9");
 * ```
 */
export class UntrustedProxyError extends Error {
  /** The address the connection came from. */
  readonly source: string;

  /** Creates the error for a connection from `source`. */
  constructor(source: string) {
    super(
      `a connection from ${source}, which is not a trusted proxy: add it to trusted= (haproxy:...:trusted=CIDR,...) if it is one`,
    );
    this.name = "UntrustedProxyError";
    this.source = source;
  }
}
