import { assertEquals, assertThrows, test } from "../../../trial/mod.ts";
import {
  FrameTooLongError,
  LengthPrefixedDecoder,
  LengthPrefixedDecoderCore,
  LengthPrefixedEncoder,
  LengthPrefixedEncoderCore,
  type PrefixLength,
  TruncatedFrameError,
} from "../../../protocols/basic/mod.ts";
import { seededRandom, splitAnywhere } from "../../_random.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test("LengthPrefixedEncoderCore writes a big-endian prefix of 1, 2 or 4 bytes", () => {
  const payload = new Uint8Array(258);
  assertEquals(
    new LengthPrefixedEncoderCore({ prefixLength: 2 }).encode(payload)
      .subarray(0, 2),
    new Uint8Array([1, 2]),
  );
  assertEquals(
    new LengthPrefixedEncoderCore({ prefixLength: 4 }).encode(payload)
      .subarray(0, 4),
    new Uint8Array([0, 0, 1, 2]),
  );
  assertEquals(
    new LengthPrefixedEncoderCore({ prefixLength: 1 }).encode("ab"),
    new Uint8Array([2, 97, 98]),
  );
});

test("LengthPrefixedEncoderCore refuses what the prefix cannot express", () => {
  assertThrows(
    () =>
      new LengthPrefixedEncoderCore({ prefixLength: 1 }).encode(
        new Uint8Array(256),
      ),
    FrameTooLongError,
  );
});

test("LengthPrefixedDecoderCore reads a 4-byte length as unsigned", () => {
  const core = new LengthPrefixedDecoderCore({ maxLength: 2 ** 31 });
  const error = assertThrows(
    () => core.decode(new Uint8Array([0xff, 0xff, 0xff, 0xff]), []),
    FrameTooLongError,
  );
  assertEquals(error.length, 2 ** 32 - 1);
});

test("LengthPrefixedDecoderCore gives the same frames for any split", () => {
  const random = seededRandom(5);
  for (const prefixLength of [1, 2, 4] as PrefixLength[]) {
    const encoder = new LengthPrefixedEncoderCore({ prefixLength });
    for (let round = 0; round < 200; round++) {
      const payloads = Array.from(
        { length: Math.floor(random() * 10) },
        () => "z".repeat(Math.floor(random() * 250)),
      );
      const bytes = new Uint8Array(
        payloads.flatMap((payload) => [...encoder.encode(payload)]),
      );
      const core = new LengthPrefixedDecoderCore({ prefixLength });
      const out: Uint8Array[] = [];
      for (
        const chunk of splitAnywhere(bytes, random, {
          maxPiece: 1 + round % 31,
        })
      ) {
        core.decode(chunk, out);
      }
      core.end(out);
      assertEquals(out.map(text), payloads);
    }
  }
});

test("LengthPrefixedDecoderCore raises FrameTooLongError before buffering the payload", () => {
  const core = new LengthPrefixedDecoderCore({
    prefixLength: 2,
    maxLength: 10,
  });
  assertThrows(
    () => core.decode(new Uint8Array([0, 11]), []),
    FrameTooLongError,
  );
});

test("LengthPrefixedDecoderCore raises TruncatedFrameError at the end of a partial frame", () => {
  const core = new LengthPrefixedDecoderCore({ prefixLength: 2 });
  core.decode(new Uint8Array([0, 3, 1]), []);
  assertThrows(() => core.end([]), TruncatedFrameError);
});

test("LengthPrefixedDecoderCore.release() returns the partial frame as sent", () => {
  const core = new LengthPrefixedDecoderCore({ prefixLength: 4 });
  core.decode(new Uint8Array([0, 0, 1, 2, 7]), []);
  assertEquals(core.release(), new Uint8Array([0, 0, 1, 2, 7]));
  core.decode(new Uint8Array([0, 0]), []);
  assertEquals(core.release(), new Uint8Array([0, 0]));
});

test("LengthPrefixedDecoderCore stops after max frames", () => {
  const core = new LengthPrefixedDecoderCore({ prefixLength: 1 });
  const out: Uint8Array[] = [];
  core.decode(new Uint8Array([1, 65, 1, 66, 9]), out, 1);
  assertEquals(out, [new Uint8Array([65])]);
  assertEquals(core.release(), new Uint8Array([1, 66, 9]));
});

test("LengthPrefixedEncoder and LengthPrefixedDecoder round-trip through streams", async () => {
  const got = await Array.fromAsync(
    ReadableStream.from(["a", "", "ccc"])
      .pipeThrough(new LengthPrefixedEncoder({ prefixLength: 2 }))
      .pipeThrough(new LengthPrefixedDecoder({ prefixLength: 2 })),
  );
  assertEquals(got.map(text), ["a", "", "ccc"]);
});
