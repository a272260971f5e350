/**
 * The wire constants of memcached's text protocol.
 *
 * @module
 */

/**
 * memcached's default TCP port.
 *
 * @example Usage
 * ```ts
 * import { MEMCACHE_PORT } from "@spindle/spindle/protocols/memcache";
 * console.assert(MEMCACHE_PORT === 11211);
 * ```
 */
export const MEMCACHE_PORT = 11211;
