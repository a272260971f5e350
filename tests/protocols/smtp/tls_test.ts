// STARTTLS and AUTH on the SMTP server: the session starts over after TLS,
// cleartext pipelined after STARTTLS is dropped, AUTH waits for TLS.
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import { LoginLimiter } from "../../../cred/mod.ts";
import { startTLS } from "../../../reactor/tls.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import {
  code,
  messagesOf,
  RawClient,
  startSMTP,
  testPortal,
} from "./_helpers.ts";
import { MailStore } from "../../../protocols/mail/mod.ts";

const pki = await makeTestPki();
const tls = pki.leaves.localhost!;
const plain = (user: string, password: string) =>
  btoa(`\0${user}\0${password}`);

async function tlsFixture(extra = {}) {
  // The portal only needs the user names; the fixture's store is separate.
  return await startSMTP({
    tls,
    portal: testPortal(new MailStore("/nonexistent")),
    loginLimiter: new LoginLimiter({ failureDelay: 0 }),
    ...extra,
  });
}

async function ehloKeywords(client: RawClient): Promise<string[]> {
  await client.send("EHLO c\r\n");
  return (await client.replyLines())!.lines.slice(1);
}

test("AUTH is not offered before TLS and is refused with 538 5.7.11", async () => {
  await using mail = await tlsFixture();
  const client = await RawClient.connect(mail.port);
  await client.reply();
  const keywords = await ehloKeywords(client);
  assert(keywords.includes("STARTTLS"));
  assert(!keywords.some((k) => k.startsWith("AUTH")));
  assertEquals(
    await client.command(`AUTH PLAIN ${plain("alice", "secret")}`),
    "538 5.7.11",
  );
  await client.close();
});

test("after STARTTLS the session starts over, and AUTH PLAIN logs in", async () => {
  await using mail = await tlsFixture();
  const client = await RawClient.connect(mail.port);
  await client.reply();
  await ehloKeywords(client);
  assertEquals(await client.command("STARTTLS"), "220 2.0.0");
  client.restart();
  await startTLS(client.conn, { hostname: "localhost", caCerts: [pki.caCert] });
  // EHLO must come again.
  assertEquals(await client.command("MAIL FROM:<a@example.test>"), "503 5.5.1");
  const keywords = await ehloKeywords(client);
  assert(!keywords.includes("STARTTLS"));
  assert(keywords.includes("AUTH PLAIN LOGIN"));
  assertEquals(
    await client.command(`AUTH PLAIN ${plain("alice", "wrong")}`),
    "535 5.7.8",
  );
  assertEquals(
    await client.command(`AUTH PLAIN ${plain("alice", "secret")}`),
    "235 2.7.0",
  );
  // Authenticated: a recipient elsewhere passes the relay check, and this
  // delivery (which relays nothing) refuses it itself.
  await client.command("MAIL FROM:<alice@example.test>");
  assertEquals(await client.command("RCPT TO:<x@example.net>"), "550 5.7.1");
  await client.close();
});

test("AUTH LOGIN asks for the name and the password", async () => {
  await using mail = await tlsFixture({ allowInsecureAuth: true });
  const client = await RawClient.connect(mail.port);
  await client.reply();
  assert((await ehloKeywords(client)).includes("AUTH PLAIN LOGIN"));
  assertEquals(await client.command("AUTH LOGIN"), "334");
  assertEquals(await client.command(btoa("bob")), "334");
  assertEquals(await client.command(btoa("secret")), "235 2.7.0");
  await client.close();
});

test("commands pipelined after STARTTLS in cleartext are discarded", async () => {
  await using mail = await tlsFixture();
  const client = await RawClient.connect(mail.port);
  await client.reply();
  await ehloKeywords(client);
  // The injected commands ride in the same packet as STARTTLS.
  await client.send(
    "STARTTLS\r\nEHLO evil\r\nMAIL FROM:<evil@example.org>\r\n",
  );
  assertEquals(code(await client.reply()), "220 2.0.0");
  client.restart();
  await startTLS(client.conn, { hostname: "localhost", caCerts: [pki.caCert] });
  // Had the injected EHLO and MAIL been run in the encrypted session, this
  // RCPT would be taken (and their replies would come first).
  assertEquals(
    await client.command("RCPT TO:<alice@example.test>"),
    "503 5.5.1",
  );
  await client.close();
  assertEquals(await messagesOf(mail.store, "alice"), []);
});

test("a client over implicit TLS is offered AUTH at once", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/c.pem`, tls.cert);
  await Deno.writeTextFile(`${dir}/k.pem`, tls.key);
  try {
    await using mail = await tlsFixture({
      listen:
        `tls:0:interface=127.0.0.1:certKey=${dir}/c.pem:privateKey=${dir}/k.pem`,
    });
    const { reactor } = await import("../../../reactor/deno_reactor.ts");
    const conn = await reactor.connectTLS("127.0.0.1", mail.port, {
      caCerts: [pki.caCert],
    });
    const text = new TextDecoder();
    await conn.write(new TextEncoder().encode("EHLO c\r\n"));
    let received = "";
    while (!received.includes("250 ")) {
      received += text.decode((await conn.read())!);
    }
    assert(received.includes("AUTH PLAIN LOGIN"));
    assert(!received.includes("STARTTLS"));
    await conn.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
