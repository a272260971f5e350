/**
 * {@linkcode ChunkSource}: the fast side of a Spindle readable, which the
 * connections, the message reader and the decoder streams implement
 * and `FastReadableStream` reads without stream machinery per value.
 *
 * @module
 */
/**
 * Where a fused readable gets its values. `null` means end of input.
 *
 * @typeParam T The value type.
 *
 * @example A source of three numbers
 * ```ts
 * import { type ChunkSource, FastReadableStream } from "@spindle/spindle/reactor";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const values = [1, 2, 3];
 * const source: ChunkSource<number> = {
 *   read: () => Promise.resolve(values.shift() ?? null),
 *   cancel: () => {},
 * };
 * assertEquals(await Array.fromAsync(new FastReadableStream(source)), [1, 2, 3]);
 * ```
 */
export interface ChunkSource<T> {
  /** The next value, or `null` at (and after) the end of input. */
  read(): Promise<T | null>;
  /**
   * `read()` as an iterator result, made in the read's own promise step (one
   * step less per value than mapping `read()`); calls `onEnd` before it
   * reports the end of input or fails.
   */
  readResult?(onEnd: () => void): Promise<IteratorResult<T>>;
  /** Bytes only: reads into `buffer`; the count, or `null` at end of input. */
  readInto?(buffer: Uint8Array): Promise<number | null>;
  /** The consumer is not interested in more values. */
  cancel(reason?: unknown): void;
  /** Puts bytes back in front of the source (connections only). */
  unshift?(data: Uint8Array): void;
  /**
   * The consumer let go without cancelling (`preventCancel`): a source that
   * read ahead hands back what it holds, as `MessageReader.release()`
   * does. Without it, the source simply waits for the next consumer.
   */
  release?(): void;
}
