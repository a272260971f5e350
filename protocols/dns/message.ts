/**
 * The shape of a DNS message as Spindle hands it around: plain objects, names
 * as dotted strings without the trailing dot (`"www.example.org"`, the root is
 * `""`), case preserved as received.
 *
 * @module
 */
import type { RecordTypeCode } from "./constants.ts";

/**
 * An IPv4 (A) or IPv6 (AAAA) address in its usual text form.
 *
 * @example Usage
 * ```ts
 * import { type AddressData } from "@spindle/spindle/protocols/dns";
 * const data: AddressData = { address: "192.0.2.1" };
 * console.assert(data.address.length > 0);
 * ```
 */
export interface AddressData {
  /** `"192.0.2.1"` or `"2001:db8::1"`. */
  address: string;
}

/**
 * The single domain name of a CNAME, NS, PTR (or DNAME) record.
 *
 * @example Usage
 * ```ts
 * import { type NameData } from "@spindle/spindle/protocols/dns";
 * const data: NameData = { name: "www.example.org" };
 * console.assert(data.name.endsWith("org"));
 * ```
 */
export interface NameData {
  /** The target name. */
  name: string;
}

/**
 * An MX record's data.
 *
 * @example Usage
 * ```ts
 * import { type MXData } from "@spindle/spindle/protocols/dns";
 * const data: MXData = { preference: 10, exchange: "mail.example.org" };
 * console.assert(data.preference === 10);
 * ```
 */
export interface MXData {
  /** Lower is preferred. */
  preference: number;
  /** The mail exchange host. */
  exchange: string;
}

/**
 * An SOA record's data.
 *
 * @example Usage
 * ```ts
 * import { type SOAData } from "@spindle/spindle/protocols/dns";
 * const data: SOAData = {
 *   mname: "ns1.example.org", rname: "hostmaster.example.org",
 *   serial: 1, refresh: 7200, retry: 900, expire: 1209600, minimum: 300,
 * };
 * console.assert(data.minimum === 300);
 * ```
 */
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

/**
 * A TXT record's character-strings (each at most 255 bytes in UTF-8).
 *
 * @example Usage
 * ```ts
 * import { type TXTData } from "@spindle/spindle/protocols/dns";
 * const data: TXTData = { strings: ["v=spf1 -all"] };
 * console.assert(data.strings.length === 1);
 * ```
 */
export interface TXTData {
  /** The strings, in order. */
  strings: string[];
}

/**
 * An SRV record's data (RFC 2782).
 *
 * @example Usage
 * ```ts
 * import { type SRVData } from "@spindle/spindle/protocols/dns";
 * const data: SRVData = { priority: 10, weight: 60, port: 5060, target: "sip.example.org" };
 * console.assert(data.port === 5060);
 * ```
 */
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

/**
 * A CAA record's data (RFC 8659).
 *
 * @example Usage
 * ```ts
 * import { type CAAData } from "@spindle/spindle/protocols/dns";
 * const data: CAAData = { flags: 0, tag: "issue", value: "ca.example.net" };
 * console.assert(data.tag === "issue");
 * ```
 */
export interface CAAData {
  /** Bit 128 is "issuer critical". */
  flags: number;
  /** `"issue"`, `"issuewild"`, `"iodef"`... */
  tag: string;
  /** The property value. */
  value: string;
}

/**
 * The RDATA of a type Spindle does not interpret, kept as bytes (RFC 3597).
 *
 * @example Usage
 * ```ts
 * import { type OpaqueData } from "@spindle/spindle/protocols/dns";
 * const data: OpaqueData = { rdata: new Uint8Array([1, 2, 3]) };
 * console.assert(data.rdata.length === 3);
 * ```
 */
export interface OpaqueData {
  /** The raw RDATA. */
  rdata: Uint8Array;
}

/**
 * The data of a record; which shape depends on the record's type.
 *
 * @example Usage
 * ```ts
 * import { type RecordData } from "@spindle/spindle/protocols/dns";
 * const data: RecordData = { address: "2001:db8::1" };
 * console.assert("address" in data);
 * ```
 */
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
 *
 * @example Usage
 * ```ts
 * import { RecordType, type ResourceRecord, type AddressData } from "@spindle/spindle/protocols/dns";
 * const record: ResourceRecord<AddressData> = {
 *   name: "www.example.org", type: RecordType.A, class: 1, ttl: 300,
 *   data: { address: "192.0.2.1" },
 * };
 * console.assert(record.ttl === 300);
 * ```
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

/**
 * A question: the name, type and class asked for.
 *
 * @example Usage
 * ```ts
 * import { RecordType, type Question } from "@spindle/spindle/protocols/dns";
 * const question: Question = { name: "example.org", type: RecordType.MX, class: 1 };
 * console.assert(question.type === 15);
 * ```
 */
export interface Question {
  /** The name asked about. */
  name: string;
  /** The type asked for. */
  type: RecordTypeCode;
  /** The class asked for, usually 1 (IN). */
  class: number;
}

/**
 * An EDNS0 option (RFC 6891 §6.1.2), kept as bytes.
 *
 * @example Usage
 * ```ts
 * import { type EDNSOption } from "@spindle/spindle/protocols/dns";
 * // A DNS cookie option (RFC 7873) with an 8-byte client cookie.
 * const option: EDNSOption = { code: 10, data: new Uint8Array(8) };
 * console.assert(option.code === 10);
 * ```
 */
export interface EDNSOption {
  /** The option code. */
  code: number;
  /** The option data. */
  data: Uint8Array;
}

/**
 * What a message's OPT pseudo-record says (RFC 6891).
 *
 * @example Usage
 * ```ts
 * import { type EDNS } from "@spindle/spindle/protocols/dns";
 * const edns: EDNS = { udpPayloadSize: 1232, version: 0, dnssecOk: false, options: [] };
 * console.assert(edns.version === 0);
 * ```
 */
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
 *
 * @example Usage
 * ```ts
 * import { createMessage, type DNSMessage } from "@spindle/spindle/protocols/dns";
 * const message: DNSMessage = createMessage({ id: 1, response: true });
 * console.assert(message.answers.length === 0);
 * ```
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

/**
 * The fields of a new message; everything left out takes its zero value.
 *
 * @example Usage
 * ```ts
 * import { createMessage, type DNSMessageInit } from "@spindle/spindle/protocols/dns";
 * const init: DNSMessageInit = { id: 9, recursionDesired: true };
 * console.assert(createMessage(init).id === 9);
 * ```
 */
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
