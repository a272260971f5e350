/**
 * Building the server's responses: the reply skeleton for a query, the
 * FORMERR for bytes that did not decode, the empty truncated reply of rate
 * limiting, and the size a UDP answer may take.
 *
 * @module
 */
import { Rcode } from "./constants.ts";
import { CLASSIC_UDP_SIZE, MAX_LABEL_LENGTH } from "./limits.ts";
import type { DNSMessage } from "./message.ts";

/**
 * The response to `query` before any lookup: its ID, question and flags
 * echoed, no records, and an OPT record advertising `maxUdpPayload` when the
 * query has one (RFC 6891 §7).
 */
export function replyTo(
  query: DNSMessage,
  maxUdpPayload: number,
  recursionAvailable: boolean,
): DNSMessage {
  const response: DNSMessage = {
    id: query.id,
    response: true,
    opcode: query.opcode,
    authoritative: false,
    truncated: false,
    recursionDesired: query.recursionDesired,
    recursionAvailable,
    authenticData: false,
    checkingDisabled: query.checkingDisabled,
    rcode: Rcode.NOERROR,
    questions: query.questions,
    answers: [],
    authority: [],
    additional: [],
  };
  if (query.edns !== undefined) {
    response.edns = {
      udpPayloadSize: maxUdpPayload,
      version: 0,
      dnssecOk: query.edns.dnssecOk,
      options: [],
    };
  }
  return response;
}

/** `response` with its record sections emptied and `changes` applied. */
export function withoutRecords(
  response: DNSMessage,
  changes: Partial<DNSMessage>,
): DNSMessage {
  return {
    ...response,
    answers: [],
    authority: [],
    additional: [],
    ...changes,
  };
}

/**
 * The most bytes a UDP response to `query` may take: 512 without EDNS, else
 * the client's size within 512..`maxUdpPayload` (RFC 6891 §6.2.5).
 */
export function udpLimit(query: DNSMessage, maxUdpPayload: number): number {
  if (query.edns === undefined) return CLASSIC_UDP_SIZE;
  return Math.min(
    maxUdpPayload,
    Math.max(CLASSIC_UDP_SIZE, query.edns.udpPayloadSize),
  );
}

/** FORMERR for a query that did not decode, if its header can be read. */
export function formatErrorResponse(query: Uint8Array): Uint8Array | null {
  if (query.length < 12 || (query[2]! & 0x80) !== 0) return null;
  const out = new Uint8Array(12);
  out[0] = query[0]!;
  out[1] = query[1]!;
  out[2] = 0x80 | (query[2]! & 0x79); // QR, the opcode and RD
  out[3] = Rcode.FORMERR;
  return out;
}

/**
 * An empty reply with TC=1 to `query`, built from its bytes without decoding
 * it: the header (QR and TC set, the opcode and RD kept, no records) and its
 * first question. `null` for a response or a question that does not parse.
 */
export function truncatedReply(query: Uint8Array): Uint8Array | null {
  const n = query.length;
  if (n < 12 || (query[2]! & 0x80) !== 0) return null;
  const questions = (query[4]! << 8) | query[5]!;
  let end = 12;
  if (questions > 0) {
    for (;;) {
      if (end >= n) return null;
      const length = query[end]!;
      if (length === 0) {
        end += 1;
        break;
      }
      if (length > MAX_LABEL_LENGTH) return null;
      end += 1 + length;
    }
    end += 4; // QTYPE and QCLASS
    if (end > n) return null;
  }
  const out = query.slice(0, end);
  out[2] = 0x80 | (query[2]! & 0x79) | 0x02; // QR, the opcode, TC and RD
  out[3] = 0;
  out.fill(0, 4, 12);
  out[5] = questions > 0 ? 1 : 0;
  return out;
}
