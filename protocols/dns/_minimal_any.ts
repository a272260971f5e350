/**
 * RFC 8482's minimal answer to an `ANY` query over UDP: one RRset of the name
 * instead of all of them, so that `ANY` no longer amplifies a spoofed query
 * into a reply many times its size.
 *
 * @module
 */
import type { ResourceRecord } from "./message.ts";
import { encodeMessage } from "./wire.ts";
import { createMessage } from "./message.ts";

/** RRSIG (RFC 4034 §3): signatures travel with the RRset they cover. */
const RRSIG = 46;

/**
 * The smallest RRset on the wire among `answers` (the records of one name),
 * with the RRSIGs that cover it; ties go to the RRset the zone lists first.
 *
 * RFC 8482 §4 lets a responder answer `ANY` with one RRset (§4.1) or with a
 * synthesized `HINFO "RFC8482" ""` (§4.2). One real RRset is chosen: the
 * client gets data it can use and cache (BIND's `minimal-any` does the same),
 * and the reply stays within one RRset of the query's size. The smallest is
 * taken so that the name's largest RRset (a long TXT, say) is never the one
 * an attacker gets reflected.
 */
export function minimalAnyAnswer(
  answers: ResourceRecord[],
): ResourceRecord[] {
  const rrsets = new Map<number, ResourceRecord[]>();
  for (const record of answers) {
    if (record.type === RRSIG) continue;
    const rrset = rrsets.get(record.type);
    if (rrset === undefined) rrsets.set(record.type, [record]);
    else rrset.push(record);
  }
  let best: ResourceRecord[] = [];
  let bestSize = Infinity;
  for (const rrset of rrsets.values()) {
    const size = wireSize(rrset);
    if (size < bestSize) {
      best = rrset;
      bestSize = size;
    }
  }
  const type = best[0]?.type;
  if (type === undefined) return best;
  return best.concat(answers.filter((r) => covers(r, type)));
}

/** The encoded size of `records` alone in a message; a set that cannot be encoded is never chosen. */
function wireSize(records: ResourceRecord[]): number {
  try {
    return encodeMessage(createMessage({ answers: records })).length;
  } catch {
    return Infinity;
  }
}

/** Whether `record` is an RRSIG over records of `type` (its first two RDATA bytes). */
function covers(record: ResourceRecord, type: number): boolean {
  if (record.type !== RRSIG || !("rdata" in record.data)) return false;
  const rdata = record.data.rdata;
  return rdata.length >= 2 && ((rdata[0]! << 8) | rdata[1]!) === type;
}
