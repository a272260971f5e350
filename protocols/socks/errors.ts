/**
 * The errors of SOCKS: malformed handshakes, refused requests and logins.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * The peer's SOCKS handshake broke the protocol: an unknown version, a
 * string without its NUL within the limit, a malformed address.
 *
 * @example Usage
 * ```ts
 * import { InvalidSocksMessageError } from "@spindle/spindle/protocols/socks";
 * const error = new InvalidSocksMessageError("version 9 is not SOCKS 4 or 5");
 * console.assert(error.message.includes("version 9"));
 * ```
 */
export class InvalidSocksMessageError extends ProtocolError {
  /** Creates the error, saying what was wrong. */
  constructor(reason: string) {
    super(
      `The SOCKS handshake is malformed: ${reason} (RFC 1928); the connection was closed`,
    );
  }
}

/**
 * The SOCKS server refused the request (the client side): its reply code
 * says why (SOCKS 5's codes, or 91 for SOCKS 4).
 *
 * @example Usage
 * ```ts
 * import { SocksRequestRefusedError } from "@spindle/spindle/protocols/socks";
 * const error = new SocksRequestRefusedError(2);
 * console.assert(error.code === 2);
 * ```
 */
export class SocksRequestRefusedError extends Error {
  /** The server's reply code. */
  readonly code: number;
  /** Creates the error for reply `code`. */
  constructor(code: number) {
    super(
      `The SOCKS server refused the connection (reply ${code}: ${
        REASONS[code] ?? "unknown"
      }): check the destination, and the proxy's rules`,
    );
    this.name = "SocksRequestRefusedError";
    this.code = code;
  }
}

const REASONS: Record<number, string> = {
  1: "general failure",
  2: "not allowed by the ruleset",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported",
  91: "rejected or failed",
};

/**
 * The SOCKS server refused our login, or offered no method we can use
 * (the client side).
 *
 * @example Usage
 * ```ts
 * import { SocksLoginFailedError } from "@spindle/spindle/protocols/socks";
 * console.assert(new SocksLoginFailedError("bad password").message.includes("bad password"));
 * ```
 */
export class SocksLoginFailedError extends Error {
  /** Creates the error, saying why. */
  constructor(reason: string) {
    super(
      `The SOCKS server did not let us in: ${reason}; check the username and password`,
    );
    this.name = "SocksLoginFailedError";
  }
}

/**
 * A SOCKS server without logins was asked to listen on an interface other
 * than loopback: anyone who can reach it could use it to reach anything.
 *
 * @example Usage
 * ```ts
 * import { OpenProxyError } from "@spindle/spindle/protocols/socks";
 * console.assert(new OpenProxyError("0.0.0.0").message.includes("0.0.0.0"));
 * ```
 */
export class OpenProxyError extends Error {
  /** Creates the error for the interface `hostname`. */
  constructor(hostname: string) {
    super(
      `A SOCKS server without logins must listen on loopback only, not ${hostname}: add users (--users FILE) or listen on 127.0.0.1`,
    );
    this.name = "OpenProxyError";
  }
}
