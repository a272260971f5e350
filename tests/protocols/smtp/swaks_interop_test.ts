// swaks (a real SMTP client) against the server: plain, STARTTLS with AUTH,
// pipelining, 8-bit content and a 2 MiB message, each stored byte for byte
// apart from the trace headers.
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import { LoginLimiter } from "../../../cred/mod.ts";
import { MailStore } from "../../../protocols/mail/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import {
  decoder,
  encoder,
  messagesOf,
  startSMTP,
  testPortal,
  withoutTrace,
} from "./_helpers.ts";

const swaks = findPeer(PEERS.swaks);
const options = { ignore: swaks.ignore };

async function runSwaks(
  port: number,
  message: string,
  args: string[] = [],
): Promise<{ code: number; output: string }> {
  const file = await Deno.makeTempFile();
  // swaks ends the data with a line end of its own.
  await Deno.writeTextFile(file, message.replace(/\r\n$/, ""));
  try {
    const result = await new Deno.Command(swaks.path, {
      args: [
        "--server",
        "127.0.0.1",
        "--port",
        String(port),
        "--helo",
        "client.test",
        "--from",
        "bob@example.org",
        "--to",
        "alice@example.test",
        "--data",
        `@${file}`,
        "--timeout",
        "10",
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: result.code,
      output: decoder.decode(result.stdout) + decoder.decode(result.stderr),
    };
  } finally {
    await Deno.remove(file);
  }
}

const MESSAGE = "From: bob@example.org\r\nTo: alice@example.test\r\n" +
  "Subject: from swaks\r\n\r\nhello\r\n.a line starting with a dot\r\nbye\r\n";

test("swaks sends a plain message, stored as sent", async () => {
  await using mail = await startSMTP();
  const { code, output } = await runSwaks(mail.port, MESSAGE);
  assertEquals(code, 0, output);
  const [stored] = await messagesOf(mail.store, "alice");
  assertEquals(withoutTrace(stored!), MESSAGE);
}, options);

test("swaks sends over STARTTLS with AUTH PLAIN", async () => {
  const pki = await makeTestPki();
  await using mail = await startSMTP({
    tls: pki.leaves.localhost!,
    portal: testPortal(new MailStore("/nonexistent")),
    loginLimiter: new LoginLimiter({ failureDelay: 0 }),
  });
  const { code, output } = await runSwaks(mail.port, MESSAGE, [
    "--tls",
    "--auth",
    "PLAIN",
    "--auth-user",
    "alice",
    "--auth-password",
    "secret",
  ]);
  assertEquals(code, 0, output);
  assert(output.includes("235 2.7.0"), output);
  const [stored] = await messagesOf(mail.store, "alice");
  assert(stored!.includes(" with ESMTPSA id "));
  assertEquals(withoutTrace(stored!), MESSAGE);
}, options);

test("swaks cannot AUTH before TLS", async () => {
  await using mail = await startSMTP({
    portal: testPortal(new MailStore("/nonexistent")),
  });
  const { code } = await runSwaks(mail.port, MESSAGE, [
    "--auth",
    "PLAIN",
    "--auth-user",
    "alice",
    "--auth-password",
    "secret",
  ]);
  assert(code !== 0);
  assertEquals(await messagesOf(mail.store, "alice"), []);
}, options);

test("swaks pipelines to two recipients", async () => {
  await using mail = await startSMTP();
  const { code, output } = await runSwaks(mail.port, MESSAGE, [
    "--pipeline",
    "--to",
    "alice@example.test,bob@example.test",
  ]);
  assertEquals(code, 0, output);
  assert(output.includes("PIPELINING"), output);
  assertEquals((await messagesOf(mail.store, "alice")).length, 1);
  assertEquals((await messagesOf(mail.store, "bob")).length, 1);
}, options);

test("swaks sends 8-bit content, kept byte for byte", async () => {
  await using mail = await startSMTP();
  const eight = "Subject: =?utf-8?q?caf=C3=A9?=\r\nContent-Type: text/plain; " +
    "charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCafé, naïve, 日本語\r\n";
  const { code, output } = await runSwaks(mail.port, eight);
  assertEquals(code, 0, output);
  const box = mail.store.mailbox("alice");
  const [message] = await box.list();
  const bytes = await box.read(message!);
  assertEquals(withoutTrace(decoder.decode(bytes)), eight);
  assert(bytes.length > encoder.encode(eight).length);
}, options);

test("swaks sends a 2 MiB message", async () => {
  await using mail = await startSMTP();
  const line = `${"0123456789abcdef".repeat(4)}\r\n`; // 66 bytes
  const body = line.repeat(Math.ceil(2 * 1024 * 1024 / line.length));
  const big = `Subject: big\r\n\r\n${body}`;
  const { code, output } = await runSwaks(mail.port, big, [
    "--suppress-data",
  ]);
  assertEquals(code, 0, output);
  const box = mail.store.mailbox("alice");
  const [message] = await box.list();
  assertEquals(withoutTrace(decoder.decode(await box.read(message!))), big);
}, options);
