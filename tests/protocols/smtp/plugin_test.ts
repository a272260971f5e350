// `spindle mail`: its options, and maildirs made on start for each user.
import {
  assert,
  assertEquals,
  assertRejects,
  test,
} from "../../../trial/mod.ts";
import { UsageError } from "../../../app/options.ts";
import { captureLogs } from "../../../log/mod.ts";
import { hashPassword, UserFile } from "../../../cred/mod.ts";
import { type MailService, plugin } from "../../../protocols/smtp/plugin.ts";
import { withTempDir } from "../../_temp_dir.ts";
import { RawClient } from "./_helpers.ts";

async function userFile(dir: string, names: string[]): Promise<string> {
  const users = new UserFile(`${dir}/users.txt`);
  for (const name of names) {
    users.set(name, await hashPassword("secret", { iterations: 1_000 }));
  }
  await users.write();
  return users.path;
}

const base = (dir: string) => ({
  domain: ["example.test"],
  maildir: `${dir}/mail`,
  users: `${dir}/users.txt`,
  smtp: ["tcp:0:interface=127.0.0.1"],
  pop3: [],
  "allow-insecure-auth": false,
});

test("spindle mail creates a maildir for each user and receives their mail", async () => {
  // The service's "listening on" line stays off a passing run's output.
  using _logs = captureLogs({ level: "info" });
  await withTempDir(async (dir) => {
    await userFile(dir, ["alice", "bob"]);
    const options = await plugin.validate({ options: base(dir), args: [] });
    const service = await plugin.makeService(options, {
      reusePort: false,
    }) as MailService;
    await service.startService();
    try {
      assertEquals(
        [...Deno.readDirSync(`${dir}/mail`)].map((e) => e.name).sort(),
        ["alice", "bob"],
      );
      const [smtp] = service.listeningAddresses() as Deno.NetAddr[];
      const client = await RawClient.connect(smtp!.port);
      await client.reply();
      await client.command("EHLO c");
      await client.command("MAIL FROM:<x@example.org>");
      assertEquals(
        await client.command("RCPT TO:<bob@EXAMPLE.test>"),
        "250 2.1.5",
      );
      assertEquals(
        await client.command("RCPT TO:<carol@example.test>"),
        "550 5.1.1",
      );
      await client.close();
    } finally {
      await service.stopService();
    }
    assertEquals(service.listeningAddresses(), []);
  });
});

test("spindle mail without --domain is a usage error", async () => {
  await withTempDir(async (dir) => {
    await userFile(dir, ["alice"]);
    await assertRejects(
      async () => {
        await plugin.validate({
          options: { ...base(dir), domain: [] },
          args: [],
        });
      },
      UsageError,
      "--domain",
    );
  });
});

test("spindle mail with a missing user file says how to make one", async () => {
  await withTempDir(async (dir) => {
    const error = await assertRejects(
      async () => {
        await plugin.validate({ options: base(dir), args: [] });
      },
      UsageError,
    );
    assert(error.message.includes("spindle passwd"));
  });
});

test("spindle mail with no server endpoint is a usage error", async () => {
  await withTempDir(async (dir) => {
    await userFile(dir, ["alice"]);
    await assertRejects(
      async () => {
        await plugin.validate({
          options: { ...base(dir), smtp: [] },
          args: [],
        });
      },
      UsageError,
      "--smtp",
    );
  });
});

test("spindle mail with --tls-cert but no --tls-key is a usage error", async () => {
  await withTempDir(async (dir) => {
    await userFile(dir, ["alice"]);
    await assertRejects(
      async () => {
        await plugin.validate({
          options: { ...base(dir), "tls-cert": `${dir}/c.pem` },
          args: [],
        });
      },
      UsageError,
      "--tls-key",
    );
  });
});
