/** HTTPS: the server through a TLS endpoint (ALPN http/1.1), the Agent through connectTLS. */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import { Agent, serveHTTP } from "../../../protocols/http/mod.ts";
import { makeTestPki } from "../../reactor/_tls.ts";

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
  const agent = new Agent({ tls: { caCerts: [pki.caCert] } });
  for (let i = 0; i < 2; i++) {
    const response = await agent.request("GET", `https://localhost:${port}/x`);
    assertEquals(await response.text(), `secure https://localhost:${port}/x`);
  }
  assertEquals(agent.idleConnectionCount, 1);
  await agent.close();
  await server.shutdown();
});

test("HTTPS: curl negotiates http/1.1 by ALPN", async () => {
  const pki = await makeTestPki();
  const server = await serveHTTP(() => new Response("ok"), {
    listen:
      `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
  });
  const { port } = server.addr as Deno.NetAddr;
  const { stdout, stderr } = await new Deno.Command("curl", {
    args: [
      "-sv",
      "--cacert",
      `${pki.dir}/ca.pem`,
      `https://localhost:${port}/`,
    ],
  }).output();
  const err = new TextDecoder().decode(stderr);
  assertEquals(new TextDecoder().decode(stdout), "ok");
  assert(/ALPN.*http\/1\.1/.test(err), err);
  await server.shutdown();
});
