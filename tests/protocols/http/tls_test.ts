/** HTTPS: the server through a TLS endpoint (ALPN http/1.1), the Agent through startTLS over the reactor. */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import { Agent, serveHTTP } from "../../../protocols/http/mod.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const curl = findPeer(PEERS.curl);

test("HTTPS: the Agent talks to the server over TLS with https: URLs", async () => {
  const pki = await makeTestPki();
  const server = await serveHTTP(
    (request) => new Response(`secure ${request.url}`),
    {
      listen:
        `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
    },
  );
  const { port } = server.addr as Deno.NetAddr;
  // HTTP/1.1's pool is what this test looks at (HTTP/2: tests/protocols/http2).
  const agent = new Agent({ tls: { caCerts: [pki.caCert] }, http2: false });
  for (let i = 0; i < 2; i++) {
    const response = await agent.request("GET", `https://localhost:${port}/x`);
    assertEquals(await response.text(), `secure https://localhost:${port}/x`);
  }
  assertEquals(agent.idleConnectionCount, 1);
  await agent.close();
  await server.shutdown();
});

/** Asks curl for `https://localhost:port/` and returns its output and trace. */
async function curlHTTPS(caFile: string, port: number) {
  const { stdout, stderr } = await new Deno.Command(curl.path, {
    args: ["-sv", "--cacert", caFile, `https://localhost:${port}/`],
  }).output();
  return {
    body: new TextDecoder().decode(stdout),
    trace: new TextDecoder().decode(stderr),
  };
}

for (const kind of ["tls", "ssl"]) {
  test(
    `HTTPS: curl negotiates http/1.1 by ALPN on a ${kind}: endpoint`,
    async () => {
      const pki = await makeTestPki();
      const server = await serveHTTP(() => new Response("ok"), {
        listen:
          `${kind}:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
      });
      const { port } = server.addr as Deno.NetAddr;
      const { body, trace } = await curlHTTPS(`${pki.dir}/ca.pem`, port);
      assertEquals(body, "ok");
      assert(/ALPN.*http\/1\.1/.test(trace), trace);
      await server.shutdown();
    },
    { ignore: curl.ignore },
  );
}
