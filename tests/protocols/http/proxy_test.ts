/** The Agent through HTTP proxies: the environment's choice, absolute-form requests, CONNECT tunnels against tinyproxy. */
import {
  assert,
  assertEquals,
  assertRejects,
  test,
} from "../../../trial/mod.ts";
import {
  Agent,
  ProxyTunnelError,
  serveHTTP,
} from "../../../protocols/http/mod.ts";
import { ProxyTable } from "../../../protocols/http/_proxy.ts";
import { makeTestPki } from "../../reactor/_tls.ts";
import { findPeer, PEERS } from "../../_peers.ts";

const PROXY_VARIABLES = [
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "NO_PROXY",
  "no_proxy",
  "REQUEST_METHOD",
];

/** Runs `fn` with exactly `vars` set among the proxy variables, restoring them after. */
function withEnv(vars: Record<string, string>, fn: () => void): void {
  const saved = new Map(
    PROXY_VARIABLES.map((name) => [name, Deno.env.get(name)]),
  );
  for (const name of PROXY_VARIABLES) Deno.env.delete(name);
  for (const [name, value] of Object.entries(vars)) Deno.env.set(name, value);
  try {
    fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}

function proxyFor(table: ProxyTable, url: string): string | null {
  return table.for(new URL(url))?.authority ?? null;
}

test("proxy: HTTP_PROXY serves http: URLs and HTTPS_PROXY https: URLs", () => {
  withEnv(
    { HTTP_PROXY: "http://plain:3128", HTTPS_PROXY: "secure:3129" },
    () => {
      const table = new ProxyTable(undefined);
      assertEquals(proxyFor(table, "http://example.com/"), "plain:3128");
      assertEquals(proxyFor(table, "https://example.com/"), "secure:3129");
    },
  );
});

test("proxy: the uppercase variable wins over the lowercase one, which is read when alone", () => {
  withEnv({ HTTP_PROXY: "upper:1", http_proxy: "lower:2" }, () => {
    assertEquals(proxyFor(new ProxyTable(undefined), "http://a/"), "upper:1");
  });
  withEnv({ https_proxy: "lower:2" }, () => {
    assertEquals(proxyFor(new ProxyTable(undefined), "https://a/"), "lower:2");
  });
});

test("proxy: HTTP_PROXY is not trusted in a CGI program (REQUEST_METHOD set)", () => {
  withEnv({ HTTP_PROXY: "evil:1", REQUEST_METHOD: "GET" }, () => {
    assertEquals(proxyFor(new ProxyTable(undefined), "http://a/"), null);
  });
});

test("proxy: NO_PROXY names hosts, their subdomains, ports and * to reach directly", () => {
  withEnv({
    HTTP_PROXY: "p:1",
    NO_PROXY: "example.com, .internal,127.0.0.1, only.port:8080",
  }, () => {
    const table = new ProxyTable(undefined);
    assertEquals(proxyFor(table, "http://example.com/"), null);
    assertEquals(proxyFor(table, "http://www.example.com/"), null);
    assertEquals(proxyFor(table, "http://notexample.com/"), "p:1");
    assertEquals(proxyFor(table, "http://db.internal/"), null);
    assertEquals(proxyFor(table, "http://127.0.0.1:9/"), null);
    assertEquals(proxyFor(table, "http://only.port:8080/"), null);
    assertEquals(proxyFor(table, "http://only.port:8081/"), "p:1");
  });
  withEnv({ HTTP_PROXY: "p:1", no_proxy: "*" }, () => {
    assertEquals(proxyFor(new ProxyTable(undefined), "http://a/"), null);
  });
});

test("proxy: the proxy option overrides the environment, and false turns proxies off", () => {
  withEnv({ HTTP_PROXY: "env:1" }, () => {
    assertEquals(
      proxyFor(new ProxyTable("http://mine:2"), "http://a/"),
      "mine:2",
    );
    assertEquals(
      proxyFor(new ProxyTable("http://mine:2"), "https://a/"),
      "mine:2",
    );
    assertEquals(proxyFor(new ProxyTable(false), "http://a/"), null);
    assertEquals(
      proxyFor(new ProxyTable({ https: "s:3" }), "http://a/"),
      null,
    );
  });
});

test("proxy: credentials in the proxy URL become Proxy-Authorization", () => {
  const table = new ProxyTable("http://user:p%40ss@proxy:3128");
  assertEquals(
    table.for(new URL("http://a/"))?.authorization,
    `Basic ${btoa("user:p@ss")}`,
  );
});

test("proxy: a proxy URL that is not http:// is refused with a TypeError", () => {
  let error: unknown;
  try {
    new ProxyTable("socks5://proxy:1080");
  } catch (caught) {
    error = caught;
  }
  assert(error instanceof TypeError, String(error));
});

test("Agent through a proxy sends an http: request in absolute form, with Proxy-Authorization", async () => {
  const seen: { url: string; auth: string | null; host: string | null }[] = [];
  await using proxy = await serveHTTP((request) => {
    seen.push({
      url: request.url,
      auth: request.headers.get("proxy-authorization"),
      host: request.headers.get("host"),
    });
    return new Response("via proxy");
  }, { listen: "tcp:0:interface=127.0.0.1" });
  const { port } = proxy.addr as Deno.NetAddr;
  const agent = new Agent({ proxy: `http://user:pass@127.0.0.1:${port}` });
  for (const path of ["/a?x=1", "/b"]) {
    const response = await agent.request("GET", `http://origin.test:81${path}`);
    assertEquals(await response.text(), "via proxy");
  }
  assertEquals(seen, [
    {
      url: "http://origin.test:81/a?x=1",
      auth: `Basic ${btoa("user:pass")}`,
      host: "origin.test:81",
    },
    {
      url: "http://origin.test:81/b",
      auth: `Basic ${btoa("user:pass")}`,
      host: "origin.test:81",
    },
  ]);
  assertEquals(
    agent.idleConnectionCount,
    1,
    "one pooled connection to the proxy",
  );
  await agent.close();
});

// Against Debian's tinyproxy: absolute-form and CONNECT, with Basic credentials.

const tinyproxy = findPeer(PEERS.tinyproxy);

/** A free loopback port (bound then released). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts tinyproxy on a free port, allowing CONNECT to `connectPort`, with `user:pass` required. */
async function startTinyproxy(connectPort: number) {
  const dir = await Deno.makeTempDir();
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/tinyproxy.conf`,
    [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Timeout 30",
      "MaxClients 20",
      "Allow 127.0.0.1",
      `ConnectPort ${connectPort}`,
      "BasicAuth user pass",
      `LogFile "${dir}/tinyproxy.log"`,
      "LogLevel Info",
      "DisableViaHeader Yes",
    ].join("\n") + "\n",
  );
  const child = new Deno.Command(tinyproxy.path, {
    args: ["-d", "-c", `${dir}/tinyproxy.conf`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0;; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch (error) {
      if (i === 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return {
    url: `http://user:pass@127.0.0.1:${port}`,
    anonymous: `http://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const tinyproxyOptions = { ignore: tinyproxy.ignore };

test(
  "Agent through tinyproxy: an http: request goes in absolute form with credentials",
  async () => {
    await using server = await serveHTTP(
      (request) => new Response(`origin saw ${new URL(request.url).pathname}`),
      { listen: "tcp:0:interface=127.0.0.1" },
    );
    const { port } = server.addr as Deno.NetAddr;
    await using proxy = await startTinyproxy(port);
    const agent = new Agent({ proxy: proxy.url });
    const response = await agent.request(
      "GET",
      `http://127.0.0.1:${port}/path`,
    );
    assertEquals(await response.text(), "origin saw /path");
    await agent.close();
  },
  tinyproxyOptions,
);

test(
  "Agent through tinyproxy: an https: request goes through a CONNECT tunnel, then TLS",
  async () => {
    const pki = await makeTestPki();
    await using server = await serveHTTP(
      (request) => new Response(`secure ${request.url}`),
      {
        listen:
          `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
      },
    );
    const { port } = server.addr as Deno.NetAddr;
    await using proxy = await startTinyproxy(port);
    const agent = new Agent({
      proxy: proxy.url,
      tls: { caCerts: [pki.caCert] },
      http2: false, // HTTP/1.1's pool is what this test looks at
    });
    for (let i = 0; i < 2; i++) {
      const response = await agent.request(
        "GET",
        `https://localhost:${port}/x`,
      );
      assertEquals(await response.text(), `secure https://localhost:${port}/x`);
    }
    assertEquals(agent.idleConnectionCount, 1, "the tunnel is pooled");
    await agent.close();
  },
  tinyproxyOptions,
);

test(
  "Agent through tinyproxy: a refused CONNECT fails with ProxyTunnelError",
  async () => {
    const pki = await makeTestPki();
    await using server = await serveHTTP(() => new Response("never"), {
      listen:
        `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
    });
    const { port } = server.addr as Deno.NetAddr;
    await using proxy = await startTinyproxy(port);
    const agent = new Agent({
      proxy: proxy.anonymous,
      tls: { caCerts: [pki.caCert] },
    });
    const error = await assertRejects(
      () => agent.request("GET", `https://localhost:${port}/`).asPromise(),
      ProxyTunnelError,
    );
    assertEquals(error.status, 407);
    await agent.close();
  },
  tinyproxyOptions,
);
