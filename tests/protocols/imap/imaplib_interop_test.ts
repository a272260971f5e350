// Python's imaplib (/usr/bin/python3) against the Spindle server: every
// command of the issue, one behaviour per test.
import { test } from "../../../trial/mod.ts";
import {
  assert,
  assertEquals,
  assertMatch,
} from "../../../trial/assertions.ts";
import { HELLO, imaplib, python, withServer } from "./_helpers.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const ignore = python.ignore;

test(
  "imaplib: CAPABILITY after login lists IDLE, NAMESPACE, UIDPLUS, MOVE, ENABLE and LITERAL+",
  async (t) => {
    await withServer(t.reactor, async ({ port }) => {
      const out = await imaplib(port, "print(m.capability()[1][0].decode())");
      for (
        const cap of [
          "IDLE",
          "NAMESPACE",
          "UIDPLUS",
          "MOVE",
          "ENABLE",
          "LITERAL+",
          "IMAP4rev2",
        ]
      ) {
        assert(out.split(/\s+/).includes(cap), `${cap} missing from ${out}`);
      }
    });
  },
  { ignore },
);

test(
  "imaplib: a wrong password is refused with AUTHENTICATIONFAILED",
  async (t) => {
    await withServer(t.reactor, async ({ port }) => {
      const out = await imaplib(
        port,
        'try:\n  m.login("alice", "wrong")\nexcept imaplib.IMAP4.error as e:\n  print(e)',
        { login: false },
      );
      assertMatch(out, /AUTHENTICATIONFAILED/);
    });
  },
  { ignore },
);

test("imaplib: AUTHENTICATE PLAIN logs in", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'print(m.authenticate("PLAIN", lambda _: b"\\0alice\\0pw")[0])',
      { login: false },
    );
    assertEquals(out.trim(), "OK");
  });
}, { ignore });

test("imaplib: ENABLE of an unknown extension answers OK", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(port, 'print(m.enable("X-NOTHING")[0])');
    assertEquals(out.trim(), "OK");
  });
}, { ignore });

test("imaplib: NOOP, NAMESPACE and ID", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'print(m.noop()[0]); print(m.namespace()[1][0].decode()); print(m.xatom("ID", "NIL")[0])',
    );
    assertEquals(out, 'OK\n(("" ".")) NIL NIL\nOK\n');
  });
}, { ignore });

test("imaplib: LIST shows INBOX and the special-use folders", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(port, "for l in m.list()[1]: print(l.decode())");
    assertMatch(out, /\(\\HasNoChildren\) "\." "INBOX"/);
    assertMatch(out, /\\Sent\) "\." "Sent"/);
    assertMatch(out, /\\Drafts\) "\." "Drafts"/);
    assertMatch(out, /\\Trash\) "\." "Trash"/);
    assertMatch(out, /\\Junk\) "\." "Junk"/);
  });
}, { ignore });

test(
  "imaplib: CREATE, RENAME and DELETE a folder, stored as Maildir++ .Name",
  async (t) => {
    await withServer(t.reactor, async ({ port, root }) => {
      await imaplib(port, 'm.create("Archive")');
      assert((await Deno.stat(`${root}/alice/.Archive/cur`)).isDirectory);
      await imaplib(port, 'm.rename("Archive", "Old")');
      assert((await Deno.stat(`${root}/alice/.Old/new`)).isDirectory);
      await imaplib(port, 'print(m.delete("Old")[0])');
      const out = await imaplib(port, "print(len(m.list()[1]))");
      assertEquals(out.trim(), "5");
    });
  },
  { ignore },
);

test(
  "imaplib: SUBSCRIBE shows a folder in LSUB, UNSUBSCRIBE hides it",
  async (t) => {
    await withServer(t.reactor, async ({ port }) => {
      const out = await imaplib(
        port,
        'm.subscribe("Sent"); print(m.lsub()[1]); m.unsubscribe("Sent"); print(m.lsub()[1])',
      );
      assertEquals(
        out,
        `[b'(\\\\HasNoChildren \\\\Sent) "." "Sent"']\n[None]\n`,
      );
    });
  },
  { ignore },
);

test(
  "imaplib: SELECT reports EXISTS, UIDVALIDITY, UIDNEXT and PERMANENTFLAGS",
  async (t) => {
    await withServer(t.reactor, async ({ port }) => {
      const out = await imaplib(
        port,
        'print(m.select("INBOX")); print(m.untagged_responses.get("UIDNEXT"), m.untagged_responses.get("PERMANENTFLAGS"), bool(m.untagged_responses.get("UIDVALIDITY")))',
      );
      assertEquals(
        out,
        "('OK', [b'2'])\n[b'3'] [b'(\\\\Answered \\\\Flagged \\\\Deleted \\\\Seen \\\\Draft)'] True\n",
      );
    });
  },
  { ignore },
);

test("imaplib: EXAMINE is read-only: STORE is refused", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'm.select("INBOX", readonly=True); print(m.store("1", "+FLAGS", "\\\\Seen"))',
    );
    assertMatch(out, /NO.*READ-ONLY/);
  });
}, { ignore });

test("imaplib: STATUS counts messages and unseen ones", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'print(m.status("INBOX", "(MESSAGES UNSEEN UIDNEXT)")[1][0].decode())',
    );
    assertEquals(out.trim(), '"INBOX" (MESSAGES 2 UNSEEN 2 UIDNEXT 3)');
  });
}, { ignore });

test(
  "imaplib: APPEND with a synchronising literal answers APPENDUID",
  async (t) => {
    await withServer(t.reactor, async ({ port }) => {
      const out = await imaplib(
        port,
        'print(m.append("INBOX", "(\\\\Seen)", None, b"Subject: new\\r\\n\\r\\nbody\\r\\n")[1][0].decode())',
      );
      assertMatch(out, /^\[APPENDUID \d+ 3\]/);
    });
  },
  { ignore },
);

test("imaplib: APPEND to a missing mailbox answers TRYCREATE", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'print(m.append("Nowhere", None, None, b"x\\r\\n"))',
    );
    assertMatch(out, /TRYCREATE/);
  });
}, { ignore });

test(
  "imaplib: FETCH of FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE and UID",
  async (t) => {
    await withServer(t.reactor, async ({ port }) => {
      const out = await imaplib(
        port,
        'm.select("INBOX"); print(m.fetch("1", "(FLAGS RFC822.SIZE ENVELOPE UID INTERNALDATE)")[1][0].decode())',
      );
      assertMatch(out, /FLAGS \(\) /);
      assertMatch(out, new RegExp(`RFC822.SIZE ${HELLO.length} `));
      assertMatch(
        out,
        /ENVELOPE \("Mon, 1 Jan 2024 10:00:00 \+0000" "hello there" \(\("Bob" NIL "bob" "example.org"\)\)/,
      );
      assertMatch(
        out,
        /UID 1 INTERNALDATE "[ \d]\d-\w{3}-\d{4} \d\d:\d\d:\d\d \+0000"/,
      );
    });
  },
  { ignore },
);

test(
  "imaplib: BODYSTRUCTURE of a multipart with a nested message/rfc822",
  async (t) => {
    await withServer(t.reactor, async ({ port }) => {
      const out = await imaplib(
        port,
        'm.select("INBOX"); print(m.fetch("2", "(BODYSTRUCTURE)")[1][0].decode())',
      );
      assertEquals(
        out.trim(),
        '2 (BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 8 1 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 49 (NIL "inner" ((NIL NIL "x" "example.net")) ((NIL NIL "x" "example.net")) ((NIL NIL "x" "example.net")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL))',
      );
    });
  },
  { ignore },
);

test(
  "imaplib: BODY[section]<partial> of nested parts, HEADER.FIELDS and BODY.PEEK",
  async (t) => {
    await withServer(t.reactor, async ({ port }) => {
      const out = await imaplib(
        port,
        'm.select("INBOX")\nfor p in m.fetch("2", "(BODY.PEEK[2.HEADER] BODY.PEEK[1] BODY.PEEK[2.1] BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[]<0.10>)")[1][:-1]: print(p)',
      );
      assertEquals(
        out,
        [
          "(b'2 (BODY[2.HEADER] {39}', b'Subject: inner\\r\\nFrom: x@example.net\\r\\n\\r\\n')",
          "(b' BODY[1] {8}', b'part one')",
          "(b' BODY[2.1] {10}', b'inner body')",
          "(b' BODY[HEADER.FIELDS (SUBJECT)] {18}', b'Subject: multi\\r\\n\\r\\n')",
          "(b' BODY[]<0> {10}', b'From: caro')",
          "",
        ].join("\n"),
      );
    });
  },
  { ignore },
);

test(
  "imaplib: BODY[] returns the stored file byte for byte and sets \\Seen",
  async (t) => {
    await withServer(t.reactor, async ({ port }) => {
      const out = await imaplib(
        port,
        'm.select("INBOX"); print(repr(m.fetch("1", "(BODY[])")[1][0][1])); print(m.fetch("1", "(FLAGS)")[1][0].decode())',
      );
      assertEquals(
        out,
        `${
          JSON.stringify(HELLO).replace(/^"|"$/g, "'").replace(/^/, "b")
        }\n1 (FLAGS (\\Seen))\n`,
      );
    });
  },
  { ignore },
);

test("imaplib: BODY.PEEK[] leaves \\Seen unset", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'm.select("INBOX"); m.fetch("1", "(BODY.PEEK[])"); print(m.fetch("1", "(FLAGS)")[1][0].decode())',
    );
    assertEquals(out.trim(), "1 (FLAGS ())");
  });
}, { ignore });

test("imaplib: STORE +FLAGS, -FLAGS and FLAGS.SILENT", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'm.select("INBOX"); print(m.store("1", "+FLAGS", "(\\\\Seen \\\\Flagged)")[1]); print(m.store("1", "-FLAGS", "\\\\Flagged")[1]); print(m.store("1", "FLAGS.SILENT", "\\\\Answered")[1]); print(m.fetch("1", "FLAGS")[1])',
    );
    assertEquals(
      out,
      "[b'1 (FLAGS (\\\\Flagged \\\\Seen))']\n[b'1 (FLAGS (\\\\Seen))']\n[None]\n[b'1 (FLAGS (\\\\Answered))']\n",
    );
  });
}, { ignore });

test("imaplib: flags live in the maildir :2, suffix", async (t) => {
  await withServer(t.reactor, async ({ port, root }) => {
    await imaplib(
      port,
      'm.select("INBOX"); m.store("1", "+FLAGS", "(\\\\Seen \\\\Answered)")',
    );
    const names = [...Deno.readDirSync(`${root}/alice/cur`)].map((e) => e.name);
    assertEquals(names.length, 1);
    assert(names[0]!.endsWith(":2,RS"), names[0]);
  });
}, { ignore });

test("imaplib: COPY answers COPYUID and keeps the flags", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'm.select("INBOX"); m.store("1", "+FLAGS", "\\\\Flagged"); print(m.copy("1:2", "Trash")[1][0].decode()); m.select("Trash"); print(m.fetch("1:*", "FLAGS")[1])',
    );
    assertMatch(out, /^\[COPYUID \d+ 1:2 1,2\]/);
    assertMatch(out, /\[b'1 \(FLAGS \(\\\\Flagged\)\)', b'2 \(FLAGS \(\)\)'\]/);
  });
}, { ignore });

test(
  "imaplib: MOVE expunges from the source and answers COPYUID",
  async (t) => {
    await withServer(t.reactor, async ({ port }) => {
      const out = await imaplib(
        port,
        'm.select("INBOX"); print(m._simple_command("MOVE", "1", "Trash")); print(m.untagged_responses.get("EXPUNGE")); print(m.select("INBOX")[1]); print(m.select("Trash")[1])',
      );
      assertEquals(
        out.split("\n").slice(1).join("\n"),
        "[b'1']\n[b'1']\n[b'1']\n",
      );
    });
  },
  { ignore },
);

test("imaplib: EXPUNGE unlinks the files of \\Deleted messages", async (t) => {
  await withServer(t.reactor, async ({ port, root }) => {
    const out = await imaplib(
      port,
      'm.select("INBOX"); m.store("1", "+FLAGS", "\\\\Deleted"); print(m.expunge()[1])',
    );
    assertEquals(out.trim(), "[b'1']");
    const files = [
      ...Deno.readDirSync(`${root}/alice/cur`),
      ...Deno.readDirSync(`${root}/alice/new`),
    ];
    assertEquals(files.length, 1);
  });
}, { ignore });

test("imaplib: UID EXPUNGE removes only the messages named", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'm.select("INBOX"); m.store("1:2", "+FLAGS", "\\\\Deleted"); print(m._simple_command("UID", "EXPUNGE", "2")[0]); print(m.untagged_responses.get("EXPUNGE")); print(m.uid("SEARCH", "ALL")[1])',
    );
    assertEquals(out, "OK\n[b'2']\n[b'1']\n");
  });
}, { ignore });

test("imaplib: CLOSE expunges silently; UNSELECT does not", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'm.select("INBOX"); m.store("1", "+FLAGS", "\\\\Deleted"); m.unselect(); print(m.select("INBOX")[1]); m.close(); print(m.select("INBOX")[1])',
    );
    assertEquals(out, "[b'2']\n[b'1']\n");
  });
}, { ignore });

test("imaplib: SEARCH by FROM, SUBJECT, TO, BODY and TEXT", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'm.select("INBOX")\nfor q in [("FROM", "bob"), ("SUBJECT", "multi"), ("TO", "alice"), ("BODY", "\\"inner body\\""), ("TEXT", "carol")]: print(m.search(None, *q)[1])',
    );
    assertEquals(out, "[b'1']\n[b'2']\n[b'1']\n[b'2']\n[b'2']\n");
  });
}, { ignore });

test(
  "imaplib: SEARCH by flags, sizes, dates, NOT, OR and sequence sets",
  async (t) => {
    await withServer(t.reactor, async ({ port }) => {
      const out = await imaplib(
        port,
        'm.select("INBOX"); m.store("2", "+FLAGS", "\\\\Seen")\nfor q in ["SEEN", "UNSEEN", "LARGER 200", "SMALLER 200", "SINCE 1-Jan-2020", "BEFORE 1-Jan-2020", "NOT 1", "OR 1 SEEN", "2:*", "SENTON 1-Jan-2024", "CHARSET UTF-8 SUBJECT hello"]: print(m.search(None, q)[1])',
      );
      assertEquals(
        out,
        "[b'2']\n[b'1']\n[b'2']\n[b'1']\n[b'1 2']\n[b'']\n[b'2']\n[b'1 2']\n[b'2']\n[b'1']\n[b'1']\n",
      );
    });
  },
  { ignore },
);

test("imaplib: UID SEARCH, UID FETCH, UID STORE and UID COPY", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'm.select("INBOX"); print(m.uid("SEARCH", "ALL")[1]); print(m.uid("FETCH", "2", "(FLAGS)")[1]); print(m.uid("STORE", "2", "+FLAGS", "\\\\Seen")[1]); print(m._simple_command("UID", "COPY", "2", "Trash")[1][0].decode())',
    );
    assertEquals(
      out.split("\n").slice(0, 3).join("\n"),
      "[b'1 2']\n[b'2 (UID 2 FLAGS ())']\n[b'2 (UID 2 FLAGS (\\\\Seen))']",
    );
    assertMatch(out, /\[COPYUID \d+ 2 1\]/);
  });
}, { ignore });

test(
  "imaplib: IDLE shows a message delivered meanwhile as * N EXISTS within a second",
  async (t) => {
    await withServer(t.reactor, async ({ port, store }) => {
      const idle = imaplib(
        port,
        'import time\nm.select("INBOX")\ntag = m._new_tag().decode(); m.send(f"{tag} IDLE\\r\\n".encode()); m.readline()\nprint("idling", flush=True)\nt0 = time.time(); line = m.readline(); print(line.decode().strip(), round(time.time() - t0, 3) < 1.5)\nm.send(b"DONE\\r\\n"); print(m.readline().decode().split()[1])',
      );
      // The Python side starts idling within its first second; deliver after.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await store.mailbox("alice").deliver(
        new TextEncoder().encode("Subject: new\r\n\r\nnew\r\n"),
        { fsync: false },
      );
      const out = await idle;
      assertMatch(out, /\* 3 EXISTS True\nOK\n$/);
    });
  },
  { ignore },
);

test("imaplib: LOGOUT says BYE", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(port, "print(m.logout())");
    assertMatch(out, /BYE/);
  });
}, { ignore });

test("imaplib: STARTTLS, then LOGIN (refused before it)", async (t) => {
  const pki = await makeTestPki();
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      `import ssl
print(m.capabilities)
try:
  m.login("alice", "pw")
except imaplib.IMAP4.error as e:
  print("refused", e)
m.starttls(ssl.create_default_context(cafile="${pki.dir}/ca.pem"))
print(m.login("alice", "pw")[0])`,
      { login: false },
    );
    assertMatch(out, /'STARTTLS'/);
    assertMatch(out, /'LOGINDISABLED'/);
    assertMatch(out, /refused .*PRIVACYREQUIRED/);
    assertMatch(out, /\nOK\n$/);
  }, { allowInsecureAuth: false, tls: pki.leaves.localhost! });
}, { ignore: ignore || findPeer(PEERS.openssl).ignore });

test("imaplib: UID MOVE and UID STORE .SILENT", async (t) => {
  await withServer(t.reactor, async ({ port }) => {
    const out = await imaplib(
      port,
      'm.select("INBOX"); print(m.uid("STORE", "1", "+FLAGS.SILENT", "\\\\Flagged")[1]); print(m._simple_command("UID", "MOVE", "1", "Trash")[0]); print(m.uid("SEARCH", "ALL")[1]); m.select("Trash"); print(m.fetch("1", "(FLAGS)")[1])',
    );
    assertEquals(
      out,
      "[None]\nOK\n[b'2']\n[b'1 (FLAGS (\\\\Flagged))']\n",
    );
  });
}, { ignore });
