// The server's limits, bad input, logins, isolation and sharing, through
// raw sockets.
import { test } from "../../../trial/mod.ts";
import {
  assert,
  assertEquals,
  assertMatch,
} from "../../../trial/assertions.ts";
import { IMAPClient } from "../../../protocols/imap/mod.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { RawClient, withServer } from "./_helpers.ts";
import type { MailStore } from "../../../protocols/mail/mod.ts";
import type { DenoReactor } from "../../../reactor/mod.ts";

/** `count` clients of alice's, each with INBOX selected. */
function selectedClients(
  port: number,
  options: { reactor: DenoReactor; count: number },
): Promise<IMAPClient[]> {
  return Promise.all(
    Array.from({ length: options.count }, async () => {
      const client = await IMAPClient.connect(`tcp:127.0.0.1:${port}`, {
        reactor: options.reactor,
      });
      await client.login("alice", "pw");
      await client.select("INBOX");
      return client;
    }),
  );
}

/** Delivers `count` messages to alice's INBOX, message `i` made by `text(i)`. */
async function deliverNumbered(
  store: MailStore,
  count: number,
  text: (i: number) => string,
): Promise<void> {
  const inbox = store.mailbox("alice");
  for (let i = 0; i < count; i++) {
    await inbox.deliver(new TextEncoder().encode(text(i)), { fsync: false });
  }
}

async function loggedIn(port: number): Promise<RawClient> {
  const raw = await RawClient.connect(port);
  await raw.send("l LOGIN alice pw\r\n");
  await raw.until(/^l OK/m);
  return raw;
}

test("a line over maxLineLength ends the session with BYE", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const raw = await RawClient.connect(port);
    await raw.send(`a1 NOOP ${"x".repeat(2000)}\r\n`);
    const out = await raw.until(/<EOF>/);
    assertMatch(out, /^\* BYE .*maxLineLength/m);
    raw.close();
  }, { maxLineLength: 1024 });
});

test("a synchronising literal over maxLiteralSize is refused before it is sent, and the session goes on", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const raw = await loggedIn(port);
    await raw.send("a1 APPEND INBOX {5000}\r\n");
    const refused = await raw.until(/^a1 /m);
    assertMatch(refused, /^a1 NO \[TOOBIG\]/m);
    assert(!refused.includes("+ "), "no continuation was offered");
    await raw.send("a2 NOOP\r\n");
    assertMatch(await raw.until(/^a2 /m), /^a2 OK/m);
    raw.close();
  }, { maxLiteralSize: 1000 });
});

test("a non-synchronising literal over maxLiteralSize ends the session with BYE", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const raw = await loggedIn(port);
    await raw.send("a1 APPEND INBOX {5000+}\r\n");
    assertMatch(await raw.until(/<EOF>/), /^\* BYE .*maxLiteralSize/m);
    raw.close();
  }, { maxLiteralSize: 1000 });
});

test("lists nested deeper than maxDepth get a tagged BAD, and the session goes on", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const raw = await loggedIn(port);
    await raw.send(`a1 SEARCH ${"(".repeat(40)}ALL${")".repeat(40)}\r\n`);
    assertMatch(await raw.until(/^a1 /m), /^a1 BAD .*maxDepth/m);
    await raw.send("a2 NOOP\r\n");
    assertMatch(await raw.until(/^a2 /m), /^a2 OK/m);
    raw.close();
  });
});

test("a command of more than maxItems items gets a tagged BAD", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const raw = await loggedIn(port);
    await raw.send(`a1 NOOP ${"x ".repeat(200)}\r\n`);
    assertMatch(await raw.until(/^a1 /m), /^a1 BAD .*maxItems/m);
    raw.close();
  }, { maxItems: 100 });
});

test("an unknown command gets a tagged BAD, and the session goes on", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const raw = await RawClient.connect(port);
    await raw.send("a1 FROB\r\na2 NOOP\r\n");
    const out = await raw.until(/^a2 /m);
    assertMatch(out, /^a1 BAD /m);
    assertMatch(out, /^a2 OK/m);
    raw.close();
  });
});

test("too many bad commands in a row end the session with BYE", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const raw = await RawClient.connect(port);
    await raw.send("x FROB\r\n".repeat(3));
    assertMatch(await raw.until(/<EOF>/), /^\* BYE too many bad commands/m);
    raw.close();
  }, { maxBadCommands: 3 });
});

test("no mailbox name reaches outside the user's maildir", async (t) => {
  await withServer(t.reactor, async ({ port, root }) => {
    const raw = await loggedIn(port);
    const names = [
      '"../bob"',
      '"/etc"',
      '"a/../../x"',
      '"%"',
      '"*"',
      '".hidden"',
      '"&AC8-etc"', // '/' in modified UTF-7
      '"&AC4ALg-"', // ".." in modified UTF-7
      '"&Jjo"', // unterminated
      '"x..y"',
    ];
    let n = 0;
    for (const name of names) {
      for (const command of ["CREATE", "SELECT", "STATUS"]) {
        const tag = `t${n++}`;
        const extra = command === "STATUS" ? " (MESSAGES)" : "";
        await raw.send(`${tag} ${command} ${name}${extra}\r\n`);
        const out = await raw.until(new RegExp(`^${tag} `, "m"));
        assertMatch(
          out,
          new RegExp(`^${tag} (NO|BAD)`, "m"),
          `${command} ${name}`,
        );
      }
    }
    const entries = [...Deno.readDirSync(root)].map((e) => e.name).sort();
    assertEquals(entries, ["alice"]);
    raw.close();
  });
});

test("LOGIN before TLS is refused with LOGINDISABLED advertised", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const raw = await RawClient.connect(port);
    await raw.send("a1 CAPABILITY\r\na2 LOGIN alice pw\r\n");
    const out = await raw.until(/^a2 /m);
    assertMatch(out, /LOGINDISABLED/);
    assertMatch(out, /^a2 NO \[PRIVACYREQUIRED\]/m);
    raw.close();
  }, { allowInsecureAuth: false });
});

const openssl = findPeer(PEERS.openssl);

test(
  "after STARTTLS, login works and commands pipelined behind STARTTLS are dropped",
  async (t) => {
    const pki = await makeTestPki();
    await withServer(t.reactor, async ({ port }) => {
      const raw = await RawClient.connect(port);
      // An attacker's command riding behind STARTTLS in the same packet.
      await raw.send("s1 STARTTLS\r\nevil LOGOUT\r\n");
      assertMatch(await raw.until(/^s1 /m), /^s1 OK/m);
      const tls = await Deno.startTls(raw.conn, {
        hostname: "localhost",
        caCerts: [pki.caCert],
      });
      const secure = new RawClient(tls as unknown as Deno.TcpConn);
      await secure.send("c1 CAPABILITY\r\nl1 LOGIN alice pw\r\n");
      const out = await secure.until(/^l1 /m);
      assert(!out.includes("evil"), out);
      assertMatch(out, /AUTH=PLAIN/);
      assertMatch(out, /^l1 OK/m);
      secure.close();
    }, { allowInsecureAuth: false, tls: pki.leaves.localhost! });
  },
  { ignore: openssl.ignore },
);

test(
  "on a tls: endpoint (implicit TLS) login is allowed at once",
  async (t) => {
    const pki = await makeTestPki();
    await withServer(t.reactor, async ({ port }) => {
      const client = await IMAPClient.connect(
        `tls:localhost:${port}:caCerts=${pki.dir}/ca.pem`,
        { reactor: t.reactor },
      );
      await client.login("alice", "pw");
      assertEquals((await client.select("INBOX")).exists, 2);
      await client.logout();
    }, {
      allowInsecureAuth: false,
      listen:
        `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
    });
  },
  { ignore: openssl.ignore },
);

test("two sessions on one mailbox see each other's flag changes and expunges", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const a = await loggedIn(port);
    const b = await loggedIn(port);
    await a.send("s SELECT INBOX\r\n");
    await a.until(/^s OK/m);
    await b.send("s SELECT INBOX\r\n");
    await b.until(/^s OK/m);
    await a.send("f STORE 2 +FLAGS (\\Seen)\r\n");
    await a.until(/^f OK/m);
    await b.send("n NOOP\r\n");
    assertMatch(
      await b.until(/^n OK/m),
      /^\* 2 FETCH \(UID 2 FLAGS \(\\Seen\)\)/m,
    );
    await a.send("d STORE 1 +FLAGS (\\Deleted)\r\ne EXPUNGE\r\n");
    await a.until(/^e OK/m);
    await b.send("n2 NOOP\r\n");
    assertMatch(await b.until(/^n2 OK/m), /^\* 1 EXPUNGE/m);
    a.close();
    b.close();
  });
});

test("a second SELECT of the same mailbox shows what another session flagged, expunged and delivered since the first", async (t) => {
  await withServer(t.reactor, async ({ port, store }) => {
    const a = await loggedIn(port);
    const b = await loggedIn(port);
    await a.send("s SELECT INBOX\r\n");
    assertMatch(await a.until(/^s OK/m), /^\* 2 EXISTS/m);
    await b.send("s SELECT INBOX\r\n");
    await b.until(/^s OK/m);
    await b.send("f STORE 2 +FLAGS (\\Flagged)\r\n");
    await b.until(/^f OK/m);
    await b.send("d STORE 1 +FLAGS (\\Deleted)\r\ne EXPUNGE\r\n");
    await b.until(/^e OK/m);
    await store.mailbox("alice").deliver(
      new TextEncoder().encode("Subject: new\r\n\r\nnew\r\n"),
      { fsync: false },
    );
    await a.send("s2 SELECT INBOX\r\n");
    const selected = await a.until(/^s2 OK/m);
    assertMatch(selected, /^\* 2 EXISTS/m);
    assert(!/EXPUNGE/.test(selected), selected);
    await a.send("f2 FETCH 1:* (UID FLAGS)\r\n");
    const fetched = await a.until(/^f2 OK/m);
    assertMatch(fetched, /^\* 1 FETCH \(UID 2 FLAGS \(\\Flagged\)\)/m);
    assertMatch(fetched, /^\* 2 FETCH \(UID 3 FLAGS \(\)\)/m);
    a.close();
    b.close();
  });
});

test("UIDs stay the same across a restart; UIDVALIDITY changes only when the uidlist is lost", async (t) => {
  const uids = async (port: number) => {
    const raw = await loggedIn(port);
    await raw.send("s SELECT INBOX\r\nu UID SEARCH ALL\r\n");
    const out = await raw.until(/^u OK/m);
    raw.close();
    return {
      validity: /UIDVALIDITY (\d+)/.exec(out)![1],
      uids: /^\* SEARCH(.*)$/m.exec(out)![1]!.trim(),
    };
  };
  await withServer(t.reactor, async ({ port, root, store, server }) => {
    const raw = await loggedIn(port);
    await raw.send(
      "s SELECT INBOX\r\nd STORE 1 +FLAGS (\\Deleted)\r\ne EXPUNGE\r\n",
    );
    await raw.until(/^e OK/m);
    raw.close();
    const before = await uids(port);
    assertEquals(before.uids, "2");
    await server.shutdown();
    // The same maildir under a new server.
    const { serveIMAP } = await import("../../../protocols/imap/mod.ts");
    const { checkerFromString } = await import("../../../cred/mod.ts");
    const again = await serveIMAP(store, {
      listen: "tcp:0:interface=127.0.0.1",
      checker: checkerFromString("memory:alice=pw"),
      allowInsecureAuth: true,
      reactor: t.reactor,
    });
    const port2 = (again.addr as Deno.NetAddr).port;
    assertEquals(await uids(port2), before);
    await Deno.remove(`${root}/alice/uidlist`);
    // The clock must move on for a new UIDVALIDITY (it is in seconds).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const lost = await uids(port2);
    assert(lost.validity !== before.validity);
    assertEquals(lost.uids, "1");
    await again.shutdown();
  });
});

test("FETCH 1:* of an empty mailbox answers OK with nothing; a number past the end gets BAD", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const raw = await loggedIn(port);
    await raw.send("s SELECT Trash\r\nf FETCH 1:* FLAGS\r\n");
    const empty = await raw.until(/^f /m);
    assertMatch(empty, /^f OK/m);
    assert(!empty.includes("FETCH ("), empty);
    await raw.send("s2 SELECT INBOX\r\nf2 FETCH 3 FLAGS\r\n");
    assertMatch(await raw.until(/^f2 /m), /^f2 BAD .*beyond/m);
    raw.close();
  });
});

test("a FETCH of cached answers reads the file when other sessions pushed them out of a small response cache meanwhile", async (t) => {
  await withServer(t.reactor, async ({ port, store }) => {
    await deliverNumbered(
      store,
      40,
      (i) => `From: a${i}@example.org\r\nSubject: s${i}\r\n\r\nbody ${i}\r\n`,
    );
    const [reader, ...others] = await selectedClients(port, {
      reactor: t.reactor,
      count: 3,
    });
    // Each message's subject from its own header (a section: never cached).
    const subjects = new Map<number, string>();
    for (
      const message of await reader!.fetch("1:*", "(UID BODY.PEEK[HEADER])")
    ) {
      const header = new TextDecoder().decode(message.sections["BODY[HEADER]"]);
      subjects.set(message.uid!, /^Subject: (.*)\r$/m.exec(header)?.[1] ?? "");
    }
    for (let round = 0; round < 3; round++) {
      // BODY[] sets \Seen, renaming every file under the others' views: their
      // reads then wait on the file system, while the cache changes hands.
      await reader!.store("1:*", "-FLAGS", ["\\Seen"]);
      const fetched = await Promise.all([
        reader!.fetch("1:*", "(UID ENVELOPE BODY[])"),
        ...others.map((client) => client.fetch("1:*", "(UID ENVELOPE BODY)")),
      ]);
      for (const messages of fetched) {
        assertEquals(messages.length, 42);
        assertEquals(
          messages.map((m) => m.envelope?.subject ?? ""),
          messages.map((m) => subjects.get(m.uid!)),
        );
      }
    }
    for (const client of [reader!, ...others]) await client.logout();
  }, { responseCacheSize: 3 });
});

test("a FETCH after another session renamed every message (set \\Seen) reads each file under its new name", async (t) => {
  await withServer(t.reactor, async ({ port, store }) => {
    await deliverNumbered(
      store,
      100,
      (i) => `Subject: m${i}\r\n\r\nbody ${i}\r\n`,
    );
    const [reader, marker] = await selectedClients(port, {
      reactor: t.reactor,
      count: 2,
    });
    const before = await reader!.fetch("1:*", "(UID BODY.PEEK[])");
    await marker!.store("1:*", "+FLAGS", ["\\Seen"]);
    const after = await reader!.fetch("1:*", "(UID BODY.PEEK[])");
    assertEquals(
      after.map((m) => [m.uid, new TextDecoder().decode(m.sections["BODY[]"])]),
      before.map((
        m,
      ) => [m.uid, new TextDecoder().decode(m.sections["BODY[]"])]),
    );
    assertEquals(after.length, 102);
    await reader!.logout();
    await marker!.logout();
  });
});
