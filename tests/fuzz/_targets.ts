// Every parser Spindle has, as a fuzz target. A protocol that adds a parser
// adds its target here and its captured seeds under corpus/<name>/.
import type { DecoderCore } from "../../reactor/codec.ts";
import { ProtocolError } from "../../reactor/errors.ts";
import {
  LengthPrefixedDecoderCore,
  LengthPrefixedEncoderCore,
  LineDecoderCore,
  LineEncoderCore,
  NetstringDecoderCore,
  NetstringEncoderCore,
} from "../../protocols/basic/mod.ts";
import type { FuzzTarget } from "./_harness.ts";

/**
 * A thrown value that is not a `ProtocolError` but says a core kept more than
 * its limit in memory: the harness counts it as a crash.
 */
class BufferedTooMuchError extends Error {}

/**
 * A target over a decoder core. After the pieces, it either ends the input
 * (truncation errors) or takes back the undecoded rest and checks it is within
 * `maxBuffered` (memory held for an incomplete message stays under the limit).
 */
export function coreTarget<V>(
  name: string,
  makeCore: () => DecoderCore<V>,
  options: {
    maxBuffered: number;
    encode?: (value: V) => Uint8Array;
    seeds?: readonly Uint8Array[];
  },
): FuzzTarget<V> {
  let ends = 0;
  return {
    name,
    seeds: options.seeds,
    encode: options.encode,
    isTypedError: (error) => error instanceof ProtocolError,
    parse(pieces) {
      const core = makeCore();
      const out: V[] = [];
      for (const piece of pieces) core.decode(piece, out);
      if (ends++ % 2 === 0) {
        core.end(out);
      } else {
        const rest = core.release();
        if (rest.length > options.maxBuffered) {
          throw new BufferedTooMuchError(
            `${name} kept ${rest.length} bytes of an incomplete message, over its limit of ${options.maxBuffered}`,
          );
        }
      }
      return out;
    },
  };
}

const text = new TextEncoder();
const MAX_LINE = 1024;
const MAX_FRAME = 4096;

/** Every target, by name. */
export const TARGETS: FuzzTarget[] = [
  coreTarget(
    "lines",
    () => new LineDecoderCore({ maxLength: MAX_LINE }),
    {
      maxBuffered: MAX_LINE + 1,
      encode: (line) => new LineEncoderCore().encode(line),
      seeds: [text.encode("HELO a\r\nMAIL FROM:<b>\r\n\r\nQUIT\r\n")],
    },
  ) as FuzzTarget,
  coreTarget(
    "netstrings",
    () => new NetstringDecoderCore({ maxLength: MAX_FRAME }),
    {
      maxBuffered: MAX_FRAME + 16,
      encode: (payload) => new NetstringEncoderCore().encode(payload),
      seeds: [text.encode("5:hello,0:,3:abc,")],
    },
  ) as FuzzTarget,
  ...([1, 2, 4] as const).map((prefixLength) =>
    coreTarget(
      `int${8 * prefixLength}`,
      () =>
        new LengthPrefixedDecoderCore({ prefixLength, maxLength: MAX_FRAME }),
      {
        maxBuffered: MAX_FRAME + prefixLength,
        encode: (payload) =>
          new LengthPrefixedEncoderCore({ prefixLength }).encode(payload),
        seeds: [
          new LengthPrefixedEncoderCore({ prefixLength }).encode("hello"),
        ],
      },
    ) as FuzzTarget
  ),
];
