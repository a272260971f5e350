// The SOCKS server against curl (SOCKS 5 with host names, 4a, logins), and
// Spindle's SOCKS 5 client against the server and against Dante (danted).
import {
  AccessPolicy,
  connectViaSocks,
  OpenProxyError,
  serveSocks,
  type ServeSocksOptions,
  SocksLoginFailedError,
  SocksRequestRefusedError,
} from "../../../protocols/socks/mod.ts";
import { plugin } from "../../../protocols/socks/plugin.ts";
import { createResolver } from "../../../protocols/dns/mod.ts";
import { serveHTTP } from "../../../protocols/http/mod.ts";
import { hashPassword } from "../../../cred/password_hash.ts";
import { FilePasswordChecker } from "../../../cred/file_checker.ts";
import { LoginLimiter } from "../../../cred/login_limiter.ts";
import { clientFromString } from "../../../reactor/endpoints/mod.ts";
import type { Connection, RunningServer } from "../../../reactor/interfaces.ts";
import type { DenoReactor } from "../../../reactor/mod.ts";
import {
  assertEquals,
  assertMatch,
  assertRejects,
  test,
  type TestContext,
} from "../../../trial/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { freePort } from "../dns/_interop.ts";

const curl = findPeer(PEERS.curl);
const danted = findPeer(PEERS.danted);

/** An HTTP server, a hosts file naming it web.test, and the SOCKS server. */
async function withProxy(
  t: TestContext,
  options: Partial<ServeSocksOptions>,
  fn: (proxy: number, web: number) => Promise<void>,
): Promise<void> {
  const reactor = t.reactor as DenoReactor;
  const dir = await Deno.makeTempDir();
  t.addCleanup(() => Deno.remove(dir, { recursive: true }));
  await Deno.writeTextFile(`${dir}/hosts`, "127.0.0.1 web.test\n");
  await using web = await serveHTTP(
    (request) => new Response(`hello via ${new URL(request.url).pathname}\n`),
    { listen: "tcp:0:interface=127.0.0.1", reactor },
  );
  // Spindle's resolver, answering from the hosts file (no server is asked).
  const resolver = createResolver({
    servers: ["127.0.0.1:9"],
    hosts: `${dir}/hosts`,
    reactor,
  });
  await using proxy: RunningServer = await serveSocks({
    listen: "tcp:0:interface=127.0.0.1",
    resolver,
    policy: new AccessPolicy({ allow: ["127.0.0.1"] }),
    reactor,
    ...options,
  });
  await fn(
    (proxy.addr as Deno.NetAddr).port,
    (web.addr as Deno.NetAddr).port,
  );
}

async function curlOutput(
  args: string[],
): Promise<{ code: number; out: string }> {
  const output = await new Deno.Command(curl.path, {
    args: ["-s", "-m", "10", ...args],
    stdout: "piped",
    stderr: "null",
  }).output();
  return { code: output.code, out: new TextDecoder().decode(output.stdout) };
}

test(
  "curl --socks5-hostname: the proxy resolves the name and relays",
  async (t) => {
    await withProxy(t, {}, async (proxy, web) => {
      assertEquals(
        await curlOutput([
          "--socks5-hostname",
          `127.0.0.1:${proxy}`,
          `http://web.test:${web}/five`,
        ]),
        { code: 0, out: "hello via /five\n" },
      );
    });
  },
  { ignore: curl.ignore },
);

test(
  "curl --socks4a and --socks4 reach the server through SOCKS 4",
  async (t) => {
    await withProxy(t, {}, async (proxy, web) => {
      assertEquals(
        (await curlOutput([
          "--socks4a",
          `127.0.0.1:${proxy}`,
          `http://web.test:${web}/4a`,
        ])).out,
        "hello via /4a\n",
      );
      assertEquals(
        (await curlOutput([
          "--socks4",
          `127.0.0.1:${proxy}`,
          `http://127.0.0.1:${web}/4`,
        ])).out,
        "hello via /4\n",
      );
    });
  },
  { ignore: curl.ignore },
);

test(
  "curl -U: a login from the user file is required and checked",
  async (t) => {
    const dir = await Deno.makeTempDir();
    t.addCleanup(() => Deno.remove(dir, { recursive: true }));
    const users = `${dir}/users.txt`;
    await Deno.writeTextFile(
      users,
      `alice:${await hashPassword("wonderland", { iterations: 1000 })}\n`,
    );
    const checker = new FilePasswordChecker(users);
    const limiter = new LoginLimiter({ failureDelay: 0, clock: t.reactor });
    await withProxy(t, { checker, limiter }, async (proxy, web) => {
      const url = `http://web.test:${web}/in`;
      const through = ["--socks5-hostname", `127.0.0.1:${proxy}`, url];
      assertEquals(
        (await curlOutput(["-U", "alice:wonderland", ...through])).out,
        "hello via /in\n",
      );
      assertEquals(
        (await curlOutput(["-U", "alice:guess", ...through])).code,
        97,
      );
      assertEquals((await curlOutput(through)).code, 97);
      assertEquals(
        (await curlOutput(["--socks4a", `127.0.0.1:${proxy}`, url])).code,
        97,
      );
    });
  },
  { ignore: curl.ignore },
);

test("a loopback destination without an allow rule is refused", async (t) => {
  await withProxy(t, { policy: new AccessPolicy() }, async (proxy, web) => {
    const error = await assertRejects(
      () =>
        connectViaSocks({ host: "127.0.0.1", port: proxy }, {
          host: "127.0.0.1",
          port: web,
        }, { reactor: t.reactor }),
      SocksRequestRefusedError,
    );
    assertEquals(error.code, 2);
  });
});

async function httpGet(conn: Connection, path: string): Promise<string> {
  await conn.write(
    new TextEncoder().encode(`GET ${path} HTTP/1.0\r\nHost: x\r\n\r\n`),
  );
  let text = "";
  for (let chunk; (chunk = await conn.read()) !== null;) {
    text += new TextDecoder().decode(chunk);
  }
  await conn.close();
  return text;
}

test("connectViaSocks logs in and gets a connection to the target", async (t) => {
  const checker = {
    credentialInterfaces: [],
    requestAvatarId: () => Promise.resolve("alice"),
  };
  await withProxy(t, { checker }, async (proxy, web) => {
    const conn = await connectViaSocks(
      { host: "127.0.0.1", port: proxy, username: "alice", password: "x" },
      { host: "web.test", port: web },
      { reactor: t.reactor },
    );
    assertMatch(await httpGet(conn, "/client"), /hello via \/client/);
    await assertRejects(
      () =>
        connectViaSocks({ host: "127.0.0.1", port: proxy }, {
          host: "web.test",
          port: web,
        }, { reactor: t.reactor }),
      SocksLoginFailedError,
    );
  });
});

test("the socks5: endpoint connects through the proxy", async (t) => {
  await withProxy(t, {}, async (proxy, web) => {
    const endpoint = clientFromString(
      t.reactor,
      `socks5:127.0.0.1:${proxy}:tcp:web.test:${web}`,
    );
    assertEquals(endpoint.kind, "socks5");
    assertMatch(
      await httpGet(await endpoint.connect(), "/endpoint"),
      /hello via \/endpoint/,
    );
  });
});

test("without logins, the server refuses to listen beyond loopback", async (t) => {
  await assertRejects(
    () =>
      serveSocks({
        listen: "tcp:0:interface=0.0.0.0",
        resolver: { getHostByName: () => Promise.resolve("192.0.2.1") },
        reactor: t.reactor as DenoReactor,
      }),
    OpenProxyError,
  );
  const options = await plugin.validate({
    options: { listen: "tcp:0:interface=0.0.0.0", allow: [], deny: [] },
    args: [],
  });
  const service = await plugin.makeService(options, { reusePort: false });
  await assertRejects(async () => await service.startService(), OpenProxyError);
});

test("danted: the client connects through Dante's SOCKS 5", async (t) => {
  const dir = await Deno.makeTempDir();
  t.addCleanup(() => Deno.remove(dir, { recursive: true }));
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/danted.conf`,
    [
      "logoutput: stderr",
      `internal: 127.0.0.1 port = ${port}`,
      "external: 127.0.0.1",
      "socksmethod: none",
      "clientmethod: none",
      "user.privileged: root",
      "user.unprivileged: nobody",
      "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }",
      "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }",
      "",
    ].join("\n"),
  );
  const child = new Deno.Command(danted.path, {
    args: ["-f", `${dir}/danted.conf`, "-N", "1"],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    // Dante logs "running" once it listens.
    const reader = child.stderr.pipeThrough(new TextDecoderStream())
      .getReader();
    for (let text = ""; !text.includes("running");) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`danted exited: ${text}`);
      text += value;
    }
    reader.releaseLock();
    await using web = await serveHTTP(() => new Response("dante ok\n"), {
      listen: "tcp:0:interface=127.0.0.1",
      reactor: t.reactor as DenoReactor,
    });
    const conn = await connectViaSocks({ host: "127.0.0.1", port }, {
      host: "127.0.0.1",
      port: (web.addr as Deno.NetAddr).port,
    }, { reactor: t.reactor });
    assertMatch(await httpGet(conn, "/"), /dante ok/);
  } finally {
    child.kill();
    await child.status;
    await child.stderr.cancel().catch(() => {});
  }
}, { ignore: danted.ignore });
