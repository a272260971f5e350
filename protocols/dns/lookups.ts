/**
 * What DNS lookups resolve to and the named lookups (Twisted's
 * `ResolverBase`), shared by the stub client and the caching resolver.
 *
 * @module
 */
import type { Deferred } from "../../deferred/mod.ts";
import { RecordType } from "./constants.ts";
import type { ResourceRecord } from "./message.ts";

/**
 * What a lookup resolves to (Twisted's `(answers, authority, additional)`).
 *
 * @example Usage
 * ```ts
 * import { type DNSResult } from "@spindle/spindle/protocols/dns";
 * const empty: DNSResult = { answers: [], authority: [], additional: [] };
 * console.assert(empty.answers.length === 0);
 * ```
 */
export interface DNSResult {
  /** The answer section. */
  answers: ResourceRecord[];
  /** The authority section. */
  authority: ResourceRecord[];
  /** The additional section. */
  additional: ResourceRecord[];
}

/**
 * The one method every lookup rests on; {@linkcode ResolverBase} builds the
 * named lookups on it, for both `DNSClient` and `Resolver`.
 *
 * @example Usage
 * ```ts
 * import { createResolver, DNSClient, type DNSLookups } from "@spindle/spindle/protocols/dns";
 * const lookups: DNSLookups[] = [
 *   new DNSClient({ servers: ["127.0.0.1:5353"] }),
 *   createResolver({ servers: ["127.0.0.1:5353"] }),
 * ];
 * console.assert(lookups.length === 2);
 * ```
 */
export interface DNSLookups {
  /** Asks for `type` records of `name`. */
  query(name: string, type: number): Deferred<DNSResult>;
}

/**
 * The named lookups (`lookupAddress`, `lookupMailExchange`...) over a
 * class's own {@linkcode DNSLookups.query}, as Twisted's `ResolverBase`.
 *
 * @example Usage
 * ```ts
 * import { type DNSResult, ResolverBase } from "@spindle/spindle/protocols/dns";
 * import { type Deferred, succeed } from "@spindle/spindle/deferred";
 * class NoRecords extends ResolverBase {
 *   query(_name: string, _type: number): Deferred<DNSResult> {
 *     return succeed({ answers: [], authority: [], additional: [] });
 *   }
 * }
 * const { answers } = await new NoRecords().lookupAddress("example.org");
 * console.assert(answers.length === 0);
 * ```
 */
export abstract class ResolverBase implements DNSLookups {
  /** Asks for `type` records of `name`. */
  abstract query(name: string, type: number): Deferred<DNSResult>;

  /** A records of `name`. */
  lookupAddress(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.A);
  }

  /** AAAA records of `name`. */
  lookupIPV6Address(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.AAAA);
  }

  /** MX records of `name`. */
  lookupMailExchange(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.MX);
  }

  /** TXT records of `name`. */
  lookupText(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.TXT);
  }

  /** SRV records of `name` (`_service._proto.domain`). */
  lookupService(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.SRV);
  }

  /** NS records of `name`. */
  lookupNameservers(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.NS);
  }

  /** PTR records of `name` (`1.2.0.192.in-addr.arpa`). */
  lookupPointer(name: string): Deferred<DNSResult> {
    return this.query(name, RecordType.PTR);
  }
}
