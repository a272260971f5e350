// An authoritative DNS server for a small zone, over UDP and TCP on one port.
//
// Run it:   deno run -A --unstable-net examples/dns_server.ts --port 5353
// Ask it:   dig @127.0.0.1 -p 5353 www.example.org A
//           dig @127.0.0.1 -p 5353 +tcp example.org MX
// Options:  --port N (default 5353, 0 picks a free one), --zone FILE (a zone file
//           to serve instead of the built-in example.org).
import { serveDNS, Zone } from "../protocols/dns/mod.ts";

const ZONE = `
$ORIGIN example.org.
$TTL 3600
@     IN SOA  ns1 hostmaster ( 2026112901 7200 900 1209600 300 )
      IN NS   ns1
      IN MX   10 mail
      IN TXT  "v=spf1 mx -all"
ns1   IN A    192.0.2.53
www   IN A    192.0.2.1
      IN AAAA 2001:db8::1
mail  IN A    192.0.2.25
`;

function option(name: string, fallback: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] ?? fallback : fallback;
}

const zonePath = option("zone", "");
const zone = zonePath === ""
  ? Zone.parse(ZONE, { fileName: "example.org (built in)" })
  : await Zone.load(zonePath);
const server = await serveDNS(zone, {
  listen: `udp:${option("port", "5353")}:interface=127.0.0.1`,
});
console.log(`listening on ${server.addr.hostname}:${server.addr.port}`);

const stop = () => {
  server.shutdown().then(() => Deno.exit(0));
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
