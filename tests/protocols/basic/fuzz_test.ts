// Seeded fuzzing: random and mutated inputs, split at random points, fed to
// every decoder. The only acceptable outcomes are messages or a ProtocolError.
import { assert, test } from "../../../trial/mod.ts";
import {
  LengthPrefixedDecoderCore,
  LengthPrefixedEncoderCore,
  LineDecoderCore,
  LineEncoderCore,
  NetstringDecoderCore,
  NetstringEncoderCore,
} from "../../../protocols/basic/mod.ts";
import type { DecoderCore } from "../../../reactor/codec.ts";
import { ProtocolError } from "../../../reactor/errors.ts";
import { seededRandom } from "../../_random.ts";

const INPUTS = 100_000;
const MAX_LENGTH = 64;

function fuzz(
  makeDecoder: () => DecoderCore<unknown> & {
    decode(chunk: Uint8Array, out: unknown[], max?: number): void;
  },
  validSample: (random: () => number) => Uint8Array,
  seed: number,
): void {
  const random = seededRandom(seed);
  const alphabet = [0, 10, 13, 44, 48, 49, 57, 58, 0xc3, 0xa9, 0xff, 0x80];
  // Valid inputs are drawn from a pool and copied before being mutated.
  const pool = Array.from({ length: 512 }, () => validSample(random));
  for (let n = 0; n < INPUTS; n++) {
    let input: Uint8Array;
    if (n % 2 === 0) {
      input = (pool[Math.floor(random() * pool.length)] as Uint8Array).slice();
      // Mutate a few bytes.
      for (let k = Math.floor(random() * 3); k > 0 && input.length > 0; k--) {
        input[Math.floor(random() * input.length)] = alphabet[
          Math.floor(random() * alphabet.length)
        ] as number;
      }
    } else {
      input = new Uint8Array(Math.floor(random() * 40));
      for (let i = 0; i < input.length; i++) {
        input[i] = random() < 0.5
          ? alphabet[Math.floor(random() * alphabet.length)] as number
          : Math.floor(random() * 256);
      }
    }
    const core = makeDecoder();
    const out: unknown[] = [];
    const oneAtATime = n % 3 === 0;
    try {
      let at = 0;
      while (at < input.length) {
        const size = 1 + Math.floor(random() * 16);
        core.decode(
          input.subarray(at, at + size),
          out,
          oneAtATime ? 1 : undefined,
        );
        at += size;
      }
      core.end(out);
    } catch (error) {
      if (!(error instanceof ProtocolError)) {
        throw new Error(`input ${n} (${input}) threw a non-protocol error`, {
          cause: error,
        });
      }
    }
    // Decoded messages can never exceed the input: memory stays bounded.
    assert(out.length <= input.length + 1);
  }
}

test("LineDecoderCore survives 100,000 fuzzed inputs with only ProtocolErrors", () => {
  const encoder = new LineEncoderCore();
  for (const binary of [false, true]) {
    fuzz(
      () => new LineDecoderCore({ maxLength: MAX_LENGTH, binary }),
      (random) => {
        const parts: number[] = [];
        for (let i = Math.floor(random() * 4); i > 0; i--) {
          parts.push(
            ...encoder.encode("ab é".repeat(Math.floor(random() * 20))),
          );
        }
        return new Uint8Array(parts);
      },
      binary ? 2 : 1,
    );
  }
});

test("NetstringDecoderCore survives 100,000 fuzzed inputs with only ProtocolErrors", () => {
  const encoder = new NetstringEncoderCore();
  fuzz(
    () => new NetstringDecoderCore({ maxLength: MAX_LENGTH }),
    (random) => {
      const parts: number[] = [];
      for (let i = Math.floor(random() * 4); i > 0; i--) {
        parts.push(...encoder.encode("x,".repeat(Math.floor(random() * 40))));
      }
      return new Uint8Array(parts);
    },
    3,
  );
});

test("LengthPrefixedDecoderCore survives 100,000 fuzzed inputs with only ProtocolErrors", () => {
  for (const prefixLength of [1, 2, 4] as const) {
    const encoder = new LengthPrefixedEncoderCore({ prefixLength });
    fuzz(
      () =>
        new LengthPrefixedDecoderCore({ prefixLength, maxLength: MAX_LENGTH }),
      (random) => {
        const parts: number[] = [];
        for (let i = Math.floor(random() * 4); i > 0; i--) {
          parts.push(
            ...encoder.encode(new Uint8Array(Math.floor(random() * 80))),
          );
        }
        return new Uint8Array(parts);
      },
      4 + prefixLength,
    );
  }
});
