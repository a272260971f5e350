export { seededRandom } from "../../_random.ts";

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
