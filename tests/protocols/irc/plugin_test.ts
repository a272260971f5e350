// `spindle irc`, the plugin in-process, over real TCP on loopback.
import { plugin } from "../../../protocols/irc/plugin.ts";
import type { IRCService } from "../../../protocols/irc/plugin.ts";
import { type OptionValues, UsageError } from "../../../app/options.ts";
import { hashPassword } from "../../../cred/password_hash.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import { assertEquals, assertRejects, test } from "../../../trial/mod.ts";
import { withTempDir } from "../../_temp_dir.ts";
import { LinePeer } from "./_helpers.ts";

async function started(options: OptionValues) {
  const validated = await plugin.validate({ options, args: [] });
  const service = await plugin.makeService(validated, {
    reusePort: false,
  }) as IRCService;
  await service.startService();
  return service;
}

async function connect(service: IRCService): Promise<LinePeer> {
  const { port } = service.listeningAddresses()[0] as Deno.NetAddr;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  // The test reads through the codec: a pair end bridges the Deno.Conn.
  const [near, far] = connectedPair();
  const pump = async (
    from: ReadableStream<Uint8Array>,
    to: WritableStream<Uint8Array>,
  ) => await from.pipeTo(to).catch(() => {});
  pump(conn.readable, far.writable);
  pump(far.readable, conn.writable);
  return new LinePeer(near);
}

test("spindle irc serves its name and MOTD on the endpoint given", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/motd.txt`, "Welcome, testers\n");
    const service = await started({
      listen: ["tcp:0:interface=127.0.0.1"],
      name: "irc.example.test",
      motd: `${dir}/motd.txt`,
    });
    const peer = await connect(service);
    try {
      const seen = await peer.register("alice");
      assertEquals(seen[0]!.source, "irc.example.test");
      assertEquals(
        seen.find((m) => m.command === "372")!.params[1],
        "- Welcome, testers",
      );
    } finally {
      await peer.send("QUIT");
      await peer.until("ERROR");
      await peer.close();
      await service.stopService();
    }
  });
});

test("spindle irc --users logs PASS account:password in against the user file", async () => {
  await withTempDir(async (dir) => {
    const hash = await hashPassword("wonderland", { iterations: 1000 });
    await Deno.writeTextFile(`${dir}/users.txt`, `alice:${hash}\n`);
    const service = await started({
      listen: ["tcp:0:interface=127.0.0.1"],
      name: "irc.example.test",
      users: `${dir}/users.txt`,
      "require-login": true,
    });
    const good = await connect(service);
    const bad = await connect(service);
    try {
      await good.register("alice", "PASS alice:wonderland");
      await bad.send("NICK mallory", "USER m 0 * :M");
      await bad.until("464");
    } finally {
      await good.close();
      await bad.close();
      await service.stopService();
    }
  });
});

test("spindle irc refuses a missing MOTD file with a usage error", async () => {
  await assertRejects(
    async () =>
      await plugin.validate({
        options: { listen: [], name: "x", motd: "/nonexistent/motd" },
        args: [],
      }),
    UsageError,
    "does not exist",
  );
});

test("spindle irc refuses --require-login without --users", async () => {
  await assertRejects(
    async () =>
      await plugin.validate({
        options: { listen: [], name: "x", "require-login": true },
        args: [],
      }),
    UsageError,
    "--users",
  );
});

test("spindle irc refuses --workers: one process holds the network", async () => {
  const options = await plugin.validate({
    options: { listen: ["tcp:0"], name: "x" },
    args: [],
  });
  await assertRejects(
    async () => await plugin.makeService(options, { reusePort: true }),
    UsageError,
    "--workers",
  );
});
