// Ident (RFC 1413): strict parsing, the server and client against each
// other, and OpenBSD nc against the server. (Twisted's IdentServer cannot be
// a peer: on Python 3 it fails on every query, splitting bytes with a str.)
import {
  ident,
  identHandler,
  type IdentLookup,
  IdentServerError,
  InvalidIdentLineError,
  parseIdentQuery,
  parseIdentReply,
} from "../../../protocols/ident/mod.ts";
import type { DenoReactor } from "../../../reactor/mod.ts";
import {
  assertEquals,
  assertRejects,
  assertThrows,
  test,
} from "../../../trial/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { run } from "../dns/_interop.ts";

const nc = findPeer(PEERS.nc);

const lookup: IdentLookup = (query) =>
  query.serverPort === 6193 ? { userId: "alice" } : null;

test("a query is two ports from 1 to 65535", () => {
  assertEquals(parseIdentQuery(" 6193 ,23 "), {
    serverPort: 6193,
    clientPort: 23,
  });
  for (const bad of ["6193", "0, 23", "6193, 65536", "a, b", "1, 2, 3"]) {
    assertThrows(() => parseIdentQuery(bad), InvalidIdentLineError);
  }
});

test("a USERID reply keeps the user id as sent, colons and spaces included", () => {
  assertEquals(parseIdentReply("6193, 23 : USERID : UNIX : stjohns"), {
    serverPort: 6193,
    clientPort: 23,
    userId: "stjohns",
    opsys: "UNIX",
  });
  assertEquals(
    parseIdentReply("6193,23:USERID:OTHER,US-ASCII:a b:c").userId,
    "a b:c",
  );
});

test("an ERROR reply carries a known code or an X code", () => {
  assertEquals(parseIdentReply("6195, 23 : ERROR : NO-USER").error, "NO-USER");
  assertEquals(parseIdentReply("6195, 23 : ERROR : X-BUSY").error, "X-BUSY");
});

test("malformed replies are refused", () => {
  for (
    const bad of [
      "6193, 23 : USERID : UNIX",
      "6193, 23 : USERID : UNIX : ",
      "6193, 23 : ERROR : BROKEN",
      "6193, 23 : OWNER : UNIX : alice",
      "6193 : USERID : UNIX : alice",
      "99999, 23 : USERID : UNIX : alice",
      "6193, 23 : USERID : UN IX : alice",
      `6193, 23 : USERID : UNIX : ${"a".repeat(513)}`,
    ]
  ) {
    assertThrows(() => parseIdentReply(bad), InvalidIdentLineError);
  }
});

async function withServer(
  t: { reactor: DenoReactor },
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const listening = await t.reactor.listenTCP(
    0,
    identHandler(lookup, { reactor: t.reactor }),
    { interface: "127.0.0.1" },
  );
  try {
    await fn((listening.getHost() as Deno.NetAddr).port);
  } finally {
    await listening.stopListening();
  }
}

test("the client learns the owner from the server", async (t) => {
  await withServer(t, async (port) => {
    assertEquals(
      await ident("127.0.0.1", { serverPort: 6193, clientPort: 23 }, {
        port,
        reactor: t.reactor,
      }),
      { userId: "alice", opsys: "UNIX" },
    );
  });
});

test("the client reports the server's ERROR as IdentServerError", async (t) => {
  await withServer(t, async (port) => {
    const error = await assertRejects(
      () =>
        ident("127.0.0.1", { serverPort: 1, clientPort: 2 }, {
          port,
          reactor: t.reactor,
        }),
      IdentServerError,
    );
    assertEquals(error.code, "NO-USER");
  });
});

test("the client refuses a reply about other ports", async (t) => {
  const listening = await t.reactor.listenTCP(0, async (conn) => {
    await conn.read();
    await conn.write(
      new TextEncoder().encode("1, 1 : USERID : UNIX : mallory\r\n"),
    );
  }, { interface: "127.0.0.1" });
  try {
    await assertRejects(
      () =>
        ident("127.0.0.1", { serverPort: 6193, clientPort: 23 }, {
          port: (listening.getHost() as Deno.NetAddr).port,
          reactor: t.reactor,
        }),
      InvalidIdentLineError,
    );
  } finally {
    await listening.stopListening();
  }
});

test(
  "nc: the server answers each query line, and INVALID-PORT for nonsense",
  async (t) => {
    await withServer(t, async (port) => {
      const out = await run("/bin/sh", [
        "-c",
        `printf '6193, 23\\r\\n7, 8\\r\\nhello\\r\\n' | ${nc.path} -N 127.0.0.1 ${port}`,
      ]);
      assertEquals(
        out,
        "6193, 23 : USERID : UNIX : alice\r\n" +
          "7, 8 : ERROR : NO-USER\r\n" +
          "0, 0 : ERROR : INVALID-PORT\r\n",
      );
    });
  },
  { ignore: nc.ignore },
);
