// spindle ssh: its host key file, its options, and the refusal without --exec.
import { test } from "../../../trial/mod.ts";
import {
  assertEquals,
  assertMatch,
  assertRejects,
} from "../../../trial/assertions.ts";
import { captureLogs } from "../../../log/mod.ts";
import { UsageError } from "../../../app/options.ts";
import { loadOrCreateHostKey, plugin } from "../../../protocols/ssh/plugin.ts";
import { connectSSH, SSHPrivateKey } from "../../../protocols/ssh/mod.ts";
import { withTempDir } from "../../_temp_dir.ts";

test("spindle ssh: a missing host key is generated with mode 0600, then reused untouched", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/ssh_host_ed25519_key`;
    const logs = captureLogs();
    let first: SSHPrivateKey;
    try {
      first = await loadOrCreateHostKey(path);
    } finally {
      logs.stop();
    }
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    const text = await Deno.readTextFile(path);
    const second = await loadOrCreateHostKey(path);
    assertEquals(second.publicKeyLine(), first.publicKeyLine());
    assertEquals(await Deno.readTextFile(path), text);
    const logged = logs.records.map((record) => record.message).join("\n");
    assertMatch(
      logged,
      new RegExp(
        `host key ${(await first.fingerprint()).replace(/[+/]/g, "\\$&")}`,
      ),
    );
  });
});

test("spindle ssh: without --authorized-keys or --users nobody could log in, so it refuses to start", async () => {
  await withTempDir(async (dir) => {
    await assertRejects(
      async () => {
        await plugin.validate({
          options: { listen: "tcp:0", "host-key": `${dir}/k` },
          args: [],
        });
      },
      UsageError,
    );
  });
});

test("spindle ssh: without --exec a command is refused with a message and status 1", async (t) => {
  await withTempDir(async (dir) => {
    const key = await SSHPrivateKey.generate();
    await Deno.writeTextFile(`${dir}/authorized_keys`, key.publicKeyLine());
    const options = await plugin.validate({
      options: {
        listen: "tcp:0:interface=127.0.0.1",
        "host-key": `${dir}/host_key`,
        "authorized-keys": `${dir}/authorized_keys`,
      },
      args: [],
    });
    options.server.reactor = t.reactor;
    const service = await plugin.makeService(options, { reusePort: false });
    await service.startService();
    try {
      const address =
        (service as unknown as { listeningAddresses(): Deno.NetAddr[] })
          .listeningAddresses()[0]!;
      const client = await connectSSH({
        host: "127.0.0.1",
        port: address.port,
        user: Deno.env.get("USER") ??
          (await import("node:os")).userInfo().username,
        keys: [key],
        verifyHostKey: () => true,
        reactor: t.reactor,
      });
      const result = await client.run("echo hi");
      assertEquals(result.status, 1);
      assertEquals(result.stdout.length, 0);
      assertMatch(new TextDecoder().decode(result.stderr), /--exec/);
      await client.close();
    } finally {
      await service.stopService();
    }
  });
});
