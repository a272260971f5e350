// Messages shared by the DNS tests.
import {
  createMessage,
  type DNSMessage,
  RecordType,
  type ResourceRecord,
} from "../../../protocols/dns/mod.ts";

const IN = 1;

/** A record of class IN. */
export function rr(
  name: string,
  type: number,
  data: ResourceRecord["data"],
  ttl = 300,
): ResourceRecord {
  return { name, type, class: IN, ttl, data };
}

/** A response using every record type the codec interprets. */
export function sampleResponse(): DNSMessage {
  return createMessage({
    id: 0xbeef,
    response: true,
    authoritative: true,
    recursionDesired: true,
    questions: [{ name: "www.example.org", type: RecordType.A, class: IN }],
    answers: [
      rr("www.example.org", RecordType.CNAME, { name: "web.example.org" }),
      rr("web.example.org", RecordType.A, { address: "192.0.2.1" }),
      rr("web.example.org", RecordType.AAAA, { address: "2001:db8::1" }),
      rr("example.org", RecordType.MX, {
        preference: 10,
        exchange: "mail.example.org",
      }),
      rr("example.org", RecordType.TXT, { strings: ["v=spf1 -all", "two"] }),
      rr("_sip._tcp.example.org", RecordType.SRV, {
        priority: 1,
        weight: 2,
        port: 5060,
        target: "sip.example.org",
      }),
      rr("example.org", RecordType.CAA, {
        flags: 128,
        tag: "issue",
        value: "ca.example.net",
      }),
      rr("1.2.0.192.in-addr.arpa", RecordType.PTR, { name: "web.example.org" }),
    ],
    authority: [
      rr("example.org", RecordType.NS, { name: "ns1.example.org" }),
      rr("example.org", RecordType.SOA, {
        mname: "ns1.example.org",
        rname: "hostmaster.example.org",
        serial: 2026112901,
        refresh: 7200,
        retry: 900,
        expire: 1209600,
        minimum: 3600,
      }),
    ],
    additional: [
      rr("ns1.example.org", RecordType.A, { address: "192.0.2.53" }),
    ],
    edns: { udpPayloadSize: 1232, version: 0, dnssecOk: true, options: [] },
  });
}
