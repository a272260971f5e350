// Mutations for the fuzz harness: each input is a seed from the corpus with a
// few edits of the kinds that break parsers: bit flips, interesting bytes,
// splices with another seed, edits of length fields (decimal and binary),
// truncation and repetition.
import { concatChunks } from "../../reactor/bytes.ts";

/** A seeded source of random numbers in [0, 1). */
export type Random = () => number;

const INTERESTING_BYTES = [
  0x00,
  0x01,
  0x7f,
  0x80,
  0xff,
  0x0d, // CR
  0x0a, // LF
  0x20, // space
  0x3a, // ":"
  0x2c, // ","
  0x30, // "0"
  0x39, // "9"
  0xc0, // a DNS compression pointer's top bits
];

const INTERESTING_NUMBERS = [
  0,
  1,
  2,
  127,
  128,
  255,
  256,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 32 - 1,
  2 ** 53,
];

// Inputs stay small so a run of 100k finishes in minutes; the limits under
// test are exercised by the length-field edits and repetitions instead.
const MAX_INPUT = 1 << 16;

/** Applies one to four random edits to a copy of `seed`. */
export function mutate(
  random: Random,
  seed: Uint8Array,
  corpus: readonly Uint8Array[],
): Uint8Array {
  let bytes: Uint8Array = seed.slice();
  const edits = 1 + pick(random, 4);
  for (let i = 0; i < edits; i++) {
    bytes = EDITS[pick(random, EDITS.length)]!(random, bytes, corpus);
    if (bytes.length > MAX_INPUT) bytes = bytes.subarray(0, MAX_INPUT);
  }
  return bytes;
}

type Edit = (
  random: Random,
  bytes: Uint8Array,
  corpus: readonly Uint8Array[],
) => Uint8Array;

const EDITS: Edit[] = [
  flipBit,
  setInterestingByte,
  setRandomByte,
  splice,
  editDecimalLength,
  editBinaryLength,
  truncate,
  repeat,
  insertRandom,
  deleteRange,
];

function pick(random: Random, n: number): number {
  return Math.floor(random() * n);
}

function flipBit(random: Random, bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0) {
    bytes[pick(random, bytes.length)]! ^= 1 << pick(random, 8);
  }
  return bytes;
}

function setInterestingByte(random: Random, bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0) {
    bytes[pick(random, bytes.length)] =
      INTERESTING_BYTES[pick(random, INTERESTING_BYTES.length)]!;
  }
  return bytes;
}

function setRandomByte(random: Random, bytes: Uint8Array): Uint8Array {
  if (bytes.length > 0) bytes[pick(random, bytes.length)] = pick(random, 256);
  return bytes;
}

// The head of this input followed by the tail of another seed.
function splice(
  random: Random,
  bytes: Uint8Array,
  corpus: readonly Uint8Array[],
): Uint8Array {
  const other = corpus[pick(random, corpus.length)] ?? bytes;
  return concatChunks([
    bytes.subarray(0, pick(random, bytes.length + 1)),
    other.subarray(pick(random, other.length + 1)),
  ]);
}

// Replaces a run of ASCII digits (a netstring length, Content-Length, a chunk
// size, a TTL) with an interesting or nearby number.
function editDecimalLength(random: Random, bytes: Uint8Array): Uint8Array {
  const runs: [number, number][] = [];
  for (let i = 0; i < bytes.length;) {
    if (isDigit(bytes[i]!)) {
      const start = i;
      while (i < bytes.length && isDigit(bytes[i]!)) i++;
      runs.push([start, i]);
    } else {
      i++;
    }
  }
  const run = runs[pick(random, runs.length)];
  if (run === undefined) return bytes;
  const [start, end] = run;
  const old = Number(new TextDecoder().decode(bytes.subarray(start, end)));
  const value = random() < 0.5
    ? INTERESTING_NUMBERS[pick(random, INTERESTING_NUMBERS.length)]!
    : Math.max(0, old + pick(random, 5) - 2);
  const text = new TextEncoder().encode(String(value));
  return concatChunks([bytes.subarray(0, start), text, bytes.subarray(end)]);
}

// Adds a small delta to a big-endian 1, 2 or 4-byte field, or sets it to an
// interesting value (AMP and int-prefixed lengths, DNS counts and lengths).
function editBinaryLength(random: Random, bytes: Uint8Array): Uint8Array {
  const width = [1, 2, 4][pick(random, 3)]!;
  if (bytes.length < width) return bytes;
  const at = pick(random, bytes.length - width + 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const max = 2 ** (8 * width);
  const old = width === 1
    ? view.getUint8(at)
    : width === 2
    ? view.getUint16(at)
    : view.getUint32(at);
  const value = random() < 0.5
    ? INTERESTING_NUMBERS[pick(random, INTERESTING_NUMBERS.length)]! % max
    : (old + pick(random, 33) - 16 + max) % max;
  if (width === 1) view.setUint8(at, value);
  else if (width === 2) view.setUint16(at, value);
  else view.setUint32(at, value);
  return bytes;
}

function truncate(random: Random, bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, pick(random, bytes.length + 1));
}

// A slice of the input repeated in place: long lines, many headers, many
// records, deep nesting.
function repeat(random: Random, bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) return bytes;
  const start = pick(random, bytes.length);
  const end = start + 1 + pick(random, Math.min(64, bytes.length - start));
  const slice = bytes.subarray(start, end);
  const times = 2 + pick(random, random() < 0.1 ? 4096 : 16);
  const out = new Uint8Array(
    Math.min(MAX_INPUT, bytes.length + slice.length * (times - 1)),
  );
  out.set(bytes.subarray(0, Math.min(end, out.length)));
  let at = end;
  for (let i = 1; i < times && at < out.length; i++) {
    out.set(slice.subarray(0, out.length - at), at);
    at += slice.length;
  }
  if (at < out.length) out.set(bytes.subarray(end, end + out.length - at), at);
  return out;
}

function insertRandom(random: Random, bytes: Uint8Array): Uint8Array {
  const at = pick(random, bytes.length + 1);
  const inserted = Uint8Array.from(
    { length: 1 + pick(random, 8) },
    () => pick(random, 256),
  );
  return concatChunks([bytes.subarray(0, at), inserted, bytes.subarray(at)]);
}

function deleteRange(random: Random, bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) return bytes;
  const start = pick(random, bytes.length);
  const end = start + 1 + pick(random, Math.min(32, bytes.length - start));
  return concatChunks([bytes.subarray(0, start), bytes.subarray(end)]);
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}
