// The Spindle client against the Spindle server, and against scripted
// servers that misbehave.
import { test } from "../../../trial/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
} from "../../../trial/assertions.ts";
import {
  IMAPClient,
  type IMAPClientOptions,
  IMAPCommandError,
  IMAPLiteralTooLargeError,
  IMAPParseError,
} from "../../../protocols/imap/mod.ts";
import { connectedPair } from "../../../reactor/mod.ts";
import { MULTIPART, withServer } from "./_helpers.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const encoder = new TextEncoder();

async function connect(
  port: number,
  options: IMAPClientOptions,
): Promise<IMAPClient> {
  const client = await IMAPClient.connect(`tcp:127.0.0.1:${port}`, options);
  await client.login("alice", "pw");
  return client;
}

test("client and server: pipelined FETCH, SEARCH and STATUS on one connection", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const client = await connect(port, { reactor: t.reactor });
    await client.select("INBOX");
    const [fetched, found, status] = await Promise.all([
      client.fetch("1:*", "(UID FLAGS ENVELOPE)"),
      client.search("SUBJECT multi"),
      client.status("INBOX"),
    ]);
    assertEquals(fetched.map((m) => [m.uid, m.envelope?.subject]), [[
      1,
      "hello there",
    ], [2, "multi"]]);
    assertEquals(found, [2]);
    assertEquals(status.MESSAGES, 2);
    await client.logout();
  });
});

test("client and server: BODY.PEEK[] is the stored file byte for byte", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const client = await connect(port, { reactor: t.reactor });
    await client.select("INBOX");
    const [message] = await client.fetch("2", "BODY.PEEK[]", { uid: true });
    assertEquals(
      new TextDecoder().decode(message!.sections["BODY[]"]),
      MULTIPART,
    );
    await client.logout();
  });
});

test("client and server: APPEND with LITERAL+ answers APPENDUID, and STORE/MOVE/EXPUNGE work", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const client = await connect(port, { reactor: t.reactor });
    assert(client.capabilities.has("LITERAL+"));
    const appended = await client.append("INBOX", "Subject: x\r\n\r\ny\r\n", {
      flags: ["\\Seen"],
      date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    });
    assertEquals(appended?.uid, 3);
    await client.select("INBOX");
    const [third] = await client.fetch("3", "(FLAGS INTERNALDATE)");
    assertEquals(third!.flags, ["\\Seen"]);
    assertEquals(
      third!.internalDate?.toISOString(),
      "2024-01-02T03:04:05.000Z",
    );
    assertEquals(await client.move("3", "Trash"), [3]);
    await client.store("1", "+FLAGS.SILENT", ["\\Deleted"]);
    assertEquals(await client.expunge(), [1]);
    await client.logout();
  });
});

test("client and server: IDLE yields * N EXISTS for a delivered message", async (t) => {
  await withServer(t.reactor, async ({ port, store }) => {
    const client = await connect(port, { reactor: t.reactor });
    await client.select("INBOX");
    const updates = client.idle();
    const first = updates.next();
    await store.mailbox("alice").deliver(
      encoder.encode("Subject: new\r\n\r\nx\r\n"),
      { fsync: false },
    );
    const { value } = await first;
    assertEquals([value?.type, value?.number], ["EXISTS", 3]);
    await updates.return(undefined);
    await client.logout();
  });
});

test("client and server: a refused command rejects with IMAPCommandError and its code", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const client = await connect(port, { reactor: t.reactor });
    const error = await assertRejects(
      () => client.select("Nowhere"),
      IMAPCommandError,
    );
    assertEquals([error.status, error.code], ["NO", "NONEXISTENT"]);
    await client.logout();
  });
});

test(
  "client and server: STARTTLS, then AUTHENTICATE PLAIN where LOGINDISABLED stood before",
  async (t) => {
    const pki = await makeTestPki();
    await withServer(t.reactor, async ({ port }) => {
      const client = await IMAPClient.connect(`tcp:127.0.0.1:${port}`, {
        reactor: t.reactor,
      });
      assert(client.capabilities.has("LOGINDISABLED"));
      await client.starttls({ hostname: "localhost", caCerts: [pki.caCert] });
      assert(!client.capabilities.has("LOGINDISABLED"));
      assert(client.capabilities.has("AUTH=PLAIN"));
      await client.authenticate("alice", "pw");
      assertEquals((await client.select("INBOX")).exists, 2);
      await client.logout();
    }, { allowInsecureAuth: false, tls: pki.leaves.localhost! });
  },
  { ignore: findPeer(PEERS.openssl).ignore },
);

// A scripted server: the greeting, then `reply` to the first command.
async function scripted(reply: string): Promise<IMAPClient> {
  const [a, b] = connectedPair();
  await b.write(encoder.encode("* OK hi\r\n"));
  const client = new IMAPClient(a, { maxLiteralSize: 100 });
  await client.greeting;
  (async () => {
    await b.read();
    await b.write(encoder.encode(reply));
    await b.read(); // until the client closes
    await b.close();
  })();
  return client;
}

test("a malformed response fails the command with IMAPParseError, not a hang", async () => {
  const client = await scripted("* 1 FETCH (FLAGS (\\Seen)\r\nA1 OK done\r\n");
  await assertRejects(() => client.noop(), IMAPParseError);
  await client.close();
});

test("a response literal over maxLiteralSize fails with IMAPLiteralTooLargeError", async () => {
  const client = await scripted("* 1 FETCH (BODY[] {5000}\r\n");
  await assertRejects(() => client.noop(), IMAPLiteralTooLargeError);
  await client.close();
});

test("a tagged answer to no command in flight is an IMAPParseError", async () => {
  const client = await scripted("Z9 OK what\r\n");
  await assertRejects(() => client.noop(), IMAPParseError);
  await client.close();
});

test("client and server: fetchEach yields each message as it arrives, and leaving early keeps the connection usable", async (t) => {
  await withServer(t.reactor, async ({ port, store }) => {
    const inbox = store.mailbox("alice");
    for (let i = 0; i < 40; i++) {
      await inbox.deliver(
        encoder.encode(`Subject: ${i}\r\n\r\nbody ${i}\r\n`),
        {
          fsync: false,
        },
      );
    }
    const client = await connect(port, { reactor: t.reactor });
    await client.select("INBOX");
    const seen: number[] = [];
    for await (
      const message of client.fetchEach("1:*", "BODY.PEEK[]", { uid: true })
    ) {
      seen.push(message.uid!);
      if (message.uid === 2) {
        assertEquals(
          new TextDecoder().decode(message.sections["BODY[]"]),
          MULTIPART,
        );
      }
    }
    assertEquals(seen, Array.from({ length: 42 }, (_, i) => i + 1));
    for await (const message of client.fetchEach("1:*", "(UID)")) {
      if (message.seq === 3) break;
    }
    assertEquals(await client.search("SUBJECT multi"), [2]);
    await client.logout();
  });
});
