/**
 * Every size, count and time limit of the DNS codec, server, client, resolver
 * and zone file parser, each defined once with the RFC section it comes from.
 * Each component's options type extends its limits type here.
 *
 * @module
 */

/**
 * The longest label, in bytes (RFC 1035 §2.3.4).
 *
 * @example Usage
 * ```ts
 * import { MAX_LABEL_LENGTH } from "@spindle/spindle/protocols/dns";
 * console.assert(MAX_LABEL_LENGTH === 63);
 * ```
 */
export const MAX_LABEL_LENGTH = 63;

/**
 * The longest name in wire format, in bytes, length octets included
 * (RFC 1035 §2.3.4).
 *
 * @example Usage
 * ```ts
 * import { MAX_NAME_LENGTH } from "@spindle/spindle/protocols/dns";
 * console.assert(MAX_NAME_LENGTH === 255);
 * ```
 */
export const MAX_NAME_LENGTH = 255;

/**
 * The most compression pointers followed while reading one name. A name of
 * 255 bytes has at most 127 labels (RFC 1035 §2.3.4), so a well-formed name
 * never needs more jumps; a chain of pointers to pointers that does only
 * costs the decoder time (RFC 9267 §2).
 *
 * @example Usage
 * ```ts
 * import { MAX_COMPRESSION_POINTERS } from "@spindle/spindle/protocols/dns";
 * console.assert(MAX_COMPRESSION_POINTERS === 127);
 * ```
 */
export const MAX_COMPRESSION_POINTERS = 127;

/**
 * The largest DNS message: the length prefix of DNS over TCP is 16 bits
 * (RFC 1035 §4.2.2).
 *
 * @example Usage
 * ```ts
 * import { MAX_MESSAGE_SIZE } from "@spindle/spindle/protocols/dns";
 * console.assert(MAX_MESSAGE_SIZE === 65535);
 * ```
 */
export const MAX_MESSAGE_SIZE = 65535;

/**
 * The UDP payload limit of a message without EDNS (RFC 1035 §4.2.1).
 *
 * @example Usage
 * ```ts
 * import { CLASSIC_UDP_SIZE } from "@spindle/spindle/protocols/dns";
 * console.assert(CLASSIC_UDP_SIZE === 512);
 * ```
 */
export const CLASSIC_UDP_SIZE = 512;

/**
 * The EDNS UDP payload size advertised by default, by the server and the
 * client alike: large enough for most answers, small enough not to fragment
 * on common paths (RFC 6891 §6.2.5, and DNS Flag Day 2020's 1232).
 *
 * @example Usage
 * ```ts
 * import { EDNS_UDP_SIZE } from "@spindle/spindle/protocols/dns";
 * console.assert(EDNS_UDP_SIZE === 1232);
 * ```
 */
export const EDNS_UDP_SIZE = 1232;

/**
 * Limits of {@linkcode decodeMessage}.
 *
 * @example Usage
 * ```ts
 * import { MESSAGE_LIMITS, type MessageLimits } from "@spindle/spindle/protocols/dns";
 * const limits: MessageLimits = { maxRecords: 100 };
 * console.assert(limits.maxRecords! < MESSAGE_LIMITS.maxRecords);
 * ```
 */
export interface MessageLimits {
  /**
   * The most records (all sections together, questions included) accepted in
   * one message. Default 4096.
   */
  maxRecords?: number;
}

/**
 * The defaults of {@linkcode MessageLimits}. A message's counts are 16 bits
 * each (RFC 1035 §4.1.1); 4096 records is far more than any real answer and
 * bounds the work one message can ask for.
 *
 * @example Usage
 * ```ts
 * import { MESSAGE_LIMITS } from "@spindle/spindle/protocols/dns";
 * console.assert(MESSAGE_LIMITS.maxRecords === 4096);
 * ```
 */
export const MESSAGE_LIMITS: Readonly<Required<MessageLimits>> = Object.freeze({
  maxRecords: 4096,
});

/**
 * Limits of the authoritative server.
 *
 * @example Usage
 * ```ts
 * import { SERVER_LIMITS, type ServerLimits } from "@spindle/spindle/protocols/dns";
 * const limits: ServerLimits = { tcpIdleTimeout: 5000 };
 * console.assert(limits.tcpIdleTimeout! < SERVER_LIMITS.tcpIdleTimeout);
 * ```
 */
export interface ServerLimits {
  /**
   * The UDP payload size the server advertises and caps EDNS clients at
   * (never below 512). Default {@linkcode EDNS_UDP_SIZE}.
   */
  maxUdpPayload?: number;
  /** Encoded answers kept for repeated questions. Default 10,000 (0 turns the cache off). */
  answerCacheSize?: number;
  /** Milliseconds a TCP connection may sit idle between queries. Default 10,000. */
  tcpIdleTimeout?: number;
}

/**
 * The defaults of {@linkcode ServerLimits}. The TCP idle timeout follows
 * RFC 7766 §6.2.3 ("on the order of seconds").
 *
 * @example Usage
 * ```ts
 * import { SERVER_LIMITS } from "@spindle/spindle/protocols/dns";
 * console.assert(SERVER_LIMITS.maxUdpPayload === 1232);
 * ```
 */
export const SERVER_LIMITS: Readonly<Required<ServerLimits>> = Object.freeze({
  maxUdpPayload: EDNS_UDP_SIZE,
  answerCacheSize: 10_000,
  tcpIdleTimeout: 10_000,
});

/**
 * The tunable parts of response-rate limiting beyond the rate itself (see
 * `RateLimitOptions`).
 *
 * @example Usage
 * ```ts
 * import { RATE_LIMITS, type RateLimits } from "@spindle/spindle/protocols/dns";
 * const limits: RateLimits = { slip: 0 };
 * console.assert(limits.slip! < RATE_LIMITS.slip);
 * ```
 */
export interface RateLimits {
  /**
   * Of the responses over the rate, every `slip`-th is sent truncated (TC=1,
   * no records) instead of dropped, so that a real client whose address an
   * attacker spoofs still gets an answer, over TCP. 0 drops them all, 1
   * truncates them all. Default 2.
   */
  slip?: number;
  /**
   * Milliseconds of responses at the full rate a quiet prefix may send at
   * once: a prefix's bucket holds `responsesPerSecond × window / 1000`
   * responses (at least one). Default 1000.
   */
  window?: number;
  /**
   * Client prefixes tracked at once; past it, prefixes whose bucket has
   * refilled are forgotten, else the one tracked longest. Each costs about
   * 110 bytes. Default 65,536.
   */
  maxPrefixes?: number;
}

/**
 * The defaults of {@linkcode RateLimits}: BIND's `slip 2` (every other
 * response over the rate is truncated), a one-second burst, and a table
 * bounded near 7 MB.
 *
 * @example Usage
 * ```ts
 * import { RATE_LIMITS } from "@spindle/spindle/protocols/dns";
 * console.assert(RATE_LIMITS.slip === 2);
 * ```
 */
export const RATE_LIMITS: Readonly<Required<RateLimits>> = Object.freeze({
  slip: 2,
  window: 1000,
  maxPrefixes: 65_536,
});

/**
 * Limits of the stub client.
 *
 * @example Usage
 * ```ts
 * import { CLIENT_LIMITS, type ClientLimits } from "@spindle/spindle/protocols/dns";
 * const limits: ClientLimits = { timeouts: [500] };
 * console.assert(limits.timeouts!.length < CLIENT_LIMITS.timeouts.length);
 * ```
 */
export interface ClientLimits {
  /** Milliseconds to wait for each UDP try; their number is the number of tries. Default `[1000, 3000, 11000]`. */
  timeouts?: readonly number[];
  /** Milliseconds a TCP exchange may take. Default 10,000. */
  tcpTimeout?: number;
  /** The EDNS UDP payload size to advertise; 0 sends no OPT record. Default {@linkcode EDNS_UDP_SIZE}. */
  ednsPayloadSize?: number;
}

/**
 * The defaults of {@linkcode ClientLimits}: three tries with growing
 * timeouts, as RFC 1536 §1 advises against retransmitting too fast.
 *
 * @example Usage
 * ```ts
 * import { CLIENT_LIMITS } from "@spindle/spindle/protocols/dns";
 * console.assert(CLIENT_LIMITS.timeouts.length === 3);
 * ```
 */
export const CLIENT_LIMITS: Readonly<Required<ClientLimits>> = Object.freeze({
  timeouts: Object.freeze([1000, 3000, 11000]),
  tcpTimeout: 10_000,
  ednsPayloadSize: EDNS_UDP_SIZE,
});

/**
 * Limits of the caching resolver.
 *
 * @example Usage
 * ```ts
 * import { RESOLVER_LIMITS, type ResolverLimits } from "@spindle/spindle/protocols/dns";
 * const limits: ResolverLimits = { maxTTL: 3600 };
 * console.assert(limits.maxTTL! < RESOLVER_LIMITS.maxTTL);
 * ```
 */
export interface ResolverLimits {
  /** Most cached answers. Default 10,000. */
  cacheSize?: number;
  /** An upper bound on any cached TTL, in seconds. Default 86,400. */
  maxTTL?: number;
}

/**
 * The defaults of {@linkcode ResolverLimits}. TTLs may run to 2^31 - 1
 * seconds (RFC 2181 §8); a day caps them, as Unbound's `cache-max-ttl` does.
 *
 * @example Usage
 * ```ts
 * import { RESOLVER_LIMITS } from "@spindle/spindle/protocols/dns";
 * console.assert(RESOLVER_LIMITS.maxTTL === 86_400);
 * ```
 */
export const RESOLVER_LIMITS: Readonly<Required<ResolverLimits>> = Object
  .freeze({
    cacheSize: 10_000,
    maxTTL: 86_400,
  });

/**
 * Limits of the zone file parser and of the zones built from it.
 *
 * @example Usage
 * ```ts
 * import { ZONE_LIMITS, type ZoneLimits } from "@spindle/spindle/protocols/dns";
 * const limits: ZoneLimits = { maxRecords: 1000 };
 * console.assert(limits.maxRecords! < ZONE_LIMITS.maxRecords);
 * ```
 */
export interface ZoneLimits {
  /** The most records accepted from one zone file. Default 1,000,000. */
  maxRecords?: number;
}

/**
 * The defaults of {@linkcode ZoneLimits}, and the most CNAMEs followed inside
 * the zones for one answer (RFC 1034 §4.3.2 step 3a restarts the lookup at
 * each CNAME; the bound stops a loop).
 *
 * @example Usage
 * ```ts
 * import { ZONE_LIMITS } from "@spindle/spindle/protocols/dns";
 * console.assert(ZONE_LIMITS.maxCnameChain === 16);
 * ```
 */
export const ZONE_LIMITS: Readonly<
  Required<ZoneLimits> & { maxCnameChain: number }
> = Object.freeze({
  maxRecords: 1_000_000,
  maxCnameChain: 16,
});
