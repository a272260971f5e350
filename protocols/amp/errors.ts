/**
 * Errors raised by the AMP box codec, argument types and peer.
 *
 * Malformed or over-limit input from the peer raises a `ProtocolError`
 * subclass (the connection is closed); an error the peer reported in an
 * `_error` box is a {@linkcode RemoteAmpError} (or the error class its command
 * declared for the code).
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";
import { UNHANDLED_ERROR_CODE, UNKNOWN_ERROR_CODE } from "./constants.ts";
import { MAX_KEY_LENGTH, MAX_VALUE_LENGTH } from "./limits.ts";

/**
 * A key longer than AMP's 255-byte limit was received or was about to be sent.
 *
 * @example Usage
 * ```ts
 * import { encodeBox, KeyTooLongError } from "@spindle/spindle/protocols/amp";
 * try {
 *   encodeBox(new Map([["k".repeat(256), new Uint8Array()]]));
 * } catch (error) {
 *   console.assert(error instanceof KeyTooLongError);
 * }
 * ```
 */
export class KeyTooLongError extends ProtocolError {
  /** The length of the key in bytes. */
  readonly length: number;
  /** Creates the error for a key of `length` bytes. */
  constructor(length: number, options?: ErrorOptions) {
    super(
      `AMP key of ${length} bytes is longer than the ${MAX_KEY_LENGTH} bytes the protocol allows: use a shorter argument name`,
      options,
    );
    this.length = length;
  }
}

/**
 * A value longer than AMP's 65535-byte limit was about to be sent.
 *
 * @example Usage
 * ```ts
 * import { encodeBox, ValueTooLongError } from "@spindle/spindle/protocols/amp";
 * try {
 *   encodeBox(new Map([["data", new Uint8Array(65536)]]));
 * } catch (error) {
 *   console.assert(error instanceof ValueTooLongError);
 * }
 * ```
 */
export class ValueTooLongError extends ProtocolError {
  /** The key the value was for. */
  readonly key: string;
  /** The length of the value in bytes. */
  readonly length: number;
  /** Creates the error for the value of `key`, `length` bytes long. */
  constructor(key: string, length: number, options?: ErrorOptions) {
    super(
      `AMP value for key ${
        JSON.stringify(key)
      } is ${length} bytes, more than the ${MAX_VALUE_LENGTH} the protocol allows: split the data over several commands`,
      options,
    );
    this.key = key;
    this.length = length;
  }
}

/**
 * An empty key was about to be sent: on the wire it would end the box.
 *
 * @example Usage
 * ```ts
 * import { EmptyKeyError, encodeBox } from "@spindle/spindle/protocols/amp";
 * try {
 *   encodeBox(new Map([["", new Uint8Array()]]));
 * } catch (error) {
 *   console.assert(error instanceof EmptyKeyError);
 * }
 * ```
 */
export class EmptyKeyError extends ProtocolError {
  /** Creates the error. */
  constructor(options?: ErrorOptions) {
    super(
      "AMP keys cannot be empty (an empty key ends a box): give the argument a name",
      options,
    );
  }
}

/**
 * A key received was not valid UTF-8.
 *
 * @example Usage
 * ```ts
 * import { InvalidKeyError } from "@spindle/spindle/protocols/amp";
 * console.assert(new InvalidKeyError() instanceof Error);
 * ```
 */
export class InvalidKeyError extends ProtocolError {
  /** Creates the error. */
  constructor(options?: ErrorOptions) {
    super(
      "AMP key received is not valid UTF-8: the peer is not speaking AMP",
      options,
    );
  }
}

/**
 * A box received grew past the decoder's `maxBoxBytes` limit.
 *
 * @example Usage
 * ```ts
 * import { BoxTooLargeError } from "@spindle/spindle/protocols/amp";
 * console.assert(new BoxTooLargeError(1024).limit === 1024);
 * ```
 */
export class BoxTooLargeError extends ProtocolError {
  /** The limit that was broken, in bytes. */
  readonly limit: number;
  /** Creates the error for a box over `limit` bytes. */
  constructor(limit: number, options?: ErrorOptions) {
    super(
      `AMP box received is larger than ${limit} bytes: raise maxBoxBytes if the peer is trusted`,
      options,
    );
    this.limit = limit;
  }
}

/**
 * A box received has more keys than the decoder's `maxKeys` limit.
 *
 * @example Usage
 * ```ts
 * import { TooManyKeysError } from "@spindle/spindle/protocols/amp";
 * console.assert(new TooManyKeysError(10).limit === 10);
 * ```
 */
export class TooManyKeysError extends ProtocolError {
  /** The limit that was broken. */
  readonly limit: number;
  /** Creates the error for a box over `limit` keys. */
  constructor(limit: number, options?: ErrorOptions) {
    super(
      `AMP box received has more than ${limit} keys: raise maxKeys if the peer is trusted`,
      options,
    );
    this.limit = limit;
  }
}

/**
 * The input ended in the middle of a box.
 *
 * @example Usage
 * ```ts
 * import { BoxDecoderCore, TruncatedBoxError } from "@spindle/spindle/protocols/amp";
 * const core = new BoxDecoderCore();
 * core.decode(new Uint8Array([0, 1, 0x61]), []);
 * try {
 *   core.end([]);
 * } catch (error) {
 *   console.assert(error instanceof TruncatedBoxError);
 * }
 * ```
 */
export class TruncatedBoxError extends ProtocolError {
  /** Creates the error. */
  constructor(options?: ErrorOptions) {
    super(
      "AMP input ended in the middle of a box: the peer closed the connection too early",
      options,
    );
  }
}

/**
 * A received argument value could not be decoded as its declared type.
 *
 * @example Usage
 * ```ts
 * import { Integer, InvalidArgumentError } from "@spindle/spindle/protocols/amp";
 * try {
 *   Integer.fromBytes(new TextEncoder().encode("twelve"));
 * } catch (error) {
 *   console.assert(error instanceof InvalidArgumentError);
 * }
 * ```
 */
export class InvalidArgumentError extends ProtocolError {}

/**
 * A required argument was missing from a box received, or from the values
 * given to send.
 *
 * @example Usage
 * ```ts
 * import { MissingArgumentError } from "@spindle/spindle/protocols/amp";
 * console.assert(new MissingArgumentError("total").argument === "total");
 * ```
 */
export class MissingArgumentError extends ProtocolError {
  /** The name of the missing argument. */
  readonly argument: string;
  /** Creates the error for the argument named `argument`. */
  constructor(argument: string, options?: ErrorOptions) {
    super(
      `AMP argument ${
        JSON.stringify(argument)
      } is required but missing: send it, or declare it optional`,
      options,
    );
    this.argument = argument;
  }
}

/**
 * A box received had none of `_ask`/`_command`, `_answer` or `_error`, so it
 * cannot be routed (Twisted's `NoEmptyBoxes`).
 *
 * @example Usage
 * ```ts
 * import { UnroutableBoxError } from "@spindle/spindle/protocols/amp";
 * console.assert(new UnroutableBoxError() instanceof Error);
 * ```
 */
export class UnroutableBoxError extends ProtocolError {
  /** Creates the error. */
  constructor(options?: ErrorOptions) {
    super(
      "AMP box received has no _command, _answer or _error key: the peer is not speaking AMP",
      options,
    );
  }
}

/**
 * An `_answer` or `_error` box received names a request that was never asked
 * or was already answered.
 *
 * @example Usage
 * ```ts
 * import { UnknownAnswerError } from "@spindle/spindle/protocols/amp";
 * console.assert(new UnknownAnswerError("7").tag === "7");
 * ```
 */
export class UnknownAnswerError extends ProtocolError {
  /** The request tag the answer named. */
  readonly tag: string;
  /** Creates the error for an answer to request `tag`. */
  constructor(tag: string, options?: ErrorOptions) {
    super(
      `AMP answer received for request ${
        JSON.stringify(tag)
      }, which is not outstanding: the peer answered twice or invented a tag`,
      options,
    );
    this.tag = tag;
  }
}

/**
 * An error the peer reported for a command, with the AMP error code it sent
 * and the description. Responders may throw it to send any code.
 *
 * @example Usage
 * ```ts
 * import { RemoteAmpError } from "@spindle/spindle/protocols/amp";
 * const error = new RemoteAmpError("QUOTA", "over quota");
 * console.assert(error.code === "QUOTA" && error.description === "over quota");
 * ```
 */
export class RemoteAmpError extends Error {
  /** The AMP error code (`_error_code`). */
  readonly code: string;
  /** The peer's description (`_error_description`). */
  readonly description: string;
  /** When true (a responder's choice), the connection is closed after the error is sent. */
  readonly fatal: boolean;
  /** Creates the error with its code and description. */
  constructor(
    code: string,
    description: string,
    options?: ErrorOptions & { fatal?: boolean },
  ) {
    super(`AMP peer reported error ${code}: ${description}`, options);
    this.name = new.target.name;
    this.code = code;
    this.description = description;
    this.fatal = options?.fatal ?? false;
  }
}

/**
 * The peer failed with an error its command did not declare (code `UNKNOWN`).
 *
 * @example Usage
 * ```ts
 * import { UnknownRemoteError } from "@spindle/spindle/protocols/amp";
 * console.assert(new UnknownRemoteError("Unknown Error").code === "UNKNOWN");
 * ```
 */
export class UnknownRemoteError extends RemoteAmpError {
  /** Creates the error with the peer's description. */
  constructor(description: string, options?: ErrorOptions) {
    super(UNKNOWN_ERROR_CODE, description, options);
  }
}

/**
 * The peer has no responder for the command (code `UNHANDLED`).
 *
 * @example Usage
 * ```ts
 * import { UnhandledCommandError } from "@spindle/spindle/protocols/amp";
 * console.assert(new UnhandledCommandError("no such command").code === "UNHANDLED");
 * ```
 */
export class UnhandledCommandError extends RemoteAmpError {
  /** Creates the error with the peer's description. */
  constructor(description: string, options?: ErrorOptions) {
    super(UNHANDLED_ERROR_CODE, description, options);
  }
}

/**
 * The peer sent more boxes in the clear right after its StartTLS command,
 * where only the TLS handshake may follow (a Twisted or Spindle peer holds
 * its boxes until TLS is up): they could have been injected on the path, so
 * the connection is closed.
 *
 * @example Usage
 * ```ts
 * import { PlaintextAfterStartTLSError } from "@spindle/spindle/protocols/amp";
 * console.assert(new PlaintextAfterStartTLSError(2).boxes === 2);
 * ```
 */
export class PlaintextAfterStartTLSError extends ProtocolError {
  /** How many boxes followed the StartTLS command. */
  readonly boxes: number;
  /** Creates the error for `boxes` boxes after StartTLS. */
  constructor(boxes: number, options?: ErrorOptions) {
    super(
      `AMP peer sent ${boxes} more box(es) in the clear after StartTLS, where only the TLS handshake may follow: closing the connection (an injection on the path, or a peer that does not hold its boxes until TLS is up)`,
      options,
    );
    this.boxes = boxes;
  }
}

/**
 * StartTLS was called on a connection that has already started TLS, or is
 * starting it (Twisted's `OnlyOneTLS`).
 *
 * @example Usage
 * ```ts
 * import { OnlyOneTLSError } from "@spindle/spindle/protocols/amp";
 * console.assert(new OnlyOneTLSError().name === "OnlyOneTLSError");
 * ```
 */
export class OnlyOneTLSError extends Error {
  /** Creates the error. */
  constructor(options?: ErrorOptions) {
    super(
      "StartTLS was already called on this AMP connection: TLS starts once per connection",
      options,
    );
    this.name = new.target.name;
  }
}
