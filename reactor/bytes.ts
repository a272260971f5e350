/**
 * The one set of byte-array helpers every floor from the reactor up shares: a
 * shared empty array, joining two arrays or many, and text to bytes. Internal:
 * protocol folders import it by path, it is not part of the public API.
 *
 * @module
 */

/**
 * A shared empty array: the "nothing buffered" value, so that clearing a buffer
 * allocates nothing. Never write into it (it has no room anyway).
 *
 * @example Clearing a buffer
 * ```ts
 * import { EMPTY_BYTES } from "./bytes.ts";
 * let rest: Uint8Array = new Uint8Array([1, 2]);
 * rest = EMPTY_BYTES;
 * ```
 */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/**
 * `a` followed by `b`. When one side is empty the other is returned unchanged
 * (not copied), which is what keeps the common "nothing was buffered" case of a
 * decoder free.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { concatBytes, EMPTY_BYTES } from "./bytes.ts";
 *
 * const b = new Uint8Array([3]);
 * assertEquals(concatBytes(new Uint8Array([1, 2]), b), new Uint8Array([1, 2, 3]));
 * assertEquals(concatBytes(EMPTY_BYTES, b) === b, true);
 * ```
 */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/**
 * `chunks` joined into one new array. Pass `total` (the sum of their lengths)
 * when the caller already counted it, to skip the counting pass.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { concatChunks } from "./bytes.ts";
 *
 * const joined = concatChunks([new Uint8Array([1]), new Uint8Array([2, 3])]);
 * assertEquals(joined, new Uint8Array([1, 2, 3]));
 * ```
 */
export function concatChunks(
  chunks: readonly Uint8Array[],
  total?: number,
): Uint8Array<ArrayBuffer> {
  let length = total ?? 0;
  if (total === undefined) {
    for (const chunk of chunks) length += chunk.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const textEncoder = new TextEncoder();

/**
 * `data` as bytes: a string is encoded as UTF-8, bytes are returned as they
 * are.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { toBytes } from "./bytes.ts";
 *
 * assertEquals(toBytes("hi"), new Uint8Array([104, 105]));
 * ```
 */
export function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? textEncoder.encode(data) : data;
}
