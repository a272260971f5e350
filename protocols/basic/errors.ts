/**
 * The errors raised by the basic framings. Each extends `ProtocolError`, so a
 * server can tell "the peer sent something bad" from its own bugs.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * A line grew past the line core's `maxLength` before its delimiter arrived.
 *
 * @example Usage
 * ```ts
 * import { LineDecoderCore, LineTooLongError } from "@spindle/spindle/protocols/basic";
 * const core = new LineDecoderCore({ maxLength: 4 });
 * try {
 *   core.decode(new TextEncoder().encode("too long\r\n"), []);
 * } catch (error) {
 *   console.assert(error instanceof LineTooLongError);
 * }
 * ```
 */
export class LineTooLongError extends ProtocolError {
  /** The limit that was broken, in bytes. */
  readonly maxLength: number;
  /** Creates the error for a line over `maxLength` bytes. */
  constructor(maxLength: number) {
    super(
      `a line exceeded the limit of ${maxLength} bytes: the peer must send shorter lines, or raise maxLength`,
    );
    this.maxLength = maxLength;
  }
}

/**
 * A line that should be text was not valid UTF-8.
 *
 * @example Usage
 * ```ts
 * import { InvalidUtf8Error, LineDecoderCore } from "@spindle/spindle/protocols/basic";
 * try {
 *   new LineDecoderCore().decode(new Uint8Array([0xff, 13, 10]), []);
 * } catch (error) {
 *   console.assert(error instanceof InvalidUtf8Error);
 * }
 * ```
 */
export class InvalidUtf8Error extends ProtocolError {
  /** Creates the error; `cause` is the `TextDecoder`'s original error. */
  constructor(options?: ErrorOptions) {
    super(
      "a line was not valid UTF-8: the peer must send UTF-8 text, or decode lines as bytes with { binary: true }",
      options,
    );
  }
}

/**
 * A line given to an encoder contains the delimiter, so the peer would read it
 * as more than one line.
 *
 * @example Usage
 * ```ts
 * import { DelimiterInLineError, LineEncoderCore } from "@spindle/spindle/protocols/basic";
 * try {
 *   new LineEncoderCore().encode("two\r\nlines");
 * } catch (error) {
 *   console.assert(error instanceof DelimiterInLineError);
 * }
 * ```
 */
export class DelimiterInLineError extends ProtocolError {
  /** Creates the error. */
  constructor() {
    super(
      "a line to send contains the line delimiter: split it into several lines, or escape it",
    );
  }
}

/**
 * A frame (a netstring or a length-prefixed string) is longer than the
 * `maxLength` of its core, or than its length prefix can express.
 *
 * @example Usage
 * ```ts
 * import { FrameTooLongError, LengthPrefixedDecoderCore } from "@spindle/spindle/protocols/basic";
 * const core = new LengthPrefixedDecoderCore({ prefixLength: 2, maxLength: 10 });
 * try {
 *   core.decode(new Uint8Array([0, 200]), []);
 * } catch (error) {
 *   console.assert(error instanceof FrameTooLongError);
 * }
 * ```
 */
export class FrameTooLongError extends ProtocolError {
  /** The announced or attempted length, in bytes. */
  readonly length: number;
  /** The limit that was broken, in bytes. */
  readonly maxLength: number;
  /** Creates the error for a frame of `length` bytes over `maxLength`. */
  constructor(length: number, maxLength: number) {
    super(
      `a frame of ${length} bytes exceeds the limit of ${maxLength} bytes: send smaller frames, or raise maxLength`,
    );
    this.length = length;
    this.maxLength = maxLength;
  }
}

/**
 * The input is not a well-formed netstring (`<digits>:<bytes>,`).
 *
 * @example Usage
 * ```ts
 * import { MalformedNetstringError, NetstringDecoderCore } from "@spindle/spindle/protocols/basic";
 * try {
 *   new NetstringDecoderCore().decode(new TextEncoder().encode("x:"), []);
 * } catch (error) {
 *   console.assert(error instanceof MalformedNetstringError);
 * }
 * ```
 */
export class MalformedNetstringError extends ProtocolError {}

/**
 * The input ended in the middle of a frame.
 *
 * @example Usage
 * ```ts
 * import { NetstringDecoderCore, TruncatedFrameError } from "@spindle/spindle/protocols/basic";
 * const core = new NetstringDecoderCore();
 * core.decode(new TextEncoder().encode("5:ab"), []);
 * try {
 *   core.end([]);
 * } catch (error) {
 *   console.assert(error instanceof TruncatedFrameError);
 * }
 * ```
 */
export class TruncatedFrameError extends ProtocolError {
  /** Creates the error, saying how many bytes were left over. */
  constructor(buffered: number) {
    super(
      `the input ended in the middle of a frame (${buffered} bytes left undecoded): the peer closed early`,
    );
  }
}
