/**
 * Seeded randomness for tests, so random splits, fuzz inputs and benchmark
 * data repeat exactly (and a failure can be replayed from its seed).
 *
 * @module
 */

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@linkcode splitAnywhere}. */
export interface SplitOptions {
  /** The largest piece, in bytes; default 16. */
  maxPiece?: number;
}

/**
 * Cuts `bytes` at random places into consecutive pieces of 0 to `maxPiece`
 * bytes each, which together are `bytes` in order. Empty pieces are part of
 * the contract: a stream may hand a decoder an empty chunk, and it must cope.
 * The pieces are views of `bytes`.
 */
export function splitAnywhere(
  bytes: Uint8Array,
  random: () => number,
  options: SplitOptions = {},
): Uint8Array[] {
  const maxPiece = options.maxPiece ?? 16;
  const pieces: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = Math.floor(random() * (maxPiece + 1));
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}
