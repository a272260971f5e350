// The SMTP server over raw sockets: the RFC 5321 dialogue, its limits and
// replies (with enhanced codes), and what is delivered to the maildir.
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import {
  code,
  messagesOf,
  RawClient,
  startSMTP,
  withoutTrace,
} from "./_helpers.ts";

async function session(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  assertEquals(code(await client.reply()), "220");
  assertEquals(await client.command("EHLO client.test"), "250");
  return client;
}

test("a message sent with DATA lands in the recipient's new/ with trace headers first", async () => {
  await using mail = await startSMTP();
  const client = await session(mail.port);
  assertEquals(
    await client.command("MAIL FROM:<bob@example.org>"),
    "250 2.1.0",
  );
  assertEquals(
    await client.command("RCPT TO:<alice@example.test>"),
    "250 2.1.5",
  );
  assertEquals(await client.command("DATA"), "354");
  await client.send("Subject: hi\r\n\r\n..dotted\r\nline\r\n.\r\n");
  assertEquals(code(await client.reply()), "250 2.0.0");
  assertEquals(await client.command("QUIT"), "221 2.0.0");
  await client.close();
  const [text] = await messagesOf(mail.store, "alice");
  assert(
    text!.startsWith(
      "Return-Path: <bob@example.org>\r\nReceived: from client.test ([127.0.0.1])\r\n",
    ),
  );
  assert(text!.includes("with ESMTP id "));
  assert(text!.includes("for <alice@example.test>;"));
  assertEquals(withoutTrace(text!), "Subject: hi\r\n\r\n.dotted\r\nline\r\n");
});

test("the EHLO reply lists the extensions and the SIZE limit", async () => {
  await using mail = await startSMTP({ maxMessageSize: 1234 });
  const client = await RawClient.connect(mail.port);
  await client.reply();
  await client.send("EHLO c\r\n");
  const reply = await client.replyLines();
  const keywords = reply!.lines.slice(1);
  for (
    const extension of [
      "PIPELINING",
      "SIZE 1234",
      "8BITMIME",
      "SMTPUTF8",
      "CHUNKING",
      "ENHANCEDSTATUSCODES",
    ]
  ) assert(keywords.includes(extension), extension);
  // No STARTTLS without a certificate, no AUTH without a portal.
  assert(
    !keywords.some((k) => k.startsWith("STARTTLS") || k.startsWith("AUTH")),
  );
  await client.close();
});

test("pipelined commands are answered in order, in one write", async () => {
  await using mail = await startSMTP();
  const client = await session(mail.port);
  await client.send(
    "MAIL FROM:<bob@example.org>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n",
  );
  const replies = [];
  for (let i = 0; i < 5; i++) replies.push(code(await client.reply()));
  assertEquals(replies, [
    "250 2.1.0",
    "250 2.1.5",
    "550 5.1.1",
    "250 2.1.5",
    "354",
  ]);
  await client.send("x\r\n.\r\nQUIT\r\n");
  assertEquals(code(await client.reply()), "250 2.0.0");
  assertEquals(code(await client.reply()), "221 2.0.0");
  await client.close();
  assertEquals((await messagesOf(mail.store, "alice")).length, 1);
  assertEquals((await messagesOf(mail.store, "bob")).length, 1);
});

test("BDAT chunks are stored verbatim, delivered at LAST", async () => {
  await using mail = await startSMTP();
  const client = await session(mail.port);
  await client.command("MAIL FROM:<bob@example.org>");
  await client.command("RCPT TO:<alice@example.test>");
  await client.send("BDAT 9\r\nA: b\r\n\r\n.");
  assertEquals(code(await client.reply()), "250 2.0.0");
  assertEquals((await messagesOf(mail.store, "alice")).length, 0);
  await client.send("BDAT 6 LAST\r\n.\r\nx\r\n");
  assertEquals(code(await client.reply()), "250 2.0.0");
  await client.close();
  const [text] = await messagesOf(mail.store, "alice");
  assertEquals(withoutTrace(text!), "A: b\r\n\r\n..\r\nx\r\n");
});

test("a line over 1000 octets gets 500 5.5.2 and the session goes on", async () => {
  await using mail = await startSMTP();
  const client = await session(mail.port);
  assertEquals(await client.command(`NOOP ${"x".repeat(1100)}`), "500 5.5.2");
  assertEquals(await client.command("NOOP"), "250 2.0.0");
  await client.close();
});

test("a declared SIZE over the limit gets 552 5.3.4", async () => {
  await using mail = await startSMTP({ maxMessageSize: 100 });
  const client = await session(mail.port);
  assertEquals(
    await client.command("MAIL FROM:<b@example.org> SIZE=101"),
    "552 5.3.4",
  );
  assertEquals(
    await client.command("MAIL FROM:<b@example.org> SIZE=100"),
    "250 2.1.0",
  );
  await client.close();
});

test("a message over the limit, undeclared, gets 552 5.3.4 and nothing is delivered", async () => {
  await using mail = await startSMTP({ maxMessageSize: 100 });
  const client = await session(mail.port);
  await client.command("MAIL FROM:<b@example.org>");
  await client.command("RCPT TO:<alice@example.test>");
  assertEquals(await client.command("DATA"), "354");
  await client.send(`${"y".repeat(80)}\r\n${"z".repeat(80)}\r\n.\r\n`);
  assertEquals(code(await client.reply()), "552 5.3.4");
  assertEquals(await client.command("NOOP"), "250 2.0.0");
  await client.close();
  assertEquals(await messagesOf(mail.store, "alice"), []);
  assertEquals([...Deno.readDirSync(`${mail.store.root}/alice/tmp`)], []);
});

test("a BDAT message over the limit gets 552 5.3.4 and nothing is delivered", async () => {
  await using mail = await startSMTP({ maxMessageSize: 10 });
  const client = await session(mail.port);
  await client.command("MAIL FROM:<b@example.org>");
  await client.command("RCPT TO:<alice@example.test>");
  await client.send(`BDAT 20 LAST\r\n${"x".repeat(20)}`);
  assertEquals(code(await client.reply()), "552 5.3.4");
  assertEquals(await client.command("NOOP"), "250 2.0.0");
  await client.close();
  assertEquals(await messagesOf(mail.store, "alice"), []);
});

test("one recipient too many gets 452 4.5.3", async () => {
  await using mail = await startSMTP({ maxRecipients: 2 });
  const client = await session(mail.port);
  await client.command("MAIL FROM:<b@example.org>");
  assertEquals(
    await client.command("RCPT TO:<alice@example.test>"),
    "250 2.1.5",
  );
  assertEquals(await client.command("RCPT TO:<bob@example.test>"), "250 2.1.5");
  assertEquals(
    await client.command("RCPT TO:<alice@example.test>"),
    "452 4.5.3",
  );
  await client.close();
});

test("commands out of order get 503 5.5.1", async () => {
  await using mail = await startSMTP();
  const client = await RawClient.connect(mail.port);
  await client.reply();
  assertEquals(await client.command("MAIL FROM:<b@example.org>"), "503 5.5.1");
  assertEquals(await client.command("EHLO c"), "250");
  assertEquals(
    await client.command("RCPT TO:<alice@example.test>"),
    "503 5.5.1",
  );
  assertEquals(await client.command("DATA"), "503 5.5.1");
  await client.command("MAIL FROM:<b@example.org>");
  assertEquals(await client.command("MAIL FROM:<b@example.org>"), "503 5.5.1");
  assertEquals(await client.command("DATA"), "554 5.5.1");
  await client.close();
});

test("an unknown command gets 500 5.5.1", async () => {
  await using mail = await startSMTP();
  const client = await session(mail.port);
  assertEquals(await client.command("FROB"), "500 5.5.1");
  await client.close();
});

test("bad address syntax gets 501 (5.1.7 for the sender, 5.1.3 for a recipient)", async () => {
  await using mail = await startSMTP();
  const client = await session(mail.port);
  assertEquals(await client.command("MAIL FROM:<not an address>"), "501 5.1.7");
  assertEquals(await client.command("MAIL FROM:<>"), "250 2.1.0");
  assertEquals(await client.command("RCPT TO:<a@@example.test>"), "501 5.1.3");
  assertEquals(await client.command("RCPT TO:alice@example.test"), "501 5.1.3");
  await client.close();
});

test("VRFY, NOOP, RSET, HELP and QUIT carry enhanced codes too", async () => {
  await using mail = await startSMTP();
  const client = await session(mail.port);
  assertEquals(await client.command("VRFY alice"), "252 2.5.2");
  assertEquals(await client.command("RSET"), "250 2.0.0");
  assertEquals(await client.command("HELP"), "214 2.0.0");
  assertEquals(await client.command("QUIT"), "221 2.0.0");
  await client.close();
});

test("too many errors in a row get 421 and the connection is closed", async () => {
  await using mail = await startSMTP({ maxErrors: 3 });
  const client = await session(mail.port);
  assertEquals(await client.command("BAD1"), "500 5.5.1");
  assertEquals(await client.command("BAD2"), "500 5.5.1");
  await client.send("BAD3\r\n");
  assertEquals(code(await client.reply()), "500 5.5.1");
  assertEquals(code(await client.reply()), "421 4.7.0");
  assertEquals(await client.reply(), null);
  await client.close();
});

test("a recipient outside the served domains gets 550 5.7.1 (no open relay)", async () => {
  await using mail = await startSMTP();
  const client = await session(mail.port);
  await client.command("MAIL FROM:<b@example.org>");
  assertEquals(
    await client.command("RCPT TO:<someone@example.net>"),
    "550 5.7.1",
  );
  await client.close();
});

test("a client that leaves in the middle of DATA has nothing delivered", async () => {
  await using mail = await startSMTP();
  const client = await session(mail.port);
  await client.command("MAIL FROM:<b@example.org>");
  await client.command("RCPT TO:<alice@example.test>");
  await client.command("DATA");
  await client.send("Subject: cut\r\n\r\nhalf a mess");
  await client.close();
  // shutdown() waits for the session, which ends once it sees the close.
  await mail.server.shutdown();
  assertEquals(await messagesOf(mail.store, "alice"), []);
  assertEquals(tmpNames(mail.store.root), []);
});

function tmpNames(root: string): string[] {
  return [...Deno.readDirSync(`${root}/alice/tmp`)].map((e) => e.name);
}

test("a bare LF before a dot does not end the data (no smuggling)", async () => {
  await using mail = await startSMTP();
  const client = await session(mail.port);
  await client.command("MAIL FROM:<b@example.org>");
  await client.command("RCPT TO:<alice@example.test>");
  await client.command("DATA");
  await client.send("a\n.\nMAIL FROM:<x@y.z>\r\n.\r\n");
  assertEquals(code(await client.reply()), "250 2.0.0");
  await client.close();
  const [text] = await messagesOf(mail.store, "alice");
  assertEquals(withoutTrace(text!), "a\n.\nMAIL FROM:<x@y.z>\r\n");
});

test("an address with UTF-8 needs SMTPUTF8", async () => {
  await using mail = await startSMTP();
  const client = await session(mail.port);
  assertEquals(
    await client.command("MAIL FROM:<jösé@example.org>"),
    "553 5.6.7",
  );
  assertEquals(
    await client.command("MAIL FROM:<jösé@example.org> SMTPUTF8 BODY=8BITMIME"),
    "250 2.1.0",
  );
  await client.close();
});

test("a silent client gets 421 4.4.2 once the idle timeout passes", async (t) => {
  await using mail = await startSMTP({ clock: t.clock, idleTimeout: 60_000 });
  const client = await session(mail.port);
  t.clock.advance(60_000);
  assertEquals(code(await client.reply()), "421 4.4.2");
  assertEquals(await client.reply(), null);
  await client.close();
});

test("shutdown answers a session waiting for a command with 421 4.3.2", async () => {
  const mail = await startSMTP();
  const client = await session(mail.port);
  const stopped = mail.server.shutdown();
  assertEquals(code(await client.reply()), "421 4.3.2");
  await stopped;
  await client.close();
  await mail[Symbol.asyncDispose]();
});
