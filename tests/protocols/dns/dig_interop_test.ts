// dig and kdig (Debian dnsutils, knot-dnsutils) against the Spindle server.
import type { DenoReactor } from "../../../reactor/mod.ts";
import {
  assert,
  assertEquals,
  assertMatch,
} from "../../../trial/assertions.ts";
import { withFixtureServer } from "./_helpers.ts";
import { peerTest, run } from "./_interop.ts";
import { PEERS } from "../../_peers.ts";

// The fixture zone's server while `fn` runs, by its port.
function withServer(
  reactor: DenoReactor,
  fn: (port: number) => Promise<void>,
): Promise<void> {
  return withFixtureServer(reactor, (server) => fn(server.addr.port));
}

/** The record types of the answer section in dig's or kdig's output, in order. */
function answerTypes(out: string): string[] {
  const section = out.split(/;; ANSWER SECTION:\s*\n/)[1] ?? "";
  const types: string[] = [];
  for (const line of section.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) break; // the blank line that ends the section
    types.push(fields[3]!);
  }
  return types;
}

const common: Record<string, string[]> = {
  dig: ["@127.0.0.1", "+tries=1", "+time=3", "+norecurse"],
  kdig: ["@127.0.0.1", "+retry=0", "+time=3", "+norecurse"],
};

for (const tool of ["dig", "kdig"] as const) {
  const peer = PEERS[tool];
  const ask = (path: string, port: number, ...args: string[]) =>
    run(path, [...common[tool]!, "-p", String(port), ...args]);

  peerTest(
    peer,
    `${tool}: A, AAAA, MX, TXT and SOA answers`,
    async (path, t) => {
      await withServer(t.reactor, async (port) => {
        assertMatch(
          await ask(path, port, "www.example.org", "A"),
          /www\.example\.org\.\s+3600\s+IN\s+A\s+192\.0\.2\.1/,
        );
        assertMatch(
          await ask(path, port, "www.example.org", "AAAA"),
          /IN\s+AAAA\s+2001:db8::1/,
        );
        const mx = await ask(path, port, "example.org", "MX");
        assertMatch(mx, /IN\s+MX\s+10 mail\.example\.org\./);
        assertMatch(mx, /IN\s+MX\s+20 mail2\.example\.net\./);
        assertMatch(
          await ask(path, port, "example.org", "TXT"),
          /IN\s+TXT\s+"v=spf1 mx -all" "second string"/,
        );
        assertMatch(
          await ask(path, port, "example.org", "SOA"),
          /IN\s+SOA\s+ns1\.example\.org\. hostmaster\.example\.org\. 2026112901 7200 900 1209600 300/,
        );
      });
    },
  );

  peerTest(peer, `${tool}: the answer is authoritative`, async (path, t) => {
    await withServer(t.reactor, async (port) => {
      assertMatch(
        await ask(path, port, "www.example.org", "A"),
        /flags: qr aa[;\s]/i,
      );
    });
  });

  peerTest(peer, `${tool}: NXDOMAIN carries the SOA`, async (path, t) => {
    await withServer(t.reactor, async (port) => {
      const out = await ask(path, port, "nope.example.org", "A");
      assertMatch(out, /status: NXDOMAIN/);
      assertMatch(
        out,
        /AUTHORITY SECTION:\s*\nexample\.org\.\s+300\s+IN\s+SOA/,
      );
    });
  });

  peerTest(
    peer,
    `${tool}: NODATA is NOERROR with no answer and the SOA`,
    async (path, t) => {
      await withServer(t.reactor, async (port) => {
        const out = await ask(path, port, "www.example.org", "MX");
        assertMatch(out, /status: NOERROR/);
        assertMatch(out, /ANSWER: 0/);
        assertMatch(out, /IN\s+SOA/);
      });
    },
  );

  peerTest(peer, `${tool}: +tcp`, async (path, t) => {
    await withServer(t.reactor, async (port) => {
      assertMatch(
        await ask(path, port, "+tcp", "www.example.org", "A"),
        /IN\s+A\s+192\.0\.2\.1/,
      );
    });
  });

  peerTest(
    peer,
    `${tool}: a large answer is truncated over UDP and complete over TCP`,
    async (path, t) => {
      await withServer(t.reactor, async (port) => {
        const udp = await ask(
          path,
          port,
          "+noedns",
          "+ignore",
          "big.example.org",
          "TXT",
        );
        assertMatch(udp, /flags: qr aa tc[;\s]/i);
        const retried = await ask(
          path,
          port,
          "+noedns",
          "big.example.org",
          "TXT",
        );
        const records = retried.match(/IN\s+TXT\s+"\d/g) ?? [];
        assert(
          records.length === 6,
          `expected 6 TXT records after the TCP retry:\n${retried}`,
        );
      });
    },
  );

  peerTest(
    peer,
    `${tool}: EDNS is answered with OPT and a 1232-byte payload size`,
    async (path, t) => {
      await withServer(t.reactor, async (port) => {
        const out = await ask(
          path,
          port,
          "+edns=0",
          "+bufsize=4096",
          "+dnssec",
          "big.example.org",
          "TXT",
        );
        assertMatch(
          out,
          /(EDNS: version: 0, flags: do; udp: 1232|EDNS PSEUDOSECTION:\s*\n;; Version: 0; flags: do; UDP size: 1232)/,
        );
        assert(
          !/flags: qr aa tc/i.test(out),
          "the answer fits in the EDNS size and must not be truncated",
        );
      });
    },
  );

  peerTest(
    peer,
    `${tool}: ANY over UDP gets one RRset (RFC 8482), over TCP every one`,
    async (path, t) => {
      await withServer(t.reactor, async (port) => {
        const udp = answerTypes(
          // +notcp: dig 9.18 would otherwise ask ANY over TCP.
          await ask(path, port, "+notcp", "+ignore", "example.org", "ANY"),
        );
        assertEquals(new Set(udp).size, 1, `one RRset expected: ${udp}`);
        const tcp = answerTypes(
          await ask(path, port, "+tcp", "example.org", "ANY"),
        );
        assertEquals(
          [...new Set(tcp)].sort(),
          ["CAA", "MX", "NS", "SOA", "TXT"],
        );
      });
    },
  );

  peerTest(
    peer,
    `${tool}: names outside the zone are REFUSED`,
    async (path, t) => {
      await withServer(t.reactor, async (port) => {
        assertMatch(
          await ask(path, port, "www.example.com", "A"),
          /status: REFUSED/,
        );
      });
    },
  );
}
