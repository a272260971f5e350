import { assertEquals, test } from "../../../trial/mod.ts";
import { ByteFinder } from "../../../protocols/basic/_byte_finder.ts";
import { seededRandom } from "./_random.ts";

// Every start offset (alignment), length and search position, against indexOf.
function assertFindsLikeIndexOf(value: number, density: number): void {
  const random = seededRandom(value + 1);
  const backing = new Uint8Array(300);
  for (let i = 0; i < backing.length; i++) {
    backing[i] = random() < density ? value : Math.floor(random() * 256);
  }
  const finder = new ByteFinder(value);
  for (let offset = 0; offset < 8; offset++) {
    for (const length of [0, 1, 5, 63, 64, 65, 67, 100, 131, 290]) {
      const bytes = backing.subarray(offset, offset + length);
      finder.reset(bytes);
      for (let from = 0; from <= length + 1; from++) {
        assertEquals(
          finder.indexOf(from),
          bytes.indexOf(value, from),
          `value ${value}, offset ${offset}, length ${length}, from ${from}`,
        );
      }
    }
  }
}

test("ByteFinder finds a byte wherever indexOf does, at any alignment", () => {
  assertFindsLikeIndexOf(10, 0.02);
});

test("ByteFinder finds bytes that fill the top or no bits of a word", () => {
  assertFindsLikeIndexOf(0, 0.02);
  assertFindsLikeIndexOf(0x80, 0.02);
  assertFindsLikeIndexOf(0xff, 0.02);
});

test("ByteFinder finds every one of a run of matching bytes", () => {
  assertFindsLikeIndexOf(13, 0.5);
});

test("ByteFinder searches what is left of a chunk, and then a longer chunk", () => {
  const random = seededRandom(7);
  const backing = Uint8Array.from(
    { length: 400 },
    () => random() < 0.03 ? 10 : Math.floor(random() * 256),
  );
  const finder = new ByteFinder(10);
  for (const [start, end] of [[0, 400], [5, 400], [1, 399], [0, 397]]) {
    const chunk = backing.subarray(start, end);
    for (let taken = 0; taken <= chunk.length; taken += 3) {
      const rest = chunk.subarray(taken);
      finder.reset(rest);
      for (let from = 0; from <= rest.length; from += 2) {
        assertEquals(finder.indexOf(from), rest.indexOf(10, from));
      }
    }
  }
});

test("ByteFinder reports -1 in a long chunk without the byte", () => {
  const finder = new ByteFinder(10);
  finder.reset(new Uint8Array(4096).fill(11));
  assertEquals(finder.indexOf(0), -1);
});
