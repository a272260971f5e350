export { seededRandom } from "../../_random.ts";

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
