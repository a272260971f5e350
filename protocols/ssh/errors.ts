/**
 * The errors of the SSH transport, authentication, channels and SFTP:
 * malformed or over-limit input from the peer ({@linkcode SSHProtocolError}
 * and its subclasses, each a `ProtocolError`), what the peer reported
 * ({@linkcode SSHDisconnectError}, {@linkcode ChannelOpenError},
 * {@linkcode SFTPStatusError}), and refusals on our side
 * ({@linkcode HostKeyMismatchError}, {@linkcode AuthenticationFailedError},
 * {@linkcode SSHTimeoutError}).
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * The peer sent something the SSH protocol does not allow: a malformed
 * packet, a packet over a limit, a message out of order.
 *
 * @example Usage
 * ```ts
 * import { SSHProtocolError } from "@spindle/spindle/protocols/ssh";
 * const error = new SSHProtocolError("the packet length 40000 is over 35000: the peer is broken");
 * console.assert(error.name === "SSHProtocolError");
 * ```
 */
export class SSHProtocolError extends ProtocolError {}

/**
 * A packet failed its integrity check (the MAC or the AES-GCM tag): it was
 * corrupted or forged on the way. The connection is closed.
 *
 * @example Usage
 * ```ts
 * import { MACError, SSHProtocolError } from "@spindle/spindle/protocols/ssh";
 * const error = new MACError("packet 7 failed its integrity check");
 * console.assert(error instanceof SSHProtocolError);
 * ```
 */
export class MACError extends SSHProtocolError {}

/**
 * The two sides share no algorithm of some kind (key exchange, host key,
 * cipher, MAC): the peer must enable one of ours.
 *
 * @example Usage
 * ```ts
 * import { NegotiationError } from "@spindle/spindle/protocols/ssh";
 * const error = new NegotiationError("no common cipher: we offer aes256-gcm@openssh.com, the peer 3des-cbc");
 * console.assert(error.name === "NegotiationError");
 * ```
 */
export class NegotiationError extends SSHProtocolError {}

/**
 * The base of the SSH errors that are not malformed input: catch it to
 * handle any of them.
 *
 * @example Usage
 * ```ts
 * import { SSHError } from "@spindle/spindle/protocols/ssh";
 * console.assert(new SSHError("x").name === "SSHError");
 * ```
 */
export class SSHError extends Error {
  /** Creates the error with a message that says what happened and what to do. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The peer ended the connection with SSH_MSG_DISCONNECT (RFC 4253 §11.1).
 *
 * @example Usage
 * ```ts
 * import { SSHDisconnectError } from "@spindle/spindle/protocols/ssh";
 * const error = new SSHDisconnectError(11, "bye");
 * console.assert(error.reason === 11);
 * ```
 */
export class SSHDisconnectError extends SSHError {
  /** The reason code (RFC 4253 §11.1). */
  readonly reason: number;
  /** Creates the error for `reason` with the peer's `description`. */
  constructor(reason: number, description: string, options?: ErrorOptions) {
    super(
      `the peer disconnected (reason ${reason}): ${
        JSON.stringify(description.slice(0, 200))
      }`,
      options,
    );
    this.reason = reason;
  }
}

/**
 * The server's host key is not the one `known_hosts` (or the verifier)
 * expects: it may be an attack, or the server's key changed. The client
 * refuses to go on.
 *
 * @example Usage
 * ```ts
 * import { HostKeyMismatchError } from "@spindle/spindle/protocols/ssh";
 * const error = new HostKeyMismatchError("the host key of 127.0.0.1 is not the one in known_hosts");
 * console.assert(error.name === "HostKeyMismatchError");
 * ```
 */
export class HostKeyMismatchError extends SSHError {}

/**
 * The server refused every authentication method the client tried.
 *
 * @example Usage
 * ```ts
 * import { AuthenticationFailedError } from "@spindle/spindle/protocols/ssh";
 * const error = new AuthenticationFailedError("alice", ["publickey"]);
 * console.assert(error.methods[0] === "publickey");
 * ```
 */
export class AuthenticationFailedError extends SSHError {
  /** The methods the server said could continue. */
  readonly methods: readonly string[];
  /** Creates the error for `user`, with the methods the server still offers. */
  constructor(user: string, methods: readonly string[]) {
    super(
      `the server refused to log ${JSON.stringify(user)} in (it accepts: ${
        methods.join(", ") || "nothing"
      }): check the key or password`,
    );
    this.methods = methods;
  }
}

/**
 * The peer refused to open a channel (RFC 4254 §5.1).
 *
 * @example Usage
 * ```ts
 * import { ChannelOpenError } from "@spindle/spindle/protocols/ssh";
 * const error = new ChannelOpenError(1, "forwarding is off");
 * console.assert(error.reason === 1);
 * ```
 */
export class ChannelOpenError extends SSHError {
  /** The reason code (RFC 4254 §5.1). */
  readonly reason: number;
  /** Creates the error for `reason` with the peer's `description`. */
  constructor(reason: number, description: string) {
    super(
      `the peer refused to open the channel (reason ${reason}): ${
        JSON.stringify(description.slice(0, 200))
      }`,
    );
    this.reason = reason;
  }
}

/**
 * Something did not happen in time: the handshake, or a reply.
 *
 * @example Usage
 * ```ts
 * import { SSHTimeoutError } from "@spindle/spindle/protocols/ssh";
 * const error = new SSHTimeoutError("no key exchange within 20 s: the peer is too slow or not SSH");
 * console.assert(error.name === "SSHTimeoutError");
 * ```
 */
export class SSHTimeoutError extends SSHError {}

/**
 * An SFTP request failed: the server's status code and message.
 *
 * @example Usage
 * ```ts
 * import { SFTPStatusError } from "@spindle/spindle/protocols/ssh";
 * const error = new SFTPStatusError(2, "no such file");
 * console.assert(error.code === 2);
 * ```
 */
export class SFTPStatusError extends SSHError {
  /** The status code (SSH_FX_*, draft-ietf-secsh-filexfer-02 §7). */
  readonly code: number;
  /** Creates the error for `code` with the server's `description`. */
  constructor(code: number, description: string) {
    super(`SFTP request failed (status ${code}): ${description}`);
    this.code = code;
  }
}
