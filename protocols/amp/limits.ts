/**
 * The limits of AMP, each default in one place with where it comes from.
 *
 * @module
 */

/**
 * The longest key AMP allows, in bytes: Twisted's
 * `BinaryBoxProtocol._MAX_KEY_LENGTH` (a key's length prefix is two bytes, of
 * which the first must be zero).
 *
 * @example Usage
 * ```ts
 * import { MAX_KEY_LENGTH } from "@spindle/spindle/protocols/amp";
 * console.assert(MAX_KEY_LENGTH === 255);
 * ```
 */
export const MAX_KEY_LENGTH = 255;

/**
 * The longest value AMP allows, in bytes: Twisted's `_MAX_VALUE_LENGTH`, the
 * most a two-byte length prefix can say.
 *
 * @example Usage
 * ```ts
 * import { MAX_VALUE_LENGTH } from "@spindle/spindle/protocols/amp";
 * console.assert(MAX_VALUE_LENGTH === 65535);
 * ```
 */
export const MAX_VALUE_LENGTH = 65535;

/**
 * The default largest box a Spindle peer accepts, in bytes (counting every
 * length prefix, key and value byte): 4 MiB. Twisted sets no limit on a box;
 * this one bounds what one peer can make the other buffer.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_BOX_BYTES } from "@spindle/spindle/protocols/amp";
 * console.assert(DEFAULT_MAX_BOX_BYTES === 4 * 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_BOX_BYTES = 4 * 1024 * 1024;

/**
 * The default most keys a Spindle peer accepts in one box: 4096. Twisted sets
 * no limit; this one bounds the work one box can cost.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_KEYS } from "@spindle/spindle/protocols/amp";
 * console.assert(DEFAULT_MAX_KEYS === 4096);
 * ```
 */
export const DEFAULT_MAX_KEYS = 4096;

/**
 * The default `maxInFlight` of an `AMP` peer: how many of the peer's commands
 * may be answered at once (100). Twisted sets no limit; at this one a Spindle
 * peer stops reading until an answer goes out.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_IN_FLIGHT } from "@spindle/spindle/protocols/amp";
 * console.assert(DEFAULT_MAX_IN_FLIGHT === 100);
 * ```
 */
export const DEFAULT_MAX_IN_FLIGHT = 100;

/**
 * The limits of the box decoder, each optional (the defaults above).
 *
 * @example Usage
 * ```ts
 * import { BoxDecoderCore, type BoxLimits } from "@spindle/spindle/protocols/amp";
 * const limits: BoxLimits = { maxBoxBytes: 64 * 1024, maxKeys: 64 };
 * console.assert(new BoxDecoderCore(limits) instanceof BoxDecoderCore);
 * ```
 */
export interface BoxLimits {
  /**
   * The largest box accepted, counting every length prefix, key and value
   * byte. Default {@linkcode DEFAULT_MAX_BOX_BYTES} (4 MiB).
   */
  maxBoxBytes?: number;
  /** The most keys accepted in one box. Default {@linkcode DEFAULT_MAX_KEYS} (4096). */
  maxKeys?: number;
}

/**
 * The limits of an `AMP` peer: the box limits and `maxInFlight`.
 *
 * @example Usage
 * ```ts
 * import { AMP, type AMPLimits } from "@spindle/spindle/protocols/amp";
 * const limits: AMPLimits = { maxInFlight: 10, maxBoxBytes: 1 << 20 };
 * console.assert(new AMP(limits) instanceof AMP);
 * ```
 */
export interface AMPLimits extends BoxLimits {
  /**
   * How many of the peer's commands may be answered at once (responders that
   * returned a Promise or Deferred not yet settled), default
   * {@linkcode DEFAULT_MAX_IN_FLIGHT} (100). At the limit this peer stops
   * reading, so TCP holds the peer back, and reads again once an answer goes
   * out: a peer cannot pile up unbounded work. Answers to this side's own
   * calls wait behind the unread bytes too.
   */
  maxInFlight?: number;
}
