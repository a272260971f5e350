/**
 * Response-rate limiting for DNS over UDP, in the style of BIND's and Knot's
 * RRL: a token bucket per client prefix, so that a server cannot be used to
 * flood an address that an attacker spoofs.
 *
 * @module
 */
import type { IReactorTime } from "../../reactor/time.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { parseIPv6 } from "../../reactor/ip_address.ts";
import { RATE_LIMITS, type RateLimits } from "./limits.ts";

/**
 * Options of {@linkcode ResponseRateLimiter} (the `rrl` option of
 * `serveDNS`).
 *
 * @example Usage
 * ```ts
 * import { type RateLimitOptions } from "@spindle/spindle/protocols/dns";
 * const rrl: RateLimitOptions = { responsesPerSecond: 20, slip: 2 };
 * console.assert(rrl.responsesPerSecond === 20);
 * ```
 */
export interface RateLimitOptions extends RateLimits {
  /** Responses per second each client prefix (IPv4 /24, IPv6 /56) may get. */
  responsesPerSecond: number;
}

/**
 * What to do with one response: send it, drop it, or send it truncated
 * (TC=1, no records) so that a real client retries over TCP.
 *
 * @example Usage
 * ```ts
 * import { type RateLimitVerdict } from "@spindle/spindle/protocols/dns";
 * const verdicts: RateLimitVerdict[] = ["send", "drop", "slip"];
 * console.assert(verdicts.length === 3);
 * ```
 */
export type RateLimitVerdict = "send" | "drop" | "slip";

/** One prefix's bucket: its tokens at `stamp`, and the responses it had over the rate. */
class Bucket {
  tokens: number;
  stamp: number;
  over = 0;

  constructor(tokens: number, stamp: number) {
    this.tokens = tokens;
    this.stamp = stamp;
  }
}

/**
 * A token bucket per client prefix — IPv4 /24, IPv6 /56, as BIND and Knot
 * group clients — on the reactor's clock. Each response takes a token; the
 * bucket refills at `responsesPerSecond` up to a `window`'s worth. A response
 * with no token left is dropped, except every `slip`-th, which is sent
 * truncated: a spoofed victim gets at most the rate, while a real client
 * behind the prefix still reaches the server over TCP, which is never
 * limited (a TCP client's address is proven by the handshake). The table of
 * prefixes is bounded by `maxPrefixes`.
 *
 * @example Usage
 * ```ts
 * import { ResponseRateLimiter } from "@spindle/spindle/protocols/dns";
 * import { Clock } from "@spindle/spindle/reactor";
 * const clock = new Clock();
 * const rrl = new ResponseRateLimiter({ responsesPerSecond: 1 }, clock);
 * console.assert(rrl.verdict("192.0.2.1") === "send");
 * console.assert(rrl.verdict("192.0.2.200") === "drop"); // the same /24
 * console.assert(rrl.verdict("192.0.2.1") === "slip");
 * clock.advance(1000);
 * console.assert(rrl.verdict("192.0.2.1") === "send");
 * ```
 */
export class ResponseRateLimiter {
  #clock: IReactorTime;
  /** Tokens gained per millisecond. */
  #perMs: number;
  #capacity: number;
  #window: number;
  #slip: number;
  #maxPrefixes: number;
  /** Buckets by prefix, in the order they were first tracked. */
  #buckets: Map<string, Bucket> = new Map();
  #lastSweep = -Infinity;

  /**
   * Limits to `options.responsesPerSecond` per prefix, timed by `clock`.
   * Throws a `RangeError` for a rate, slip, window or table size out of range.
   */
  constructor(
    options: RateLimitOptions,
    clock: IReactorTime = defaultReactor,
  ) {
    const rate = options.responsesPerSecond;
    const slip = options.slip ?? RATE_LIMITS.slip;
    const window = options.window ?? RATE_LIMITS.window;
    const maxPrefixes = options.maxPrefixes ?? RATE_LIMITS.maxPrefixes;
    if (!(rate > 0 && rate < Infinity)) {
      throw new RangeError(
        `responsesPerSecond must be a number above 0, got ${rate}`,
      );
    }
    if (!Number.isInteger(slip) || slip < 0) {
      throw new RangeError(
        `slip must be a whole number, 0 (drop every response over the rate) or more, got ${slip}`,
      );
    }
    if (!(window > 0 && window < Infinity)) {
      throw new RangeError(
        `window must be a number of milliseconds above 0, got ${window}`,
      );
    }
    if (!Number.isInteger(maxPrefixes) || maxPrefixes < 1) {
      throw new RangeError(
        `maxPrefixes must be a whole number above 0, got ${maxPrefixes}`,
      );
    }
    this.#clock = clock;
    this.#perMs = rate / 1000;
    this.#capacity = Math.max(1, rate * window / 1000);
    this.#window = window;
    this.#slip = slip;
    this.#maxPrefixes = maxPrefixes;
  }

  /** The client prefixes tracked now (never more than `maxPrefixes`). */
  get trackedPrefixes(): number {
    return this.#buckets.size;
  }

  /** Whether a response to `hostname` (an IPv4 or IPv6 address) is sent, dropped or slipped. */
  verdict(hostname: string): RateLimitVerdict {
    const now = this.#clock.now();
    const key = prefixKey(hostname);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxPrefixes) this.#makeRoom(now);
      bucket = new Bucket(this.#capacity, now);
      this.#buckets.set(key, bucket);
    } else if (now > bucket.stamp) {
      bucket.tokens = this.#refilled(bucket, now);
      bucket.stamp = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return "send";
    }
    bucket.over++;
    return this.#slip > 0 && bucket.over % this.#slip === 0 ? "slip" : "drop";
  }

  #refilled(bucket: Bucket, now: number): number {
    return Math.min(
      this.#capacity,
      bucket.tokens + (now - bucket.stamp) * this.#perMs,
    );
  }

  /**
   * Forgets the prefixes whose bucket has refilled (a fresh bucket is the
   * same), at most once a window so that a flood of new prefixes cannot make
   * every query walk the table; then, if still full, the oldest prefix.
   */
  #makeRoom(now: number): void {
    if (now - this.#lastSweep >= this.#window) {
      this.#lastSweep = now;
      for (const [key, bucket] of this.#buckets) {
        if (this.#refilled(bucket, now) >= this.#capacity) {
          this.#buckets.delete(key);
        }
      }
    }
    if (this.#buckets.size >= this.#maxPrefixes) {
      this.#buckets.delete(this.#buckets.keys().next().value!);
    }
  }
}

/**
 * The prefix `hostname` is limited as: its /24 for IPv4 (IPv4-mapped IPv6
 * included), its /56 for IPv6 (a site's usual allocation, so one site cannot
 * dodge the limit by using many addresses); anything else is its own prefix.
 */
function prefixKey(hostname: string): string {
  const colon = hostname.lastIndexOf(":");
  const dot = hostname.lastIndexOf(".");
  if (dot > colon) return hostname.slice(colon + 1, dot);
  if (colon < 0) return hostname;
  const percent = hostname.indexOf("%"); // a link-local address's zone
  const bytes = parseIPv6(percent < 0 ? hostname : hostname.slice(0, percent));
  if (bytes === null) return hostname;
  // The colon keeps IPv6 keys apart from IPv4 ones, which have none.
  let key = ":";
  for (let i = 0; i < 7; i++) key += String.fromCharCode(bytes[i]!);
  return key;
}
