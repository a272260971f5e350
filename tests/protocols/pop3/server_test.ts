// The POP3 server over raw sockets: the states, the commands, the lock, and
// deletions applied only at QUIT.
import { assert, assertEquals, assertMatch, test } from "../../../trial/mod.ts";
import { LoginLimiter } from "../../../cred/mod.ts";
import { startTLS } from "../../../reactor/tls.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { LineClient, login, startPOP3 } from "./_helpers.ts";

const encoder = new TextEncoder();

async function deliver(
  fixture: {
    store: { mailbox(u: string): { deliver(b: Uint8Array): Promise<string> } };
  },
  text: string,
) {
  await fixture.store.mailbox("alice").deliver(encoder.encode(text));
}

test("STAT, LIST and UIDL describe the maildrop", async () => {
  await using pop = await startPOP3();
  await deliver(pop, "Subject: one\r\n\r\n1\r\n");
  await deliver(pop, "Subject: two\r\n\r\n22\r\n");
  const client = await login(pop.port);
  assertEquals(await client.command("STAT"), "+OK 2 39");
  assertEquals(await client.command("LIST"), "+OK");
  assertEquals(await client.multiline(), ["1 19", "2 20"]);
  assertEquals(await client.command("LIST 2"), "+OK 2 20");
  assertEquals(await client.command("UIDL"), "+OK");
  const uidls = await client.multiline();
  const keys = (await pop.store.mailbox("alice").list()).map((m) => m.key);
  assertEquals(uidls, keys.map((key, i) => `${i + 1} ${key}`));
  await client.command("QUIT");
  await client.close();
});

test("RETR sends the stored bytes, dot-stuffed, and TOP the header and n lines", async () => {
  await using pop = await startPOP3();
  await deliver(pop, "Subject: dots\r\n\r\n.one\r\ntwo\r\nthree\r\n");
  const client = await login(pop.port);
  assertEquals(await client.command("RETR 1"), "+OK 35 octets");
  assertEquals(await client.multiline(), [
    "Subject: dots",
    "",
    ".one",
    "two",
    "three",
  ]);
  assertEquals(await client.command("TOP 1 1"), "+OK top of message follows");
  assertEquals(await client.multiline(), ["Subject: dots", "", ".one"]);
  await client.close();
});

test("DELE removes a message only at QUIT; RSET and a dropped connection keep it", async () => {
  await using pop = await startPOP3();
  await deliver(pop, "a\r\n");
  await deliver(pop, "b\r\n");
  let client = await login(pop.port);
  assertMatch((await client.command("DELE 1"))!, /^\+OK/);
  assertMatch((await client.command("RETR 1"))!, /^-ERR/);
  assertEquals(await client.command("STAT"), "+OK 1 3");
  assertEquals(await client.command("RSET"), "+OK maildrop has 2 messages");
  assertMatch((await client.command("DELE 2"))!, /^\+OK/);
  await client.close(); // no QUIT
  assertEquals((await pop.store.mailbox("alice").list()).length, 2);
  // The lock was freed with the connection: log in again, delete, QUIT.
  client = await loginWhenFree(pop.port);
  await client.command("DELE 2");
  assertEquals(await client.command("QUIT"), "+OK bye");
  await client.close();
  const left = await pop.store.mailbox("alice").list();
  assertEquals(left.length, 1);
});

async function loginWhenFree(port: number): Promise<LineClient> {
  // The server frees the lock once it has seen the close: a bounded wait.
  for (let attempt = 0;; attempt++) {
    try {
      return await login(port);
    } catch (error) {
      if (attempt === 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

test("a second session on a locked mailbox gets -ERR [IN-USE] at once", async () => {
  await using pop = await startPOP3();
  const first = await login(pop.port);
  const second = await LineClient.connect(pop.port);
  await second.command("USER alice");
  assertMatch((await second.command("PASS secret"))!, /^-ERR \[IN-USE\]/);
  // Another user's mailbox is free.
  const bob = await login(pop.port, "bob");
  assertEquals(await first.command("QUIT"), "+OK bye");
  await first.close();
  assertMatch((await second.command("USER alice"))!, /^\+OK/);
  assertMatch((await second.command("PASS secret"))!, /^\+OK/);
  await second.close();
  await bob.close();
});

test("a wrong password gets -ERR [AUTH]; commands before login are refused", async () => {
  await using pop = await startPOP3();
  const client = await LineClient.connect(pop.port);
  assertMatch((await client.command("STAT"))!, /^-ERR/);
  await client.command("USER alice");
  assertEquals(
    await client.command("PASS wrong"),
    "-ERR [AUTH] authentication failed",
  );
  assertMatch((await client.command("FROB"))!, /^-ERR/);
  await client.close();
});

test("AUTH PLAIN logs in, with the response on the next line", async () => {
  await using pop = await startPOP3();
  const client = await LineClient.connect(pop.port);
  assertEquals(await client.command("AUTH PLAIN"), "+ ");
  assertMatch((await client.command(btoa("\0bob\0secret")))!, /^\+OK maildrop/);
  await client.close();
});

test("cleartext logins are refused before STLS, and work after it", async () => {
  const pki = await makeTestPki();
  await using pop = await startPOP3({
    allowInsecureAuth: false,
    tls: pki.leaves.localhost!,
    loginLimiter: new LoginLimiter({ failureDelay: 0 }),
  });
  const client = await LineClient.connect(pop.port);
  assertEquals(await client.command("CAPA"), "+OK capability list follows");
  const before = await client.multiline();
  assert(before.includes("STLS") && !before.includes("USER"));
  assertMatch((await client.command("USER alice"))!, /^-ERR \[AUTH\]/);
  assertMatch(
    (await client.command(`AUTH PLAIN ${btoa("\0alice\0secret")}`))!,
    /^-ERR \[AUTH\]/,
  );
  assertMatch((await client.command("STLS"))!, /^\+OK/);
  client.restart();
  await startTLS(client.conn, { hostname: "localhost", caCerts: [pki.caCert] });
  assertEquals(await client.command("USER alice"), "+OK send PASS");
  assertMatch((await client.command("PASS secret"))!, /^\+OK maildrop/);
  await client.close();
});
