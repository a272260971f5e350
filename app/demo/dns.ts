/**
 * The demo's authoritative DNS server for the zone `demo.test.` (RFC 6761
 * reserves `.test` for testing), over UDP and TCP on port base + 53.
 *
 * @module
 */
import { DNSService } from "../../protocols/dns/plugin.ts";
import { Zone } from "../../protocols/dns/zone.ts";
import { type DemoService, endpointString } from "./demo_service.ts";

/**
 * The zone the demo serves, as a zone file. Every name points at loopback,
 * where the demo's other services listen.
 *
 * @example Usage
 * ```ts
 * import { DEMO_ZONE } from "./dns.ts";
 * console.assert(DEMO_ZONE.includes("$ORIGIN demo.test."));
 * ```
 */
export const DEMO_ZONE = `$ORIGIN demo.test.
$TTL 300
@      IN SOA   ns.demo.test. hostmaster.demo.test. 1 3600 600 86400 300
@      IN NS    ns
@      IN A     127.0.0.1
@      IN AAAA  ::1
@      IN MX    10 mail
ns     IN A     127.0.0.1
www    IN A     127.0.0.1
www    IN AAAA  ::1
mail   IN A     127.0.0.1
hello  IN TXT   "Hello from Spindle's demo"
`;

/**
 * DNS: the zone `demo.test.` over UDP and TCP.
 *
 * @example Usage
 * ```ts
 * import { dns } from "./dns.ts";
 * console.assert(dns.transports?.includes("udp"));
 * ```
 */
export const dns: DemoService = {
  name: "dns",
  description:
    "an authoritative DNS server for the zone demo.test. (UDP and TCP)",
  port: 53,
  transports: ["udp", "tcp"],
  tryIt: ({ hostname, port }) => [
    {
      command: `dig @${hostname} -p ${port} +short www.demo.test`,
      expect: "127.0.0.1",
    },
    {
      command: `dig @${hostname} -p ${port} +short +tcp TXT hello.demo.test`,
      expect: "Hello from Spindle's demo",
    },
  ],
  makeService: ({ address }) =>
    new DNSService(
      [Zone.parse(DEMO_ZONE, { origin: "demo.test." })],
      { listen: endpointString(address, "udp") },
      "dns",
    ),
};
