/**
 * The plain incremental codec cores that every Spindle framing is built on,
 * and the symbols through which a Spindle connection fuses them into its read
 * loop (ARCHITECTURE.md, "The speed principle").
 *
 * "Decoder" always means the stream: a `DecoderStream` (such as `LineDecoder`)
 * runs one {@linkcode DecoderCore}, the pure part, and exposes it under
 * {@linkcode decoderCore}; when it is given to `pipeThrough` on a Spindle
 * readable, the readable feeds the core directly instead of going through the
 * transform's streams. Encoders mirror this with `EncoderStream`,
 * {@linkcode EncoderCore} and {@linkcode encoderCore}.
 *
 * @module
 */
/**
 * Bytes in, messages out, incrementally: the same input split at any byte
 * boundaries gives the same messages.
 *
 * @typeParam M The decoded message type.
 *
 * @example Decoding lines split anywhere
 * ```ts
 * import type { DecoderCore } from "@spindle/spindle/reactor";
 * import { LineDecoderCore } from "@spindle/spindle/protocols/basic";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const core: DecoderCore<string> = new LineDecoderCore();
 * const lines: string[] = [];
 * core.decode(new TextEncoder().encode("a\r\nb"), lines);
 * core.decode(new TextEncoder().encode("\r\n"), lines);
 * assertEquals(lines, ["a", "b"]);
 * ```
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
   * may ignore `max`; the `MessageReader` copes by buffering the extra
   * messages.
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
 * @typeParam O The bytes it makes: a core that always returns fresh arrays
 * says `Uint8Array<ArrayBuffer>`, so its stream feeds Web APIs that take a
 * `BufferSource` (`CompressionStream`, `crypto.subtle`).
 *
 * @example Encoding a line
 * ```ts
 * import type { EncoderCore } from "@spindle/spindle/reactor";
 * import { LineEncoderCore } from "@spindle/spindle/protocols/basic";
 * const core: EncoderCore<string> = new LineEncoderCore();
 * console.assert(core.encode("hi").length === 4);
 * ```
 */
export interface EncoderCore<M, O extends Uint8Array = Uint8Array> {
  /** Encodes one message. Throws a `ProtocolError` subclass when it breaks a limit. */
  encode(message: M): O;
}

/**
 * A framing: makes fresh decoder and encoder cores (one of each per connection).
 *
 * @typeParam In The decoded message type.
 * @typeParam Out The message type the encoder takes.
 *
 * @example A codec's cores talk to each other
 * ```ts
 * import type { Codec } from "@spindle/spindle/reactor";
 * import { NetstringCodec } from "@spindle/spindle/protocols/basic";
 * const codec: Codec<Uint8Array, string | Uint8Array> = new NetstringCodec();
 * const out: Uint8Array[] = [];
 * codec.createDecoder().decode(codec.createEncoder().encode("hi"), out);
 * console.assert(out.length === 1);
 * ```
 */
export interface Codec<In, Out = In> {
  /** A new decoder core. */
  createDecoder(): DecoderCore<In>;
  /** A new encoder core. */
  createEncoder(): EncoderCore<Out>;
}

/**
 * The property under which a Spindle decoder stream exposes its core, so a
 * Spindle readable can fuse it into its read loop.
 *
 * @example Usage
 * ```ts
 * import { decoderCore } from "@spindle/spindle/reactor";
 * import { LineDecoder, LineDecoderCore } from "@spindle/spindle/protocols/basic";
 * console.assert(new LineDecoder()[decoderCore] instanceof LineDecoderCore);
 * ```
 */
export const decoderCore: unique symbol = Symbol.for("spindle.decoderCore");

/**
 * The property under which a Spindle encoder stream exposes its core.
 *
 * @example Usage
 * ```ts
 * import { encoderCore } from "@spindle/spindle/reactor";
 * import { LineEncoder, LineEncoderCore } from "@spindle/spindle/protocols/basic";
 * console.assert(new LineEncoder()[encoderCore] instanceof LineEncoderCore);
 * ```
 */
export const encoderCore: unique symbol = Symbol.for("spindle.encoderCore");

/**
 * A `TransformStream` that carries a {@linkcode DecoderCore}: what a Spindle
 * readable's `pipeThrough` looks for. Every `DecoderStream` is one.
 *
 * @typeParam M The decoded message type.
 *
 * @example Usage
 * ```ts
 * import type { FusableDecoder } from "@spindle/spindle/reactor";
 * import { LineDecoder } from "@spindle/spindle/protocols/basic";
 * const fusable: FusableDecoder<string> = new LineDecoder();
 * console.assert(fusable !== undefined);
 * ```
 */
export interface FusableDecoder<M> {
  /** The core this transform runs. */
  readonly [decoderCore]: DecoderCore<M>;
}

/**
 * A `TransformStream` that carries an {@linkcode EncoderCore}. Every
 * `EncoderStream` is one.
 *
 * @typeParam M The message type.
 *
 * @example Usage
 * ```ts
 * import type { FusableEncoder } from "@spindle/spindle/reactor";
 * import { LineEncoder } from "@spindle/spindle/protocols/basic";
 * const fusable: FusableEncoder<string> = new LineEncoder();
 * console.assert(fusable !== undefined);
 * ```
 */
export interface FusableEncoder<M> {
  /** The core this transform runs. */
  readonly [encoderCore]: EncoderCore<M>;
}
