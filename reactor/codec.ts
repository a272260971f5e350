/**
 * The plain incremental codec cores that every Spindle framing is built on,
 * and the symbol through which a Spindle connection fuses them into its read
 * loop (DESIGN.md, "Speed principle").
 *
 * A `TransformStream` decoder class (such as `LineDecoder`) owns one
 * {@linkcode DecoderCore} and exposes it under {@linkcode decoderCore}; when it
 * is given to `pipeThrough` on a Spindle readable, the readable feeds the core
 * directly instead of going through the transform's streams.
 *
 * @module
 */

/**
 * Bytes in, messages out, incrementally: the same input split at any byte
 * boundaries gives the same messages.
 *
 * @typeParam M The decoded message type.
 */
export interface DecoderCore<M> {
  /**
   * Decodes as much of `chunk` (plus what was buffered before) as forms whole
   * messages, appending them to `out`, and buffers the rest.
   * Throws a `ProtocolError` subclass on malformed input or a broken limit.
   *
   * With `max`, stops after that many messages and keeps the rest undecoded,
   * so that `release()` hands back every byte past the last message taken: this
   * is what makes switching framing byte-exact. A core that cannot stop early
   * may ignore `max`; `frame()` copes by buffering the extra messages.
   */
  decode(chunk: Uint8Array, out: M[], max?: number): void;
  /**
   * Signals the end of input, appending any last messages to `out`. Throws a
   * `ProtocolError` when the input ended in the middle of a message.
   */
  end(out: M[]): void;
  /**
   * Returns the bytes buffered but not yet decoded, and forgets them: the hand-over
   * when a protocol switches framing (raw body, STARTTLS, Upgrade).
   */
  release(): Uint8Array;
}

/**
 * Messages in, bytes out.
 *
 * @typeParam M The message type.
 */
export interface EncoderCore<M> {
  /** Encodes one message. Throws a `ProtocolError` subclass when it breaks a limit. */
  encode(message: M): Uint8Array;
}

/**
 * A framing: makes fresh decoder and encoder cores (one of each per connection).
 *
 * @typeParam In The decoded message type.
 * @typeParam Out The message type the encoder takes.
 */
export interface Codec<In, Out = In> {
  /** A new decoder core. */
  createDecoder(): DecoderCore<In>;
  /** A new encoder core. */
  createEncoder(): EncoderCore<Out>;
}

/**
 * The property under which a Spindle decoder `TransformStream` exposes its core,
 * so a Spindle readable can fuse it into its read loop.
 */
export const decoderCore: unique symbol = Symbol.for("spindle.decoderCore");

/**
 * The property under which a Spindle encoder `TransformStream` exposes its core.
 */
export const encoderCore: unique symbol = Symbol.for("spindle.encoderCore");

/** A `TransformStream` that carries a {@linkcode DecoderCore}. */
export interface FusableDecoder<M> {
  /** The core this transform runs. */
  readonly [decoderCore]: DecoderCore<M>;
}

/** A `TransformStream` that carries an {@linkcode EncoderCore}. */
export interface FusableEncoder<M> {
  /** The core this transform runs. */
  readonly [encoderCore]: EncoderCore<M>;
}
