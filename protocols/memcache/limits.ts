/**
 * The limits of the memcache client, each with its reason.
 *
 * @module
 */

/**
 * The longest key, in bytes (memcached's protocol.txt: "the length limit
 * of a key is set at 250 characters").
 *
 * @example Usage
 * ```ts
 * import { MAX_KEY_LENGTH } from "@spindle/spindle/protocols/memcache";
 * console.assert(MAX_KEY_LENGTH === 250);
 * ```
 */
export const MAX_KEY_LENGTH = 250;

/**
 * The largest value stored or read by default, in bytes: memcached's
 * default item size limit (`-I 1m`).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_VALUE_SIZE } from "@spindle/spindle/protocols/memcache";
 * console.assert(DEFAULT_MAX_VALUE_SIZE === 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_VALUE_SIZE = 1024 * 1024;

/**
 * The longest response line read, in bytes: a VALUE header with a 250-byte
 * key, or a STAT line, is far shorter.
 *
 * @example Usage
 * ```ts
 * import { MAX_RESPONSE_LINE } from "@spindle/spindle/protocols/memcache";
 * console.assert(MAX_RESPONSE_LINE === 2048);
 * ```
 */
export const MAX_RESPONSE_LINE = 2048;

/**
 * The limits of the memcache client.
 *
 * @example Usage
 * ```ts
 * import type { MemcacheLimits } from "@spindle/spindle/protocols/memcache";
 * const limits: MemcacheLimits = { maxValueSize: 4096 };
 * console.assert(limits.maxValueSize === 4096);
 * ```
 */
export interface MemcacheLimits {
  /** The largest value stored or read, in bytes; default {@linkcode DEFAULT_MAX_VALUE_SIZE}. */
  maxValueSize?: number;
}
