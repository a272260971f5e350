/**
 * Twisted's length-prefixed string receivers (`Int8StringReceiver`,
 * `Int16StringReceiver`, `Int32StringReceiver`), on the same core as
 * {@linkcode LengthPrefixedDecoder}.
 *
 * @module
 */
import { Protocol } from "../../reactor/protocol.ts";
import { Deliverer } from "./_deliver.ts";
import { FrameTooLongError } from "./errors.ts";
import { DEFAULT_MAX_STRING_LENGTH } from "./limits.ts";
import {
  LengthPrefixedDecoderCore,
  LengthPrefixedEncoderCore,
  type PrefixLength,
} from "./length_prefixed.ts";

/**
 * The base of the length-prefixed receivers: strings framed by a big-endian
 * length of `prefixLength` bytes. `MAX_LENGTH` (default
 * {@linkcode DEFAULT_MAX_STRING_LENGTH}, as in Twisted) limits what is
 * received; a longer announced length calls `lengthLimitExceeded`, which by
 * default ends the connection with a `FrameTooLongError` as the reason
 * `connectionLost` gets.
 *
 * @example Usage
 * ```ts
 * import { IntNStringReceiver } from "@spindle/spindle/protocols/basic";
 * class Int24Ish extends IntNStringReceiver {
 *   override prefixLength = 2 as const;
 *   got: Uint8Array[] = [];
 *   override stringReceived(data: Uint8Array): void {
 *     this.got.push(data);
 *   }
 * }
 * const receiver = new Int24Ish();
 * receiver.dataReceived(new Uint8Array([0, 1, 42]));
 * console.assert(receiver.got[0]?.[0] === 42);
 * ```
 */
export class IntNStringReceiver extends Protocol {
  /** Bytes in the length prefix. Set before the first data. */
  prefixLength: PrefixLength = 4;
  /** The longest string accepted, in bytes. Set before the first data. */
  MAX_LENGTH: number = DEFAULT_MAX_STRING_LENGTH;
  #core: LengthPrefixedDecoderCore | null = null;
  #encoderCore: LengthPrefixedEncoderCore | null = null;
  #deliverer = new Deliverer<Uint8Array>(
    this,
    (data) => this.stringReceived(data),
  );

  /** Called with each string received (bytes that may share the chunk's memory). */
  stringReceived(_data: Uint8Array): void {}

  /**
   * Called when a peer announces a string over `MAX_LENGTH`. By default throws
   * {@linkcode FrameTooLongError}, which `dataReceived` passes on: the
   * transport closes the connection at once, with the error as the reason.
   * Override it to keep the connection.
   */
  lengthLimitExceeded(length: number): void {
    throw new FrameTooLongError(length, this.MAX_LENGTH);
  }

  /**
   * Sends `data` with its length prefix. Throws {@linkcode FrameTooLongError}
   * when the prefix cannot express its length.
   */
  sendString(data: string | Uint8Array): void {
    this.#encoderCore ??= new LengthPrefixedEncoderCore({
      prefixLength: this.prefixLength,
      maxLength: 2 ** (8 * this.prefixLength) - 1,
    });
    this.transport.write(this.#encoderCore.encode(data));
  }

  /** Decodes the strings in `data` and calls `stringReceived` for each. */
  override dataReceived(data: Uint8Array): void {
    const core = this.#core ??= new LengthPrefixedDecoderCore({
      prefixLength: this.prefixLength,
      maxLength: this.MAX_LENGTH,
    });
    const failure = this.#deliverer.deliver(core, data);
    if (failure === undefined) return;
    this.#core = null;
    if (failure instanceof FrameTooLongError) {
      this.lengthLimitExceeded(failure.length);
    } else throw failure;
  }
}

/**
 * Strings with a 1-byte length prefix (at most 255 bytes).
 *
 * @example Usage
 * ```ts
 * import { Int8StringReceiver } from "@spindle/spindle/protocols/basic";
 * console.assert(new Int8StringReceiver().prefixLength === 1);
 * ```
 */
export class Int8StringReceiver extends IntNStringReceiver {
  /** One byte of length. */
  override prefixLength: PrefixLength = 1;
}

/**
 * Strings with a 2-byte big-endian length prefix.
 *
 * @example Usage
 * ```ts
 * import { Int16StringReceiver } from "@spindle/spindle/protocols/basic";
 * console.assert(new Int16StringReceiver().prefixLength === 2);
 * ```
 */
export class Int16StringReceiver extends IntNStringReceiver {
  /** Two bytes of length. */
  override prefixLength: PrefixLength = 2;
}

/**
 * Strings with a 4-byte big-endian length prefix.
 *
 * @example Usage
 * ```ts
 * import { Int32StringReceiver } from "@spindle/spindle/protocols/basic";
 * console.assert(new Int32StringReceiver().prefixLength === 4);
 * ```
 */
export class Int32StringReceiver extends IntNStringReceiver {
  /** Four bytes of length. */
  override prefixLength: PrefixLength = 4;
}
