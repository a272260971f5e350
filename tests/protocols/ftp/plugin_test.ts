// spindle ftp's options: the TLS certificate flags.
import { plugin } from "../../../protocols/ftp/plugin.ts";
import { UsageError } from "../../../app/options.ts";
import { assertEquals, assertRejects, test } from "../../../trial/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { makeTestPki } from "../../reactor/_tls.ts";

const openssl = findPeer(PEERS.openssl);

test("--tls-cert without --tls-key is a usage error", async (t) => {
  const root = await Deno.makeTempDir();
  t.addCleanup(() => Deno.remove(root));
  await assertRejects(
    async () =>
      await plugin.validate({
        options: {
          listen: "tcp:2121",
          root,
          anonymous: true,
          "tls-cert": "cert.pem",
        },
        args: [],
      }),
    UsageError,
  );
});

test(
  "--tls-cert and --tls-key are read; user logins then need TLS",
  async (t) => {
    const root = await Deno.makeTempDir();
    t.addCleanup(() => Deno.remove(root));
    const { dir, leaves } = await makeTestPki();
    const options = await plugin.validate({
      options: {
        listen: "tcp:2121",
        root,
        anonymous: true,
        "tls-cert": `${dir}/localhost.pem`,
        "tls-key": `${dir}/localhost.key`,
      },
      args: [],
    });
    assertEquals(options.tls, leaves.localhost);
    assertEquals(options.allowInsecureAuth, false);
  },
  { ignore: openssl.ignore },
);
