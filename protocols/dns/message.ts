/**
 * The shape of a DNS message as Spindle hands it around: plain objects, names
 * as dotted strings without the trailing dot (`"www.example.org"`, the root is
 * `""`), case preserved as received.
 *
 * @module
 */
import type { RecordTypeCode } from "./constants.ts";

/** An IPv4 (A) or IPv6 (AAAA) address in its usual text form. */
export interface AddressData {
  /** `"192.0.2.1"` or `"2001:db8::1"`. */
  address: string;
}

/** The single domain name of a CNAME, NS, PTR (or DNAME) record. */
export interface NameData {
  /** The target name. */
  name: string;
}

/** An MX record's data. */
export interface MXData {
  /** Lower is preferred. */
  preference: number;
  /** The mail exchange host. */
  exchange: string;
}

/** An SOA record's data. */
export interface SOAData {
  /** The primary name server. */
  mname: string;
  /** The mailbox of the person responsible, as a name (`hostmaster.example.org`). */
  rname: string;
  /** The zone's version. */
  serial: number;
  /** Seconds between secondary refreshes. */
  refresh: number;
  /** Seconds before a failed refresh is retried. */
  retry: number;
  /** Seconds after which a secondary stops answering. */
  expire: number;
  /** The TTL of negative answers (RFC 2308). */
  minimum: number;
}

/** A TXT record's character-strings (each at most 255 bytes in UTF-8). */
export interface TXTData {
  /** The strings, in order. */
  strings: string[];
}

/** An SRV record's data (RFC 2782). */
export interface SRVData {
  /** Lower is tried first. */
  priority: number;
  /** Relative weight among equal priorities. */
  weight: number;
  /** The service's port. */
  port: number;
  /** The host offering the service. */
  target: string;
}

/** A CAA record's data (RFC 8659). */
export interface CAAData {
  /** Bit 128 is "issuer critical". */
  flags: number;
  /** `"issue"`, `"issuewild"`, `"iodef"`... */
  tag: string;
  /** The property value. */
  value: string;
}

/** The RDATA of a type Spindle does not interpret, kept as bytes (RFC 3597). */
export interface OpaqueData {
  /** The raw RDATA. */
  rdata: Uint8Array;
}

/** The data of a record; which shape depends on the record's type. */
export type RecordData =
  | AddressData
  | NameData
  | MXData
  | SOAData
  | TXTData
  | SRVData
  | CAAData
  | OpaqueData;

/**
 * A resource record.
 *
 * @typeParam D The shape of `data` when the type is known (see {@linkcode RecordData}).
 */
export interface ResourceRecord<D extends RecordData = RecordData> {
  /** The owner name. */
  name: string;
  /** The type code (see `RecordType`). */
  type: RecordTypeCode;
  /** The class code, usually 1 (IN). */
  class: number;
  /** Time to live, in seconds. */
  ttl: number;
  /** The record data. */
  data: D;
}

/** A question: the name, type and class asked for. */
export interface Question {
  /** The name asked about. */
  name: string;
  /** The type asked for. */
  type: RecordTypeCode;
  /** The class asked for, usually 1 (IN). */
  class: number;
}

/** An EDNS0 option (RFC 6891 §6.1.2), kept as bytes. */
export interface EDNSOption {
  /** The option code. */
  code: number;
  /** The option data. */
  data: Uint8Array;
}

/** What a message's OPT pseudo-record says (RFC 6891). */
export interface EDNS {
  /** The largest UDP payload the sender can receive. */
  udpPayloadSize: number;
  /** The EDNS version (0). */
  version: number;
  /** The DO bit: the sender wants DNSSEC records. */
  dnssecOk: boolean;
  /** The options carried. */
  options: EDNSOption[];
}

/**
 * A DNS message (query or response).
 *
 * The OPT pseudo-record is not in `additional`: it is decoded into
 * {@linkcode DNSMessage.edns}, and its extended RCODE bits are merged into
 * {@linkcode DNSMessage.rcode}.
 */
export interface DNSMessage {
  /** The 16-bit query ID. */
  id: number;
  /** QR: this is a response. */
  response: boolean;
  /** The operation code (see `Opcode`). */
  opcode: number;
  /** AA: the answer is authoritative. */
  authoritative: boolean;
  /** TC: the message was truncated; retry over TCP. */
  truncated: boolean;
  /** RD: the client wants recursion. */
  recursionDesired: boolean;
  /** RA: the server offers recursion. */
  recursionAvailable: boolean;
  /** AD: the data was DNSSEC-authenticated. */
  authenticData: boolean;
  /** CD: the client disables DNSSEC checking. */
  checkingDisabled: boolean;
  /** The response code, extended to 12 bits by EDNS (see `Rcode`). */
  rcode: number;
  /** The questions (usually exactly one). */
  questions: Question[];
  /** The answer section. */
  answers: ResourceRecord[];
  /** The authority section. */
  authority: ResourceRecord[];
  /** The additional section (without the OPT pseudo-record). */
  additional: ResourceRecord[];
  /** The EDNS0 information, when the message has an OPT record. */
  edns?: EDNS;
}

/** The fields of a new message; everything left out takes its zero value. */
export type DNSMessageInit = Partial<DNSMessage>;

/**
 * A message with every field filled in: zeros, `false`, empty sections, no EDNS.
 *
 * @example Usage
 * ```ts
 * import { createMessage, RecordType } from "@spindle/spindle/protocols/dns";
 * const query = createMessage({
 *   id: 7,
 *   recursionDesired: true,
 *   questions: [{ name: "example.org", type: RecordType.A, class: 1 }],
 * });
 * console.assert(query.answers.length === 0);
 * ```
 */
export function createMessage(init: DNSMessageInit = {}): DNSMessage {
  const message: DNSMessage = {
    id: init.id ?? 0,
    response: init.response ?? false,
    opcode: init.opcode ?? 0,
    authoritative: init.authoritative ?? false,
    truncated: init.truncated ?? false,
    recursionDesired: init.recursionDesired ?? false,
    recursionAvailable: init.recursionAvailable ?? false,
    authenticData: init.authenticData ?? false,
    checkingDisabled: init.checkingDisabled ?? false,
    rcode: init.rcode ?? 0,
    questions: init.questions ?? [],
    answers: init.answers ?? [],
    authority: init.authority ?? [],
    additional: init.additional ?? [],
  };
  if (init.edns !== undefined) message.edns = init.edns;
  return message;
}
