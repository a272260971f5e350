/**
 * `TransformStream` wrappers over the AMP box cores, for Web Streams pipelines.
 *
 * @module
 */
import {
  decoderCore,
  encoderCore,
  type FusableDecoder,
  type FusableEncoder,
} from "../../reactor/codec.ts";
import {
  type AmpBox,
  BoxDecoderCore,
  type BoxDecoderOptions,
  BoxEncoderCore,
} from "./box.ts";
import {
  decoderTransformer,
  encoderTransformer,
  fuseReadable,
} from "../basic/_transform.ts";

/**
 * Decodes a byte stream into AMP boxes. Malformed input errors the stream with
 * a `ProtocolError` subclass.
 *
 * @example Usage
 * ```ts
 * import { AmpBoxDecoder, encodeBox } from "@spindle/spindle/protocols/amp";
 * const bytes = encodeBox(new Map([["k", new Uint8Array([7])]]));
 * const boxes = await Array.fromAsync(
 *   ReadableStream.from([bytes.subarray(0, 3), bytes.subarray(3)]).pipeThrough(new AmpBoxDecoder()),
 * );
 * console.assert(boxes[0]!.get("k")![0] === 7);
 * ```
 */
export class AmpBoxDecoder extends TransformStream<Uint8Array, AmpBox>
  implements FusableDecoder<AmpBox> {
  /** The core this transform runs. */
  readonly [decoderCore]: BoxDecoderCore;

  /** Creates the decoder with the given limits. */
  constructor(options?: BoxDecoderOptions) {
    const core = new BoxDecoderCore(options);
    super(decoderTransformer(core) as Transformer<Uint8Array, never>);
    this[decoderCore] = core;
    fuseReadable(this);
  }
}

/**
 * Encodes AMP boxes into bytes.
 *
 * @example Usage
 * ```ts
 * import { AmpBoxEncoder } from "@spindle/spindle/protocols/amp";
 * const chunks = await Array.fromAsync(
 *   ReadableStream.from([new Map([["k", new Uint8Array([7])]])]).pipeThrough(new AmpBoxEncoder()),
 * );
 * console.assert(chunks[0]!.length === 8);
 * ```
 */
export class AmpBoxEncoder
  extends TransformStream<AmpBox, Uint8Array<ArrayBuffer>>
  implements FusableEncoder<AmpBox> {
  /** The core this transform runs. */
  readonly [encoderCore]: BoxEncoderCore;

  /** Creates the encoder. */
  constructor() {
    const core = new BoxEncoderCore();
    super(encoderTransformer(core));
    this[encoderCore] = core;
  }
}
