// A small seeded generator, so random splits and fuzz inputs repeat exactly.
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

// Splits `bytes` at random boundaries (chunks of 1 to maxChunk bytes).
export function randomSplits(
  bytes: Uint8Array,
  random: () => number,
  maxChunk: number,
): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = 1 + Math.floor(random() * maxChunk);
    chunks.push(bytes.slice(at, at + size));
    at += size;
  }
  return chunks;
}
