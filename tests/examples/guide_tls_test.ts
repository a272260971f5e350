/**
 * Smoke test for examples/guide_tls.ts, with certificates made by openssl:
 * the TLS listener negotiates ALPN and sees SNI, and STARTTLS upgrades.
 */
import { makeTestPki } from "../reactor/_tls.ts";
import { runSmoke, type SmokeKit } from "./_smoke_kit.ts";

export async function smoke(kit: SmokeKit): Promise<void> {
  const { dir } = await makeTestPki();
  const result = await kit.run("guide_tls", [
    "--ca",
    `${dir}/ca.pem`,
    "--cert",
    `${dir}/localhost.pem`,
    "--key",
    `${dir}/localhost.key`,
  ]);
  const expected = [
    "tls: alpn=greet/1 sni=localhost",
    "starttls: GO",
    "starttls: SECRET (encrypted)",
  ].join("\n");
  if (result.code !== 0 || result.output.trim() !== expected) {
    throw new Error(`guide_tls printed:\n${result.output}`);
  }
}

Deno.test("examples/guide_tls.ts: ALPN and SNI over a tls: endpoint, then STARTTLS", () =>
  runSmoke(smoke));
