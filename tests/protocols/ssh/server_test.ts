// The Spindle server with the Spindle client, over loopback: sessions,
// flow control, forwarding rules, login limits and the handshake deadline.
import { test } from "../../../trial/mod.ts";
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
} from "../../../trial/assertions.ts";
import {
  InMemoryPasswordChecker,
  LoginLimiter,
  PublicKeyChecker,
} from "../../../cred/mod.ts";
import type { DenoReactor } from "../../../reactor/mod.ts";
import {
  AuthenticationFailedError,
  ChannelOpenError,
  connectSSH,
  DISCONNECT,
  serveSSH,
  type ServeSSHOptions,
  type Session,
  SSHDisconnectError,
  SSHPrivateKey,
} from "../../../protocols/ssh/mod.ts";

const hostKey = await SSHPrivateKey.generate();

async function withServer(
  reactor: DenoReactor,
  options: Partial<ServeSSHOptions>,
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const server = await serveSSH({
    listen: "tcp:0:interface=127.0.0.1",
    reactor,
    hostKeys: [hostKey],
    checkers: [new InMemoryPasswordChecker({ alice: "secret" })],
    limiter: new LoginLimiter({ clock: reactor, failureDelay: 1 }),
    ...options,
  });
  try {
    await fn((server.addr as Deno.NetAddr).port);
  } finally {
    await server.shutdown();
  }
}

const login = (reactor: DenoReactor, port: number, password = "secret") =>
  connectSSH({
    host: "127.0.0.1",
    port,
    user: "alice",
    password,
    verifyHostKey: () => true,
    reactor,
  });

test("server: a session sees its pty, its allowed env only, and its signals", async (t) => {
  const seen = Promise.withResolvers<Session>();
  const signalled = Promise.withResolvers<string>();
  await withServer(t.reactor, {
    envAllowList: ["LANG"],
    session: async (session) => {
      seen.resolve(session);
      session.onSignal = (name) => signalled.resolve(name);
      await signalled.promise;
      return 7;
    },
  }, async (port) => {
    const client = await login(t.reactor, port);
    const process = await client.exec("anything", {
      env: { LANG: "C.UTF-8", SECRET: "x" },
      pty: { term: "xterm", columns: 100, rows: 30 },
    });
    const session = await seen.promise;
    assertEquals(session.command, "anything");
    assertEquals(session.env, { LANG: "C.UTF-8" });
    assertEquals([session.pty?.term, session.pty?.columns, session.pty?.rows], [
      "xterm",
      100,
      30,
    ]);
    await process.signal("TERM");
    assertEquals(await signalled.promise, "TERM");
    assertEquals(await process.status, 7);
    await client.close();
  });
});

test("server: a reader that does not read stalls its own channel only", async (t) => {
  await withServer(t.reactor, {
    session: async (session) => {
      const out = session.stdout.getWriter();
      const chunk = new Uint8Array(64 * 1024);
      const count = session.command === "flood" ? 256 : 1; // 16 MiB, or 64 KiB
      for (let i = 0; i < count; i++) await out.write(chunk);
      await out.close();
      return 0;
    },
  }, async (port) => {
    const client = await login(t.reactor, port);
    const flood = await client.exec("flood");
    // Nobody reads the flood; another session on the same connection runs.
    const small = await client.run("small");
    assertEquals(small.stdout.length, 64 * 1024);
    let total = 0;
    for await (const chunk of flood.stdout) total += chunk.length;
    assertEquals(total, 16 * 1024 * 1024);
    assertEquals(await flood.status, 0);
    await client.close();
  });
});

test("server: --permit-open refuses a tunnel elsewhere, --no-forwarding all", async (t) => {
  for (const forwarding of [{ permitOpen: ["127.0.0.1:1"] }, false as const]) {
    await withServer(t.reactor, { forwarding }, async (port) => {
      const client = await login(t.reactor, port);
      const error = await assertRejects(() =>
        client.openTunnel("127.0.0.1", port)
      );
      assertInstanceOf(error, ChannelOpenError);
      assertEquals(error.reason, 1);
      await client.close();
    });
  }
});

test("server: a wrong password is refused, and the connection ends after 3", async (t) => {
  const authorized = (await SSHPrivateKey.generate()).publicKeyLine();
  await withServer(t.reactor, {
    checkers: [
      new InMemoryPasswordChecker({ alice: "secret" }),
      new PublicKeyChecker({ alice: authorized }),
    ],
  }, async (port) => {
    const error = await assertRejects(() => login(t.reactor, port, "wrong"));
    assertInstanceOf(error, AuthenticationFailedError);
    const keys = await Promise.all(
      [1, 2, 3, 4].map(() => SSHPrivateKey.generate()),
    );
    // Four unknown keys: the third failure ends the connection.
    const ended = await assertRejects(() =>
      connectSSH({
        host: "127.0.0.1",
        port,
        user: "alice",
        keys,
        verifyHostKey: () => true,
        reactor: t.reactor,
      })
    );
    assertInstanceOf(ended, SSHDisconnectError);
    assertEquals(ended.reason, DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE);
  });
});

test("server: a connection that never finishes its handshake is closed at the deadline", async (t) => {
  await withServer(t.reactor, { handshakeTimeout: 200 }, async (port) => {
    const conn = await t.reactor.connectTCP("127.0.0.1", port);
    const chunks: string[] = [];
    for (;;) {
      const chunk = await conn.read();
      if (chunk === null) break;
      chunks.push(new TextDecoder().decode(chunk));
    }
    assert(chunks.join("").startsWith("SSH-2.0-Spindle"));
    await conn.close();
  });
});
