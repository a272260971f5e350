/**
 * The server's cache of encoded answers: a repeated question is answered by
 * copying its earlier response and patching in the query's ID and name,
 * without decoding the query or looking anything up.
 *
 * @module
 */
import { CLASSIC_UDP_SIZE, MAX_LABEL_LENGTH } from "./limits.ts";

/**
 * Encoded responses by {@linkcode answerCacheKey}, bounded: when full, it
 * starts over (cheaper than LRU bookkeeping on the answer path, and a zone's
 * working set refills it at once).
 */
export class AnswerCache {
  #entries: Map<string, Uint8Array> = new Map();
  #size: number;

  /** A cache of at most `size` answers (0: nothing is kept). */
  constructor(size: number) {
    this.#size = size;
  }

  /** Whether the cache keeps anything: when not, callers skip computing keys. */
  get enabled(): boolean {
    return this.#size > 0;
  }

  /** The cached response for `key`, with `query`'s ID and name put in, or `undefined`. */
  get(key: string, query: Uint8Array): Uint8Array | undefined {
    const cached = this.#entries.get(key);
    return cached === undefined ? undefined : patch(cached, query);
  }

  /** Keeps `response` for `key`. */
  set(key: string, response: Uint8Array): void {
    if (this.#entries.size >= this.#size) this.#entries.clear();
    this.#entries.set(key, response);
  }
}

/**
 * A key naming everything a query's answer depends on except its ID and the
 * case of its question name: the bytes after the ID with the name lowered.
 * `null` when the query is not a plain one-question query with an
 * uncompressed name.
 */
export function answerCacheKey(query: Uint8Array, udp: boolean): string | null {
  const n = query.length;
  if (n < 17 || n > CLASSIC_UDP_SIZE) return null;
  // QR=0, opcode QUERY, one question, no answers or authority.
  if ((query[2]! & 0xf8) !== 0 || query[4] !== 0 || query[5] !== 1) return null;
  if (query[6] !== 0 || query[7] !== 0 || query[8] !== 0 || query[9] !== 0) {
    return null;
  }
  let key = udp ? "u" : "t";
  key += String.fromCharCode(query[2]!, query[3]!, query[10]!, query[11]!);
  let pos = 12;
  for (;;) {
    if (pos >= n) return null;
    const length = query[pos]!;
    if (length === 0) break;
    if (length > MAX_LABEL_LENGTH) return null;
    key += String.fromCharCode(length);
    const end = pos + 1 + length;
    if (end > n) return null;
    for (let i = pos + 1; i < end; i++) {
      const b = query[i]!;
      key += String.fromCharCode(b >= 0x41 && b <= 0x5a ? b | 0x20 : b);
    }
    pos = end;
  }
  for (let i = pos; i < n; i++) key += String.fromCharCode(query[i]!);
  return key;
}

/** A cached response with the query's ID and question name (its case) put in. */
function patch(cached: Uint8Array, query: Uint8Array): Uint8Array {
  const out = cached.slice();
  out[0] = query[0]!;
  out[1] = query[1]!;
  let pos = 12;
  while (query[pos] !== 0) pos += query[pos]! + 1;
  out.set(query.subarray(12, pos), 12);
  return out;
}
