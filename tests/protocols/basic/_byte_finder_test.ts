import { assertEquals, test } from "../../../trial/mod.ts";
import { ByteFinder } from "../../../protocols/basic/_byte_finder.ts";
import { seededRandom } from "../../_random.ts";

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

test("ByteFinder searches what is left of a chunk after a rebase", () => {
  const random = seededRandom(7);
  const backing = Uint8Array.from(
    { length: 400 },
    () => random() < 0.03 ? 10 : Math.floor(random() * 256),
  );
  const finder = new ByteFinder(10);
  for (const [start, end] of [[0, 400], [5, 400], [1, 399], [0, 397]]) {
    const chunk = backing.subarray(start, end);
    finder.reset(chunk);
    let taken = 0;
    while (taken < chunk.length) {
      const rest = chunk.subarray(taken);
      finder.rebase(rest);
      for (let from = 0; from <= rest.length; from += 2) {
        assertEquals(finder.indexOf(from), rest.indexOf(10, from));
      }
      const next = rest.indexOf(10);
      taken += next < 0 ? rest.length : next + 1;
    }
  }
});

test("ByteFinder finds every match in a chunk larger than its window", () => {
  const random = seededRandom(9);
  for (const density of [0.001, 0.3, 1]) {
    const bytes = Uint8Array.from(
      { length: 300_000 },
      () => random() < density ? 10 : 11,
    );
    const finder = new ByteFinder(10);
    finder.reset(bytes.subarray(3));
    const found: number[] = [];
    for (let i = finder.indexOf(0); i >= 0; i = finder.indexOf(i + 1)) {
      found.push(i);
    }
    const expected: number[] = [];
    for (let i = 3; i < bytes.length; i++) {
      if (bytes[i] === 10) expected.push(i - 3);
    }
    assertEquals(found, expected);
  }
});

test("ByteFinder searches a new chunk after a reset, even in the same buffer", () => {
  const buffer = new Uint8Array(1000).fill(11);
  const finder = new ByteFinder(10);
  buffer[500] = 10;
  finder.reset(buffer.subarray(100));
  assertEquals(finder.indexOf(0), 400);
  buffer[500] = 11;
  buffer[700] = 10;
  finder.reset(buffer.subarray(100));
  assertEquals(finder.indexOf(0), 600);
});

test("ByteFinder reports -1 in a long chunk without the byte", () => {
  const finder = new ByteFinder(10);
  finder.reset(new Uint8Array(4096).fill(11));
  assertEquals(finder.indexOf(0), -1);
});
