/**
 * {@linkcode EncoderStream}: an {@linkcode EncoderCore} as a standard
 * `TransformStream` from messages to bytes, which a Spindle readable also
 * fuses (ARCHITECTURE.md, "The speed principle").
 *
 * @module
 */
import { type EncoderCore, encoderCore, type FusableEncoder } from "./codec.ts";

/**
 * A `TransformStream` from messages to the bytes an {@linkcode EncoderCore}
 * makes of them: every Spindle encoder (`LineEncoder`, `NetstringEncoder`,
 * the AMP and DNS encoders) is one, passing its core to this constructor. On
 * a Spindle readable, `pipeThrough` finds the core under
 * {@linkcode encoderCore} and calls it in its own read loop.
 *
 * @typeParam M The message type.
 * @typeParam O The bytes the core makes (`Uint8Array<ArrayBuffer>` for a core
 * that always returns fresh arrays).
 *
 * @example An encoder for a framing of your own
 * ```ts
 * import { type EncoderCore, EncoderStream } from "@spindle/spindle/reactor";
 * import { assertEquals } from "@spindle/spindle/trial";
 *
 * class ByteEncoder extends EncoderStream<number> {
 *   constructor() {
 *     super({ encode: (byte: number) => new Uint8Array([byte]) } satisfies EncoderCore<number>);
 *   }
 * }
 * const bytes = await new Response(ReadableStream.from([104, 105]).pipeThrough(new ByteEncoder())).text();
 * assertEquals(bytes, "hi");
 * ```
 */
export class EncoderStream<M, O extends Uint8Array = Uint8Array>
  extends TransformStream<M, O>
  implements FusableEncoder<M> {
  /** The core this transform runs. */
  readonly [encoderCore]: EncoderCore<M, O>;

  /** Creates the transform over `core`. */
  constructor(core: EncoderCore<M, O>) {
    super({
      transform(message, controller) {
        controller.enqueue(core.encode(message));
      },
    });
    this[encoderCore] = core;
  }
}
