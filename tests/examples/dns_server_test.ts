/** Smoke test for examples/dns_server.ts: the Spindle client queries it. */
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";
import {
  DNSClient,
  DNSNameError,
  RecordType,
} from "../../protocols/dns/mod.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  // The runner stops the example if a check below throws.
  const server = await kit.start("dns_server", ["--port", "0"]);
  const client = new DNSClient({
    servers: [`${server.hostname}:${server.port}`],
    timeouts: [2000],
  });
  const a = await client.lookupAddress("www.example.org");
  const address = (a.answers[0]?.data as { address?: string }).address;
  if (address !== "192.0.2.1") {
    throw new Error(`dns_server answered www.example.org A with ${address}`);
  }
  const mx = await client.lookupMailExchange("example.org");
  if (mx.answers[0]?.type !== RecordType.MX) {
    throw new Error("dns_server gave no MX record for example.org");
  }
  const missing = await client.lookupAddress("nope.example.org").asPromise()
    .then(() => null, (error) => error);
  if (!(missing instanceof DNSNameError)) {
    throw new Error(`dns_server did not answer NXDOMAIN: ${missing}`);
  }
  const result = await server.stop();
  if (result.code !== 0) {
    throw new Error(`dns_server exited with ${result.code}:\n${result.output}`);
  }
}

Deno.test("examples/dns_server.ts: it answers the Spindle client's queries, NXDOMAIN included", () =>
  runSmoke(smoke));
