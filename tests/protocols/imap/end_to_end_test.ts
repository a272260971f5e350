// End to end: swaks delivers through `spindle mail` (SMTP and IMAP on one
// maildir), imaplib reads the message back, flags it and moves it, and the
// change shows over a second connection and after a restart.
import { assert, assertEquals, assertMatch, test } from "../../../trial/mod.ts";
import { hashPassword, UserFile } from "../../../cred/mod.ts";
import { type MailService, plugin } from "../../../protocols/smtp/plugin.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { withTempDir } from "../../_temp_dir.ts";
import { python } from "./_helpers.ts";

const swaks = findPeer(PEERS.swaks);

const MESSAGE =
  "From: Bob <bob@example.org>\r\nTo: alice@example.test\r\nSubject: end to end\r\nMessage-ID: <e2e@example.org>\r\n\r\nline one\r\nline two\r\n";

async function start(
  dir: string,
): Promise<{ service: MailService; smtp: number; imap: number }> {
  const options = await plugin.validate({
    options: {
      domain: ["example.test"],
      maildir: `${dir}/mail`,
      users: `${dir}/users.txt`,
      smtp: ["tcp:0:interface=127.0.0.1"],
      imap: ["tcp:0:interface=127.0.0.1"],
      "allow-insecure-auth": true,
    },
    args: [],
  });
  const service = await plugin.makeService(options, {
    reusePort: false,
  }) as MailService;
  await service.startService();
  const [smtp, imap] = service.listeningAddresses() as Deno.NetAddr[];
  return { service, smtp: smtp!.port, imap: imap!.port };
}

async function imaplib(port: number, code: string): Promise<string> {
  const output = await new Deno.Command(python.path, {
    args: [
      "-c",
      `import imaplib\nm = imaplib.IMAP4("127.0.0.1", ${port})\nm.login("alice", "secret")\n${code}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(new TextDecoder().decode(output.stderr) + out);
  }
  return out;
}

test(
  "swaks → spindle mail → imaplib: byte for byte, \\Seen, moved, seen by a second connection and after a restart",
  async () => {
    await withTempDir(async (dir) => {
      const users = new UserFile(`${dir}/users.txt`);
      users.set("alice", await hashPassword("secret", { iterations: 1_000 }));
      await users.write();
      await Deno.writeTextFile(`${dir}/message.eml`, MESSAGE);
      let { service, smtp, imap } = await start(dir);
      try {
        const sent = await new Deno.Command(swaks.path, {
          args: [
            "--server",
            "127.0.0.1",
            "--port",
            String(smtp),
            "--from",
            "bob@example.org",
            "--to",
            "alice@example.test",
            "--data",
            `${dir}/message.eml`,
          ],
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert(sent.success, new TextDecoder().decode(sent.stdout));
        const fetched = await imaplib(
          imap,
          'm.select("INBOX")\nbody = m.fetch("1", "(BODY.PEEK[])")[1][0][1]\nimport sys; sys.stdout.buffer.write(body)',
        );
        // The stored message: the trace headers SMTP put first, then the message as sent.
        assertMatch(fetched, /^Return-Path: <bob@example\.org>\r\nReceived: /);
        assert(fetched.endsWith(`${MESSAGE}\r\n`), JSON.stringify(fetched));
        const [file] = [...Deno.readDirSync(`${dir}/mail/alice/new`)];
        assertEquals(
          await Deno.readTextFile(`${dir}/mail/alice/new/${file!.name}`),
          fetched,
        );
        await imaplib(
          imap,
          'm.select("INBOX"); m.store("1", "+FLAGS", "\\\\Seen"); m.create("Archive"); print(m._simple_command("MOVE", "1", "Archive"))',
        );
        const check =
          'print(m.select("INBOX")[1]); m.select("Archive"); print(m.uid("FETCH", "1:*", "(FLAGS)")[1])';
        const second = await imaplib(imap, check);
        assertEquals(second, "[b'0']\n[b'1 (UID 1 FLAGS (\\\\Seen))']\n");
        await service.stopService();
        ({ service, smtp, imap } = await start(dir));
        assertEquals(await imaplib(imap, check), second);
      } finally {
        await service.stopService();
      }
    });
  },
  { ignore: swaks.ignore || python.ignore },
);
