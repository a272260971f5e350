/**
 * Building the server's responses: the reply skeleton for a query, the
 * FORMERR for bytes that did not decode, and the size a UDP answer may take.
 *
 * @module
 */
import { Rcode } from "./constants.ts";
import { CLASSIC_UDP_SIZE } from "./limits.ts";
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
