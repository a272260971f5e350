// The Spindle client against Dovecot (dovecot-imapd), started once for this
// file on a free port with a generated configuration.
import { test } from "../../../trial/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
} from "../../../trial/assertions.ts";
import { IMAPClient, IMAPCommandError } from "../../../protocols/imap/mod.ts";
import { MailStore } from "../../../protocols/mail/mod.ts";
import type { DenoReactor } from "../../../reactor/mod.ts";
import { dovecotPeer, startDovecot } from "./_dovecot.ts";
import { HELLO, MULTIPART } from "./_helpers.ts";

const ignore = dovecotPeer.ignore;
const encoder = new TextEncoder();

// One Dovecot for the file; each test gets a fresh user (its own maildir).
let dovecot: Awaited<ReturnType<typeof startDovecot>> | null = null;
let root = "";
const USERS = Object.fromEntries(
  Array.from({ length: 12 }, (_, i) => [`user${i}`, "pw"]),
);
let nextUser = 0;

async function withDovecot(
  reactor: DenoReactor,
  fn: (client: IMAPClient, user: string) => Promise<void>,
): Promise<void> {
  if (dovecot === null) {
    root = await Deno.makeTempDir({ prefix: "spindle-dovecot-mail-" });
    await Deno.chmod(root, 0o755);
    const store = new MailStore(root);
    await store.createMailboxes(Object.keys(USERS));
    for (const user of Object.keys(USERS)) {
      await store.mailbox(user).deliver(encoder.encode(HELLO), {
        fsync: false,
      });
      await store.mailbox(user).deliver(encoder.encode(MULTIPART), {
        fsync: false,
      });
    }
    dovecot = await startDovecot(root, USERS);
  }
  const user = `user${nextUser++}`;
  const client = await IMAPClient.connect(`tcp:127.0.0.1:${dovecot.port}`, {
    reactor,
  });
  try {
    await client.login(user, "pw");
    await fn(client, user);
  } finally {
    await client.logout();
  }
}

test("Dovecot: the client logs in and reads the capabilities", async (t) => {
  await withDovecot(t.reactor, async (client) => {
    const capabilities = await client.capability();
    assert(capabilities.has("IDLE"));
    assert(capabilities.has("IMAP4REV1"));
  });
}, { ignore });

test("Dovecot: LIST and SELECT", async (t) => {
  await withDovecot(t.reactor, async (client) => {
    const names = (await client.list()).map((m) => m.name);
    assert(names.includes("INBOX"));
    const inbox = await client.select("INBOX");
    assertEquals(inbox.exists, 2);
    assert(inbox.uidValidity > 0);
  });
}, { ignore });

test("Dovecot: pipelined FETCH and SEARCH on one connection", async (t) => {
  await withDovecot(t.reactor, async (client) => {
    await client.select("INBOX");
    const [fetched, found, status] = await Promise.all([
      client.fetch("1:*", "(UID FLAGS ENVELOPE)"),
      client.search("FROM bob"),
      client.noop(),
    ]);
    assertEquals(fetched.map((m) => m.envelope?.subject), [
      "hello there",
      "multi",
    ]);
    assertEquals(fetched[0]!.envelope!.from, [{
      name: "Bob",
      mailbox: "bob",
      host: "example.org",
    }]);
    assertEquals(found, [1]);
    assert(Array.isArray(status));
  });
}, { ignore });

test("Dovecot: BODY.PEEK[] arrives byte for byte as a literal", async (t) => {
  await withDovecot(t.reactor, async (client) => {
    await client.select("INBOX");
    const [message] = await client.fetch("2", "BODY.PEEK[]");
    assertEquals(
      new TextDecoder().decode(message!.sections["BODY[]"]),
      MULTIPART,
    );
  });
}, { ignore });

test(
  "Dovecot: fetchBodies streams an 8 MiB BODY[] in chunks, byte for byte",
  async (t) => {
    await withDovecot(t.reactor, async (client) => {
      const line = "0123456789".repeat(7) + "abcdef\r\n";
      const big = encoder.encode(
        "From: big@example.org\r\nSubject: big\r\n\r\n" +
          line.repeat(Math.ceil((8 << 20) / line.length)),
      );
      await client.append("INBOX", big);
      await client.select("INBOX");
      const parts = [];
      for await (
        const part of client.fetchBodies("3", "BODY.PEEK[]", { uid: true })
      ) {
        const chunks: Uint8Array<ArrayBuffer>[] = [];
        for await (const chunk of part.body) chunks.push(chunk.slice());
        parts.push({ part, chunks });
      }
      assertEquals(parts.length, 1);
      const { part, chunks } = parts[0]!;
      assertEquals([part.seq, part.section, part.size], [
        3,
        "BODY[]",
        big.length,
      ]);
      assert(part.uid !== undefined);
      // Never held whole: it came as many reads' worth of chunks.
      assert(chunks.length > 8, `${chunks.length} chunks`);
      assert(chunks.every((c) => c.length < big.length / 8));
      assertEquals(new Uint8Array(await new Blob(chunks).arrayBuffer()), big);
      // The connection goes on after it.
      assertEquals((await client.fetch("1", "(UID)")).length, 1);
    });
  },
  { ignore },
);

test("Dovecot: STORE, COPY with COPYUID, MOVE and EXPUNGE", async (t) => {
  await withDovecot(t.reactor, async (client) => {
    await client.select("INBOX");
    const [stored] = await client.store("1", "+FLAGS", ["\\Flagged"]);
    assert(stored!.flags!.includes("\\Flagged"));
    await client.create("Archive");
    const code = await client.copy("1", "Archive", { uid: true });
    assert(code?.startsWith("COPYUID"), code);
    assertEquals(await client.move("2", "Archive"), [2]);
    await client.store("1", "+FLAGS", ["\\Deleted"]);
    assertEquals(await client.expunge(), [1]);
    assertEquals((await client.status("Archive")).MESSAGES, 2);
  });
}, { ignore });

test("Dovecot: APPEND answers APPENDUID", async (t) => {
  await withDovecot(t.reactor, async (client) => {
    const appended = await client.append("INBOX", "Subject: x\r\n\r\ny\r\n", {
      flags: ["\\Seen"],
    });
    assertEquals(appended?.uid, 3);
  });
}, { ignore });

test("Dovecot: IDLE yields EXISTS when another session appends", async (t) => {
  await withDovecot(t.reactor, async (client, user) => {
    await client.select("INBOX");
    const other = await IMAPClient.connect(`tcp:127.0.0.1:${dovecot!.port}`, {
      reactor: t.reactor,
    });
    await other.login(user, "pw");
    const updates = client.idle();
    // The first next() sends IDLE; Dovecot reports the new message whether
    // it lands before or after IDLE begins.
    const first = updates.next();
    await other.append("INBOX", "Subject: idle\r\n\r\nz\r\n");
    let seen: number | undefined;
    for (
      let result = await first;
      !result.done;
      result = await updates.next()
    ) {
      if (result.value.type === "EXISTS") {
        seen = result.value.number;
        break;
      }
    }
    await updates.return(undefined);
    assertEquals(seen, 3);
    await other.logout();
  });
}, { ignore });

test(
  "Dovecot: a refused command is an IMAPCommandError with its code",
  async (t) => {
    await withDovecot(t.reactor, async (client) => {
      const error = await assertRejects(
        () => client.select("Nowhere"),
        IMAPCommandError,
      );
      assertEquals(error.status, "NO");
    });
  },
  { ignore },
);

// The file's last test stops the shared peer.
test("Dovecot: stop the peer", async () => {
  await dovecot?.stop();
  dovecot = null;
  if (root !== "") await Deno.remove(root, { recursive: true });
}, { ignore });
