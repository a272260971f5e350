/** A small seeded PRNG (mulberry32) so fuzz and split tests are repeatable. */
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

/** Splits `bytes` at random boundaries (including empty chunks). */
export function randomSplit(
  bytes: Uint8Array,
  random: () => number,
  maxChunk = 16,
): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const size = Math.floor(random() * (maxChunk + 1));
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}
