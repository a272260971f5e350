// A map that keeps its least recently used entries first and drops them
// once the sizes of all it holds pass a bound: for caches whose entries
// differ widely in what they cost (a folder's list of 10 or 100,000
// messages), where a count of entries bounds nothing.

/** Values of `K`, each with a size, the least recently used dropped past `maxSize`. */
export class SizedLRU<K, V> {
  readonly #maxSize: number;
  readonly #sizeOf: (value: V) => number;
  readonly #entries = new Map<K, V>();
  #size = 0;

  constructor(maxSize: number, sizeOf: (value: V) => number) {
    this.#maxSize = maxSize;
    this.#sizeOf = sizeOf;
  }

  /** The sum of the sizes held. */
  get size(): number {
    return this.#size;
  }

  /** The value of `key`, now the most recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /**
   * Sets `key`, the most recently used, and drops the least recently used
   * others while the sizes pass the bound (never `key` itself: one value
   * larger than the bound is kept alone).
   */
  set(key: K, value: V): void {
    this.delete(key);
    this.#entries.set(key, value);
    this.#size += this.#sizeOf(value);
    for (const oldest of this.#entries.keys()) {
      if (this.#size <= this.#maxSize || oldest === key) break;
      this.delete(oldest);
    }
  }

  /** Drops `key`. */
  delete(key: K): void {
    const value = this.#entries.get(key);
    if (value === undefined) return;
    this.#entries.delete(key);
    this.#size -= this.#sizeOf(value);
  }

  /** Whether `key` is held (without making it recently used). */
  has(key: K): boolean {
    return this.#entries.has(key);
  }
}
