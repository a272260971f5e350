/**
 * SMTP's errors: replies (a server's, or the one a delivery refuses with),
 * a peer's bad bytes, and the client's own refusals.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * An SMTP reply that refuses something: a `4xx` ({@linkcode SMTPTransientError},
 * try again later) or a `5xx` ({@linkcode SMTPPermanentError}, do not). The
 * client rejects with one when the server refuses; a delivery throws one from
 * `validateFrom`, `validateTo` or `receiveMessage` to choose the server's
 * reply.
 *
 * @example Usage
 * ```ts
 * import { SMTPPermanentError, SMTPReplyError } from "@spindle/spindle/protocols/smtp";
 * const error = SMTPReplyError.of(550, "5.1.1", "no such user");
 * console.assert(error instanceof SMTPPermanentError && !error.retryable);
 * ```
 */
export class SMTPReplyError extends Error {
  /** The three-digit reply code. */
  readonly code: number;
  /** The enhanced status code (RFC 3463, `"5.1.1"`), or `""` when the reply had none. */
  readonly enhancedCode: string;
  /** The reply's text, lines joined with `\n`. */
  readonly text: string;

  /** The reply `code enhancedCode text`. */
  constructor(
    code: number,
    enhancedCode: string,
    text: string,
    options?: ErrorOptions,
  ) {
    super(
      `the SMTP server replied ${code}${
        enhancedCode === "" ? "" : ` ${enhancedCode}`
      } ${text}`,
      options,
    );
    this.name = new.target.name;
    this.code = code;
    this.enhancedCode = enhancedCode;
    this.text = text;
  }

  /** Whether sending again later may succeed: true for a 4xx. */
  get retryable(): boolean {
    return this.code < 500;
  }

  /**
   * The error for reply `code`: an {@linkcode SMTPTransientError} for 4xx,
   * an {@linkcode SMTPPermanentError} otherwise.
   *
   * @example Usage
   * ```ts
   * import { SMTPReplyError, SMTPTransientError } from "@spindle/spindle/protocols/smtp";
   * console.assert(SMTPReplyError.of(451, "4.3.0", "try later") instanceof SMTPTransientError);
   * ```
   */
  static of(code: number, enhancedCode: string, text: string): SMTPReplyError {
    return code >= 400 && code < 500
      ? new SMTPTransientError(code, enhancedCode, text)
      : new SMTPPermanentError(code, enhancedCode, text);
  }
}

/**
 * A `4xx` reply: the server cannot take it now (busy, out of space, greylisting);
 * send again later.
 *
 * @example Usage
 * ```ts
 * import { SMTPTransientError } from "@spindle/spindle/protocols/smtp";
 * console.assert(new SMTPTransientError(451, "4.3.0", "try later").retryable);
 * ```
 */
export class SMTPTransientError extends SMTPReplyError {}

/**
 * A `5xx` reply: the server will never take it (no such user, relaying
 * denied, too large); do not send it again as it is.
 *
 * @example Usage
 * ```ts
 * import { SMTPPermanentError } from "@spindle/spindle/protocols/smtp";
 * console.assert(!new SMTPPermanentError(550, "5.1.1", "no such user").retryable);
 * ```
 */
export class SMTPPermanentError extends SMTPReplyError {}

/**
 * The SMTP server sent something that is not an SMTP reply (no three-digit
 * code, too many lines): it is not an SMTP server, or a broken one. The
 * connection is closed.
 *
 * @example Usage
 * ```ts
 * import { SMTPProtocolError } from "@spindle/spindle/protocols/smtp";
 * console.assert(new SMTPProtocolError("bad reply").name === "SMTPProtocolError");
 * ```
 */
export class SMTPProtocolError extends ProtocolError {}

/**
 * The client's message grew over the server's `maxMessageSize`: the message
 * stream a delivery reads fails with it, so nothing is delivered (the client
 * gets `552 5.3.4`).
 *
 * @example Usage
 * ```ts
 * import { MessageTooLargeError } from "@spindle/spindle/protocols/smtp";
 * console.assert(new MessageTooLargeError(10).message.includes("10"));
 * ```
 */
export class MessageTooLargeError extends ProtocolError {
  /** The error for a message over `limit` bytes. */
  constructor(limit: number) {
    super(
      `the message is over the server's limit of ${limit} bytes: nothing was delivered; send a smaller one or raise maxMessageSize`,
    );
  }
}

/**
 * The client closed the connection in the middle of its message: the message
 * stream a delivery reads fails with it, so nothing is delivered.
 *
 * @example Usage
 * ```ts
 * import { MessageAbortedError } from "@spindle/spindle/protocols/smtp";
 * console.assert(new MessageAbortedError().name === "MessageAbortedError");
 * ```
 */
export class MessageAbortedError extends ProtocolError {
  /** The error for a message cut short. */
  constructor() {
    super(
      "the client closed the connection before the end of its message: nothing was delivered; the client must send it again",
    );
  }
}

/**
 * `sendMail` was asked for TLS (`requireTLS`, or an `auth` on a cleartext
 * connection) and the server does not offer STARTTLS: nothing was sent, so no
 * password or message crossed the network in clear.
 *
 * @example Usage
 * ```ts
 * import { TLSRequiredError } from "@spindle/spindle/protocols/smtp";
 * console.assert(new TLSRequiredError("mx.example.org").message.includes("mx.example.org"));
 * ```
 */
export class TLSRequiredError extends Error {
  /** The error for the server `host`. */
  constructor(host: string) {
    super(
      `${host} does not offer STARTTLS, and TLS is required: nothing was sent; use tls: "implicit" on its TLS port, or drop requireTLS if cleartext is acceptable`,
    );
    this.name = "TLSRequiredError";
  }
}

/**
 * `sendMail` was given `auth`, and the server offers no mechanism the client
 * speaks (`PLAIN`, `LOGIN`) or no AUTH at all.
 *
 * @example Usage
 * ```ts
 * import { AuthUnavailableError } from "@spindle/spindle/protocols/smtp";
 * console.assert(new AuthUnavailableError("mx", []).message.includes("mx"));
 * ```
 */
export class AuthUnavailableError extends Error {
  /** The error for `host`, which offered `mechanisms`. */
  constructor(host: string, mechanisms: readonly string[]) {
    super(
      `${host} offers no AUTH mechanism this client speaks (it offers ${
        mechanisms.length === 0 ? "none" : mechanisms.join(", ")
      }; the client speaks PLAIN and LOGIN): nothing was sent`,
    );
    this.name = "AuthUnavailableError";
  }
}
