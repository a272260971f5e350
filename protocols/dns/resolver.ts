/**
 * A caching stub resolver: a hosts file first, then a TTL cache with negative
 * caching (RFC 2308), then the servers.
 *
 * @module
 */
import { Deferred } from "../../deferred/mod.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { Rcode, RecordClass, RecordType } from "./constants.ts";
import { parseIPv4, parseIPv6 } from "../../reactor/ip_address.ts";
import { DNSNameError } from "./errors.ts";
import { RESOLVER_LIMITS, type ResolverLimits } from "./limits.ts";
import type { ResourceRecord, SOAData } from "./message.ts";
import { nameKey } from "./name.ts";
import { DNSClient, type DNSClientOptions, resultOf } from "./client.ts";
import { type DNSResult, ResolverBase } from "./lookups.ts";

/** The TTL given to answers from the hosts file. */
const HOSTS_TTL = 3600;

/**
 * Options of {@linkcode createResolver}.
 *
 * @example Usage
 * ```ts
 * import { createResolver, type ResolverOptions } from "@spindle/spindle/protocols/dns";
 * const options: ResolverOptions = { servers: ["127.0.0.1:5353"], hosts: "/etc/hosts", cacheSize: 1000 };
 * console.assert(typeof createResolver(options).query === "function");
 * ```
 */
export interface ResolverOptions extends DNSClientOptions, ResolverLimits {
  /** A hosts file (`/etc/hosts` format) consulted before the servers. */
  hosts?: string;
}

/**
 * Parses `/etc/hosts` text into name → addresses (names lowered).
 *
 * @example Usage
 * ```ts
 * import { parseHosts } from "@spindle/spindle/protocols/dns";
 * const hosts = parseHosts("127.0.0.1 localhost # loopback\n::1 localhost\n");
 * console.assert(hosts.get("localhost")?.length === 2);
 * ```
 */
export function parseHosts(text: string): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const fields = line.replace(/#.*/, "").trim().split(/\s+/);
    const address = fields[0];
    if (address === undefined || fields.length < 2) continue;
    if (parseIPv4(address) === null && parseIPv6(address) === null) continue;
    for (const name of fields.slice(1)) {
      const key = nameKey(name);
      const list = hosts.get(key) ?? [];
      if (!list.includes(address)) list.push(address);
      hosts.set(key, list);
    }
  }
  return hosts;
}

interface CacheEntry {
  expires: number;
  stored: number;
  result?: DNSResult;
  error?: Error;
}

/**
 * A resolver with the lookups of {@linkcode DNSClient}, a hosts file and a cache.
 *
 * @example Usage
 * ```ts ignore
 * import { createResolver } from "@spindle/spindle/protocols/dns";
 * const resolver = createResolver({ servers: ["127.0.0.1:5353"], hosts: "/etc/hosts" });
 * const { answers } = await resolver.lookupAddress("localhost");
 * ```
 */
export class Resolver extends ResolverBase {
  #client: DNSClient;
  #clock: IReactorTime;
  #hostsPath: string | undefined;
  #hosts: Promise<Map<string, string[]>> | undefined;
  #cache: Map<string, CacheEntry> = new Map();
  #cacheSize: number;
  #maxTTL: number;

  /** A resolver over a client for `options.servers`. */
  constructor(options: ResolverOptions) {
    super();
    this.#clock = options.clock ?? options.reactor ?? defaultReactor;
    this.#client = new DNSClient({ ...options, clock: this.#clock });
    this.#hostsPath = options.hosts;
    this.#cacheSize = options.cacheSize ?? RESOLVER_LIMITS.cacheSize;
    this.#maxTTL = options.maxTTL ?? RESOLVER_LIMITS.maxTTL;
  }

  /** The client that asks the servers. */
  get client(): DNSClient {
    return this.#client;
  }

  /** Asks for `type` records of `name`: hosts file, cache, then servers. */
  query(name: string, type: number): Deferred<DNSResult> {
    return Deferred.fromPromise(this.#query(name, type));
  }

  async #query(name: string, type: number): Promise<DNSResult> {
    const fromHosts = await this.#fromHosts(name, type);
    if (fromHosts !== undefined) return fromHosts;
    const key = `${nameKey(name)}/${type}`;
    const cached = this.#fromCache(key);
    if (cached !== undefined) return cached;
    const response = await this.#client.queryMessage({
      name,
      type,
      class: RecordClass.IN,
    });
    let result: DNSResult | undefined;
    let error: Error | undefined;
    try {
      result = resultOf(response, name, type);
    } catch (e) {
      error = e as Error;
    }
    const ttl = this.#ttlOf(response.rcode, result, response.authority);
    if (ttl > 0) {
      if (this.#cache.size >= this.#cacheSize) this.#cache.clear();
      const now = this.#clock.now();
      this.#cache.set(key, {
        expires: now + ttl * 1000,
        stored: now,
        result,
        error,
      });
    }
    if (error !== undefined) throw error;
    return result!;
  }

  /** The hosts file's addresses of `name` for an A or AAAA lookup, if it has any. */
  async #fromHosts(
    name: string,
    type: number,
  ): Promise<DNSResult | undefined> {
    if (
      this.#hostsPath === undefined ||
      (type !== RecordType.A && type !== RecordType.AAAA)
    ) return undefined;
    this.#hosts ??= Deno.readTextFile(this.#hostsPath).then(
      parseHosts,
      (error) => {
        // No hosts file is an empty one, as for the C library's resolver.
        if (error instanceof Deno.errors.NotFound) return new Map();
        throw error;
      },
    );
    const addresses = (await this.#hosts).get(nameKey(name)) ?? [];
    const answers: ResourceRecord[] = addresses
      .filter((a) => (type === RecordType.A) === (parseIPv4(a) !== null))
      .map((address) => ({
        name,
        type,
        class: RecordClass.IN,
        ttl: HOSTS_TTL,
        data: { address },
      }));
    if (answers.length === 0) return undefined;
    return { answers, authority: [], additional: [] };
  }

  /** The cached result for `key`, its TTLs aged (or its error thrown); `undefined` when none is fresh. */
  #fromCache(key: string): DNSResult | undefined {
    const cached = this.#cache.get(key);
    if (cached === undefined) return undefined;
    const now = this.#clock.now();
    if (cached.expires <= now) {
      this.#cache.delete(key);
      return undefined;
    }
    if (cached.error !== undefined) throw cached.error;
    return aged(cached.result!, Math.floor((now - cached.stored) / 1000));
  }

  /** The cache lifetime: least answer TTL, or the negative TTL from the SOA (RFC 2308 §5). */
  #ttlOf(
    rcode: number,
    result: DNSResult | undefined,
    authority: ResourceRecord[],
  ): number {
    if (result !== undefined && result.answers.length > 0) {
      return Math.min(this.#maxTTL, ...result.answers.map((r) => r.ttl));
    }
    if (rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN) return 0;
    const soa = authority.find((r) => r.type === RecordType.SOA);
    if (soa === undefined) return 0;
    return Math.min(this.#maxTTL, soa.ttl, (soa.data as SOAData).minimum);
  }

  /**
   * The first IPv4 address of `name` (Twisted's `getHostByName`), following
   * the CNAMEs in the answer; fails with {@linkcode DNSNameError} when the
   * name has none.
   */
  getHostByName(name: string): Deferred<string> {
    return this.lookupAddress(name).addCallback((result) => {
      let target = nameKey(name);
      for (let hops = 0; hops <= result.answers.length; hops++) {
        const owned = result.answers.filter((r) => nameKey(r.name) === target);
        const a = owned.find((r) => r.type === RecordType.A);
        if (a !== undefined) return (a.data as { address: string }).address;
        const cname = owned.find((r) => r.type === RecordType.CNAME);
        if (cname === undefined) break;
        target = nameKey((cname.data as { name: string }).name);
      }
      throw new DNSNameError(`${name} has no IPv4 address`);
    });
  }
}

function aged(result: DNSResult, seconds: number): DNSResult {
  if (seconds === 0) return result;
  const age = (r: ResourceRecord) => ({
    ...r,
    ttl: Math.max(0, r.ttl - seconds),
  });
  return {
    answers: result.answers.map(age),
    authority: result.authority.map(age),
    additional: result.additional.map(age),
  };
}

/**
 * A caching resolver: `options.hosts` first, then the cache, then `options.servers`.
 *
 * @example Usage
 * ```ts
 * import { createResolver } from "@spindle/spindle/protocols/dns";
 * const resolver = createResolver({ servers: ["127.0.0.1:5353"] });
 * console.assert(typeof resolver.lookupAddress === "function");
 * ```
 */
export function createResolver(options: ResolverOptions): Resolver {
  return new Resolver(options);
}
