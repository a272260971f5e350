// `spindle mail` (the plugin's service, with a user file and a certificate)
// against real clients: Python's smtplib and poplib, and swaks; a message
// sent with swaks or smtplib is read back through POP3 byte for byte, apart
// from the trace headers.
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import { hashPassword, UserFile } from "../../../cred/mod.ts";
import { type MailService, plugin } from "../../../protocols/smtp/plugin.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { withTempDir } from "../../_temp_dir.ts";

const python = findPeer(PEERS.python);
const swaks = findPeer(PEERS.swaks);

async function runMail(
  fn: (
    ports: { smtp: number; pop3: number; ca: string; dir: string },
  ) => Promise<void>,
): Promise<void> {
  const pki = await makeTestPki();
  await withTempDir(async (dir) => {
    const users = new UserFile(`${dir}/users.txt`);
    users.set("alice", await hashPassword("secret", { iterations: 1_000 }));
    await users.write();
    const options = await plugin.validate({
      options: {
        domain: ["example.test"],
        maildir: `${dir}/mail`,
        users: `${dir}/users.txt`,
        smtp: ["tcp:0:interface=127.0.0.1"],
        pop3: ["tcp:0:interface=127.0.0.1"],
        "tls-cert": `${pki.dir}/localhost.pem`,
        "tls-key": `${pki.dir}/localhost.key`,
        "allow-insecure-auth": false,
      },
      args: [],
    });
    const service = await plugin.makeService(options, {
      reusePort: false,
    }) as MailService;
    await service.startService();
    try {
      const [smtp, pop3] = service.listeningAddresses() as Deno.NetAddr[];
      await fn({
        smtp: smtp!.port,
        pop3: pop3!.port,
        ca: `${pki.dir}/ca.pem`,
        dir,
      });
    } finally {
      await service.stopService();
    }
  });
}

// Logs in to POP3 over STLS as alice and prints each message, base64.
const POPLIB = `
import base64, poplib, ssl, sys
context = ssl.create_default_context(cafile=sys.argv[2])
pop = poplib.POP3("localhost", int(sys.argv[1]), timeout=10)
pop.stls(context)
pop.user("alice")
pop.pass_("secret")
count, _ = pop.stat()
for i in range(1, count + 1):
    _, lines, _ = pop.retr(i)
    print(base64.b64encode(b"\\r\\n".join(lines) + b"\\r\\n").decode())
pop.quit()
`;

async function popMessages(port: number, ca: string): Promise<string[]> {
  const out = await new Deno.Command(python.path, {
    args: ["-c", POPLIB, String(port), ca],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n").filter((l) =>
    l !== ""
  )
    .map((b64) =>
      new TextDecoder().decode(
        Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)),
      )
    );
}

function withoutTrace(text: string): string {
  const lines = text.split("\r\n");
  let i = 0;
  if (lines[i]?.startsWith("Return-Path:")) i++;
  if (lines[i]?.startsWith("Received:")) {
    i++;
    while (lines[i]?.startsWith("\t")) i++;
  }
  return lines.slice(i).join("\r\n");
}

const SMTPLIB = `
import smtplib, ssl, sys
context = ssl.create_default_context(cafile=sys.argv[2])
with smtplib.SMTP("localhost", int(sys.argv[1]), timeout=10) as smtp:
    smtp.ehlo("python.test")
    assert not smtp.has_extn("auth"), "AUTH offered before TLS"
    smtp.starttls(context=context)
    smtp.ehlo("python.test")
    smtp.login("alice", "secret")
    refused = smtp.sendmail("bob@example.org", ["alice@example.test"],
        sys.stdin.buffer.read(), mail_options=["BODY=8BITMIME"])
    assert refused == {}, refused
`;

test(
  "smtplib sends over STARTTLS with login, poplib reads it back byte for byte",
  async () => {
    await runMail(async ({ smtp, pop3, ca }) => {
      const message =
        "From: bob@example.org\r\nSubject: caf\u00e9\r\n\r\n.dot\r\n\u00fcber\r\n";
      const child = new Deno.Command(python.path, {
        args: ["-c", SMTPLIB, String(smtp), ca],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(message));
      await writer.close();
      const out = await child.output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      const [received] = await popMessages(pop3, ca);
      assert(received!.includes("with ESMTPSA id"));
      assertEquals(withoutTrace(received!), message);
    });
  },
  { ignore: python.ignore },
);

test(
  "a message sent with swaks is read back through POP3 byte for byte",
  async () => {
    await runMail(async ({ smtp, pop3, ca, dir }) => {
      const message =
        "From: bob@example.org\r\nTo: alice@example.test\r\nSubject: swaks\r\n\r\n" +
        "..two dots\r\n.one\r\nplain\r\n";
      await Deno.writeTextFile(
        `${dir}/message.eml`,
        message.replace(/\r\n$/, ""),
      );
      const out = await new Deno.Command(swaks.path, {
        args: [
          "--server",
          "127.0.0.1",
          "--port",
          String(smtp),
          "--helo",
          "client.test",
          "--from",
          "bob@example.org",
          "--to",
          "alice@example.test",
          "--data",
          `@${dir}/message.eml`,
          "--tls",
          "--auth",
          "PLAIN",
          "--auth-user",
          "alice",
          "--auth-password",
          "secret",
          "--timeout",
          "10",
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stdout));
      const [received] = await popMessages(pop3, ca);
      assertEquals(withoutTrace(received!), message);
    });
  },
  { ignore: python.ignore || swaks.ignore },
);
