/**
 * An authoritative zone held in memory, and the lookup that answers questions
 * from a set of zones (RFC 1034 §4.3.2).
 *
 * @module
 */
import { Rcode, RecordClass, RecordType } from "./constants.ts";
import type { Question, ResourceRecord, SOAData } from "./message.ts";
import { ZONE_LIMITS } from "./limits.ts";
import { nameKey } from "./name.ts";
import {
  parseZone,
  type ParseZoneOptions,
  type ZoneData,
} from "./zone_file.ts";

const MAX_CNAME_CHAIN = ZONE_LIMITS.maxCnameChain;

/** The key of the parent of a name key (`"a.b"` → `"b"`, `"b"` → `""`), or `null` for the root. */
function parentKey(key: string): string | null {
  if (key === "") return null;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x5c) {
      i++; // skip the escaped character (a \DDD's digits are harmless)
    } else if (c === 0x2e) {
      return key.slice(i + 1);
    }
  }
  return "";
}

/**
 * The record sets of one name, by type.
 *
 * @example Usage
 * ```ts
 * import { nameKey, RecordType, Zone, type ZoneNode } from "@spindle/spindle/protocols/dns";
 * const zone = Zone.parse("@ 60 IN SOA ns hm 1 60 60 60 60\n", { origin: "example.org" });
 * const node: ZoneNode | undefined = zone.node(nameKey("example.org"));
 * console.assert(node?.get(RecordType.SOA)?.length === 1);
 * ```
 */
export type ZoneNode = Map<number, ResourceRecord[]>;

/**
 * One zone: its apex, SOA and records, indexed for lookups.
 *
 * @example Usage
 * ```ts
 * import { Zone } from "@spindle/spindle/protocols/dns";
 * const zone = Zone.parse(`
 * @ 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300
 * @ 3600 IN NS ns1
 * ns1 3600 IN A 192.0.2.53
 * `, { origin: "example.org" });
 * console.assert(zone.origin === "example.org");
 * ```
 */
export class Zone {
  /** The apex of the zone, as written in the zone. */
  readonly origin: string;
  /** The SOA record at the apex. */
  readonly soa: ResourceRecord<SOAData>;
  #apexKey: string;
  #nodes: Map<string, ZoneNode> = new Map();
  /** Every owner name and every name between an owner and the apex (empty non-terminals). */
  #existing: Set<string> = new Set();

  /**
   * Indexes the records. Throws `TypeError` when the zone has no SOA at its
   * apex or a record lies outside it.
   */
  constructor(data: ZoneData) {
    this.origin = data.origin;
    this.#apexKey = nameKey(data.origin);
    for (const record of data.records) {
      const key = nameKey(record.name);
      if (!this.#contains(key)) {
        throw new TypeError(
          `the record ${record.name} is outside the zone ${data.origin}: remove it or fix its name`,
        );
      }
      let node = this.#nodes.get(key);
      if (node === undefined) {
        node = new Map();
        this.#nodes.set(key, node);
        for (let k: string | null = key; k !== null; k = parentKey(k)) {
          if (this.#existing.has(k)) break;
          this.#existing.add(k);
          if (k === this.#apexKey) break;
        }
      }
      const rrset = node.get(record.type);
      if (rrset === undefined) node.set(record.type, [record]);
      else rrset.push(record);
    }
    const soa = this.#nodes.get(this.#apexKey)?.get(RecordType.SOA)?.[0];
    if (soa === undefined) {
      throw new TypeError(
        `the zone ${data.origin} has no SOA record at its apex: add one`,
      );
    }
    this.soa = soa as ResourceRecord<SOAData>;
  }

  /**
   * Parses a zone file's text into a zone (see `parseZone`).
   *
   * @example Usage
   * ```ts
   * import { Zone } from "@spindle/spindle/protocols/dns";
   * const zone = Zone.parse("@ 60 IN SOA ns hm 1 60 60 60 60\n", { origin: "example.org" });
   * console.assert(zone.soa.data.serial === 1);
   * ```
   */
  static parse(text: string, options?: ParseZoneOptions): Zone {
    return new Zone(parseZone(text, options));
  }

  /**
   * Reads and parses a zone file. Without `options.origin`, the origin is the
   * file's name without a trailing `.zone` (`example.org.zone` → `example.org`).
   *
   * @example Usage
   * ```ts ignore
   * import { Zone } from "@spindle/spindle/protocols/dns";
   * const zone = await Zone.load("example.org.zone");
   * ```
   */
  static async load(
    path: string,
    options: ParseZoneOptions = {},
  ): Promise<Zone> {
    const text = await Deno.readTextFile(path);
    const base = path.split(/[\\/]/).pop() ?? path;
    return Zone.parse(text, {
      fileName: path,
      origin: base.replace(/\.zone$/, ""),
      ...options,
    });
  }

  /** The apex as a lowercase key. */
  get apexKey(): string {
    return this.#apexKey;
  }

  /** Every record of the zone. */
  records(): ResourceRecord[] {
    const all: ResourceRecord[] = [];
    for (const node of this.#nodes.values()) {
      for (const rrset of node.values()) all.push(...rrset);
    }
    return all;
  }

  #contains(key: string): boolean {
    const apex = this.#apexKey;
    return apex === "" || key === apex ||
      (key.endsWith(apex) && key.length > apex.length &&
        key.charCodeAt(key.length - apex.length - 1) === 0x2e);
  }

  /** The record sets of a name, given as a {@linkcode nameKey}. */
  node(key: string): ZoneNode | undefined {
    return this.#nodes.get(key);
  }

  /** Whether a name (a {@linkcode nameKey}) exists: it has records or names below it. */
  exists(key: string): boolean {
    return this.#existing.has(key);
  }

  /** The SOA for negative answers: its TTL is the lesser of its own and its minimum (RFC 2308 §3). */
  negativeSOA(): ResourceRecord {
    const ttl = Math.min(this.soa.ttl, this.soa.data.minimum);
    return ttl === this.soa.ttl ? this.soa : { ...this.soa, ttl };
  }
}

/**
 * What a set of zones says about a question.
 *
 * @example Usage
 * ```ts
 * import { Rcode, type ZoneAnswer } from "@spindle/spindle/protocols/dns";
 * const refused: ZoneAnswer = {
 *   rcode: Rcode.REFUSED, authoritative: false, answers: [], authority: [], additional: [],
 * };
 * console.assert(refused.rcode === 5);
 * ```
 */
export interface ZoneAnswer {
  /** The response code: NOERROR, NXDOMAIN or REFUSED. */
  rcode: number;
  /** Whether the answer is authoritative (false for referrals and refusals). */
  authoritative: boolean;
  /** The answer section. */
  answers: ResourceRecord[];
  /** The authority section. */
  authority: ResourceRecord[];
  /** The additional section. */
  additional: ResourceRecord[];
}

/**
 * Answers questions from a set of zones: exact matches, CNAME chains inside
 * the zones, wildcards, delegations with glue, NXDOMAIN versus NODATA (both
 * with the SOA in authority), and REFUSED outside every zone.
 *
 * @example Usage
 * ```ts
 * import { Rcode, RecordType, Zone, ZoneAuthority } from "@spindle/spindle/protocols/dns";
 * const zone = Zone.parse(`
 * @ 3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300
 * www 3600 IN A 192.0.2.1
 * `, { origin: "example.org" });
 * const authority = new ZoneAuthority([zone]);
 * const answer = authority.lookup({ name: "WWW.example.org", type: RecordType.A, class: 1 });
 * console.assert(answer.rcode === Rcode.NOERROR && answer.answers.length === 1);
 * ```
 */
export class ZoneAuthority {
  #zones: Map<string, Zone> = new Map();

  /** Serves `zones`; the most specific zone answers for a name. */
  constructor(zones: Iterable<Zone>) {
    for (const zone of zones) this.#zones.set(zone.apexKey, zone);
  }

  /** The zones served. */
  get zones(): Zone[] {
    return [...this.#zones.values()];
  }

  /** The zone a name falls in, or `undefined`. */
  findZone(name: string): Zone | undefined {
    for (let k: string | null = nameKey(name); k !== null; k = parentKey(k)) {
      const zone = this.#zones.get(k);
      if (zone !== undefined) return zone;
    }
    return undefined;
  }

  /** Answers one question. */
  lookup(question: Question): ZoneAnswer {
    const result: ZoneAnswer = {
      rcode: Rcode.NOERROR,
      authoritative: true,
      answers: [],
      authority: [],
      additional: [],
    };
    const zone = this.findZone(question.name);
    if (
      zone === undefined ||
      (question.class !== RecordClass.IN && question.class !== RecordClass.ANY)
    ) {
      result.rcode = Rcode.REFUSED;
      result.authoritative = false;
      return result;
    }
    let name = question.name;
    const seen = new Set<string>();
    for (let step = 0; step <= MAX_CNAME_CHAIN; step++) {
      const key = nameKey(name);
      if (seen.has(key)) break; // a CNAME loop: answer with what we have
      seen.add(key);
      const next = this.#step(zone, name, key, question.type, result);
      if (next === null) break;
      name = next;
    }
    return result;
  }

  /**
   * One pass of RFC 1034 §4.3.2 step 3 for `name`: adds to `result` what the
   * zone holds for it, and returns the CNAME target to restart at (inside the
   * same zone), or `null` when the answer is complete.
   */
  #step(
    zone: Zone,
    name: string,
    key: string,
    type: number,
    result: ZoneAnswer,
  ): string | null {
    const cut = this.#findCut(zone, key, type);
    if (cut !== undefined) {
      // A referral: authoritative only for what was followed to get here.
      if (result.answers.length === 0) result.authoritative = false;
      result.authority.push(...cut);
      this.#addGlue(zone, cut, result);
      return null;
    }
    let node = zone.node(key);
    if (node === undefined && !zone.exists(key)) {
      node = this.#wildcard(zone, key);
      if (node === undefined) {
        result.rcode = Rcode.NXDOMAIN;
        result.authority.push(zone.negativeSOA());
        return null;
      }
    }
    if (node === undefined) {
      result.authority.push(zone.negativeSOA()); // an empty non-terminal
      return null;
    }
    return this.#answerFrom(zone, node, name, type, result);
  }

  /** The records of `node` that answer `type`, or its CNAME to follow; NODATA when it has neither. */
  #answerFrom(
    zone: Zone,
    node: ZoneNode,
    owner: string,
    type: number,
    result: ZoneAnswer,
  ): string | null {
    if (type === RecordType.ANY) {
      for (const rrset of node.values()) {
        for (const r of rrset) result.answers.push(withOwner(r, owner));
      }
      return null;
    }
    const rrset = node.get(type);
    if (rrset !== undefined) {
      for (const r of rrset) result.answers.push(withOwner(r, owner));
      this.#addAdditional(zone, rrset, result);
      return null;
    }
    const cname = node.get(RecordType.CNAME)?.[0];
    if (cname !== undefined && type !== RecordType.CNAME) {
      result.answers.push(withOwner(cname, owner));
      const target = (cname.data as { name: string }).name;
      return this.findZone(target) === zone ? target : null;
    }
    result.authority.push(zone.negativeSOA());
    return null;
  }

  /** The NS set of a zone cut between the apex and `key` (inclusive, except DS at the cut). */
  #findCut(
    zone: Zone,
    key: string,
    type: number,
  ): ResourceRecord[] | undefined {
    const path: string[] = [];
    for (
      let k: string | null = key;
      k !== null && k !== zone.apexKey;
      k = parentKey(k)
    ) {
      path.push(k);
    }
    for (let i = path.length - 1; i >= 0; i--) {
      const ns = zone.node(path[i]!)?.get(RecordType.NS);
      // DS (43) belongs to the parent side of a cut.
      if (ns !== undefined && !(i === 0 && type === 43)) return ns;
    }
    return undefined;
  }

  /** The records of `*.<closest encloser>`, if such a wildcard exists. */
  #wildcard(zone: Zone, key: string): ZoneNode | undefined {
    for (let k = parentKey(key); k !== null; k = parentKey(k)) {
      if (zone.exists(k)) {
        return zone.node(k === "" ? "*" : `*.${k}`);
      }
      if (k === zone.apexKey) break;
    }
    return undefined;
  }

  #addGlue(zone: Zone, ns: ResourceRecord[], result: ZoneAnswer): void {
    for (const record of ns) {
      this.#addAddresses(zone, (record.data as { name: string }).name, result);
    }
  }

  #addAdditional(
    zone: Zone,
    rrset: ResourceRecord[],
    result: ZoneAnswer,
  ): void {
    for (const record of rrset) {
      const data = record.data as Partial<
        { exchange: string; target: string; name: string }
      >;
      const target = record.type === RecordType.MX
        ? data.exchange
        : record.type === RecordType.SRV
        ? data.target
        : record.type === RecordType.NS
        ? data.name
        : undefined;
      if (target !== undefined) this.#addAddresses(zone, target, result);
    }
  }

  #addAddresses(zone: Zone, name: string, result: ZoneAnswer): void {
    const node = zone.node(nameKey(name));
    if (node === undefined) return;
    for (const type of [RecordType.A, RecordType.AAAA]) {
      for (const record of node.get(type) ?? []) {
        if (!result.additional.includes(record)) result.additional.push(record);
      }
    }
  }
}

function withOwner(record: ResourceRecord, owner: string): ResourceRecord {
  return record.name === owner ? record : { ...record, name: owner };
}
