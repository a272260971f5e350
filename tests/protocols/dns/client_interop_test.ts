// The Spindle client against real authoritative servers on loopback: Knot DNS
// (Debian knot) and Twisted's names server (python3-twisted).
import { assertEquals, assertRejects } from "../../../trial/assertions.ts";
import {
  createResolver,
  DNSClient,
  DNSNameError,
  RecordType,
} from "../../../protocols/dns/mod.ts";
import { freePort, peerTest } from "./_interop.ts";
import { PEERS } from "../../_peers.ts";

const fixtures = new URL("./fixtures/", import.meta.url).pathname;

/** The data of the answers a lookup resolves to. */
async function answerData(
  lookup: PromiseLike<{ answers: { data: unknown }[] }>,
): Promise<unknown[]> {
  return (await lookup).answers.map((r) => r.data);
}

/** Spawns a peer and waits until it answers a query (or prints its ready line). */
async function startPeer(
  path: string,
  args: string[],
  port: number,
): Promise<{ stop(): Promise<void> }> {
  const child = new Deno.Command(path, {
    args,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeTo(new WritableStream());
  const probe = new DNSClient({
    servers: [`127.0.0.1:${port}`],
    timeouts: [100],
  });
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await stderr.catch(() => {});
  };
  for (let i = 0; i < 100; i++) {
    try {
      await probe.queryMessage({
        name: "example.org",
        type: RecordType.SOA,
        class: 1,
      });
      return { stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await stop();
  throw new Error(`${path} did not answer on port ${port} within 5 s`);
}

async function withKnot(
  fn: (server: string) => Promise<void>,
  path: string,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "spindle-knot-" });
  const port = freePort();
  await Deno.copyFile(`${fixtures}example.org.zone`, `${dir}/example.org.zone`);
  await Deno.writeTextFile(
    `${dir}/knot.conf`,
    [
      "server:",
      `    listen: 127.0.0.1@${port}`,
      `    rundir: ${dir}`,
      "    user: root:root",
      "database:",
      `    storage: ${dir}`,
      "template:",
      "  - id: default",
      `    storage: ${dir}`,
      '    file: "%s.zone"',
      "zone:",
      "  - domain: example.org",
      "log:",
      "  - target: stderr",
      "    any: warning",
      "",
    ].join("\n"),
  );
  const peer = await startPeer(path, ["-c", `${dir}/knot.conf`], port);
  try {
    await fn(`127.0.0.1:${port}`);
  } finally {
    await peer.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function withTwisted(
  fn: (server: string) => Promise<void>,
  path: string,
): Promise<void> {
  const port = freePort();
  const peer = await startPeer(path, [
    `${fixtures}twisted_names_server.py`,
    `${fixtures}simple.example.org.zone`,
    String(port),
  ], port);
  try {
    await fn(`127.0.0.1:${port}`);
  } finally {
    await peer.stop();
  }
}

/**
 * The answers both peers' zones give alike: www's A and AAAA records and
 * the SIP service's SRV record.
 */
async function assertSharedAnswers(client: DNSClient): Promise<void> {
  assertEquals(await answerData(client.lookupAddress("www.example.org")), [
    { address: "192.0.2.1" },
  ]);
  assertEquals(await answerData(client.lookupIPV6Address("www.example.org")), [
    { address: "2001:db8::1" },
  ]);
  assertEquals(
    await answerData(client.lookupService("_sip._tcp.example.org")),
    [{ priority: 10, weight: 60, port: 5060, target: "sip.example.org" }],
  );
}

peerTest(
  PEERS.knot,
  "client vs Knot DNS: A, AAAA, MX, TXT, SRV, CAA, NS answers",
  async (path) => {
    await withKnot(async (server) => {
      const client = new DNSClient({ servers: [server] });
      await assertSharedAnswers(client);
      assertEquals(
        (await answerData(client.lookupMailExchange("example.org"))).length,
        2,
      );
      assertEquals(await answerData(client.lookupText("example.org")), [{
        strings: ["v=spf1 mx -all", "second string"],
      }]);
      assertEquals(
        await answerData(client.query("example.org", RecordType.CAA)),
        [
          { flags: 0, tag: "issue", value: "ca.example.net" },
        ],
      );
      assertEquals(
        (await answerData(client.lookupNameservers("example.org"))).length,
        2,
      );
    }, path);
  },
);

peerTest(
  PEERS.knot,
  "client vs Knot DNS: a CNAME chain and NXDOMAIN",
  async (path) => {
    await withKnot(async (server) => {
      const client = new DNSClient({ servers: [server] });
      const chain = await client.lookupAddress("chain.example.org");
      assertEquals(chain.answers.map((r) => r.type), [5, 5, 1]);
      await assertRejects(
        () => client.lookupAddress("nope.example.org").asPromise(),
        DNSNameError,
      );
    }, path);
  },
);

peerTest(
  PEERS.knot,
  "client vs Knot DNS: a truncated answer is fetched again over TCP",
  async (path) => {
    await withKnot(async (server) => {
      const client = new DNSClient({ servers: [server], ednsPayloadSize: 0 });
      const result = await client.lookupText("big.example.org");
      assertEquals(result.answers.length, 6);
    }, path);
  },
);

peerTest(
  PEERS.knot,
  "resolver vs Knot DNS: NODATA is an empty answer with the SOA",
  async (path) => {
    await withKnot(async (server) => {
      const resolver = createResolver({ servers: [server] });
      const result = await resolver.lookupMailExchange("www.example.org");
      assertEquals(result.answers, []);
      assertEquals(result.authority.map((r) => r.type), [RecordType.SOA]);
    }, path);
  },
);

peerTest(
  PEERS.twisted,
  "client vs Twisted names: A, AAAA, MX, TXT, SRV and NXDOMAIN",
  async (path) => {
    await withTwisted(async (server) => {
      const client = new DNSClient({ servers: [server] });
      await assertSharedAnswers(client);
      assertEquals(await answerData(client.lookupMailExchange("example.org")), [
        { preference: 10, exchange: "mail.example.org" },
      ]);
      assertEquals(await answerData(client.lookupText("example.org")), [{
        strings: ["hello", "world"],
      }]);
      await assertRejects(
        () => client.lookupAddress("nope.example.org").asPromise(),
        DNSNameError,
      );
    }, path);
  },
);
