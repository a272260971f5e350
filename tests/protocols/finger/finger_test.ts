// The finger server and client (RFC 1288) against each other, over
// in-memory connections, and the plan-file directory.
import {
  finger,
  type FingerDirectory,
  fingerHandler,
  FingerQueryTimeoutError,
  FingerResponseTooLargeError,
  formatFingerQuery,
  InvalidFingerQueryError,
  parseFingerQuery,
  PlanDirectory,
  sanitizeFingerText,
  serveFinger,
} from "../../../protocols/finger/mod.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import {
  assertEquals,
  assertRejects,
  assertThrows,
  test,
} from "../../../trial/mod.ts";
import type { DenoReactor } from "../../../reactor/mod.ts";

const directory: FingerDirectory = {
  user: (name, query) =>
    name === "alice"
      ? `Login: alice\nPlan: tea${query.verbose ? " (long form)" : ""}\n`
      : null,
  list: () => "Login\nalice\n",
};

async function ask(
  query: string,
  dir: FingerDirectory = directory,
): Promise<string> {
  const [client, server] = connectedPair();
  const served = fingerHandler(dir)(server);
  await client.write(new TextEncoder().encode(query));
  await served;
  await server.close();
  let text = "";
  for (let chunk; (chunk = await client.read()) !== null;) {
    text += new TextDecoder().decode(chunk);
  }
  await client.close();
  return text;
}

test("a query names a user, optionally /W for the long form and @hosts", () => {
  assertEquals(parseFingerQuery(""), { user: "", verbose: false, hosts: [] });
  assertEquals(parseFingerQuery("/W"), { user: "", verbose: true, hosts: [] });
  assertEquals(parseFingerQuery("/w alice"), {
    user: "alice",
    verbose: true,
    hosts: [],
  });
  assertEquals(parseFingerQuery("alice@a.example@b.example"), {
    user: "alice",
    verbose: false,
    hosts: ["a.example", "b.example"],
  });
});

test("a query with two names or an empty host is refused", () => {
  assertThrows(() => parseFingerQuery("alice bob"), InvalidFingerQueryError);
  assertThrows(() => parseFingerQuery("alice@"), InvalidFingerQueryError);
  assertThrows(
    () => formatFingerQuery({ user: "a b", verbose: false, hosts: [] }),
    InvalidFingerQueryError,
  );
});

test("the server answers a user's text with CRLF line ends", async () => {
  assertEquals(await ask("alice\r\n"), "Login: alice\r\nPlan: tea\r\n");
  assertEquals(
    await ask("/W alice\r\n"),
    "Login: alice\r\nPlan: tea (long form)\r\n",
  );
});

test("the server says when there is no such user", async () => {
  assertEquals(await ask("bob\r\n"), "finger: bob: no such user\r\n");
});

test("an empty query lists the users, or is refused without a list", async () => {
  assertEquals(await ask("\r\n"), "Login\r\nalice\r\n");
  assertEquals(
    await ask("\r\n", { user: () => null }),
    "Finger online user list denied\r\n",
  );
});

test("the server refuses to forward a query to another host", async () => {
  assertEquals(
    await ask("alice@example.org\r\n"),
    "Finger forwarding service denied\r\n",
  );
});

test("the server strips control characters that could drive a terminal", async () => {
  assertEquals(
    sanitizeFingerText("a\tb\x1b[31mred\x07\r\n"),
    "a\tb[31mred\r\n",
  );
  assertEquals(
    await ask("alice\r\n", { user: () => "\x1b]0;owned\x07plan\n" }),
    "]0;ownedplan\r\n",
  );
});

test("a client that sends no query is cut off after the query timeout", async (t) => {
  const [client, server] = connectedPair();
  const served = fingerHandler(directory, {
    reactor: t.clock,
    queryTimeout: 1000,
  })(server);
  t.clock.advance(1000);
  await assertRejects(() => served, FingerQueryTimeoutError);
  client.abort();
  await client.closed.catch(() => {});
});

test("the client gets the server's answer over TCP", async (t) => {
  await using server = await serveFinger(directory, {
    listen: "tcp:0:interface=127.0.0.1",
    reactor: t.reactor as DenoReactor,
  });
  const { port } = server.addr as Deno.NetAddr;
  assertEquals(
    await finger("127.0.0.1", "alice", { port, reactor: t.reactor }),
    "Login: alice\r\nPlan: tea\r\n",
  );
});

test("the client refuses an answer larger than maxResponseSize", async (t) => {
  await using server = await serveFinger({ user: () => "x".repeat(5000) }, {
    listen: "tcp:0:interface=127.0.0.1",
    reactor: t.reactor as DenoReactor,
  });
  const { port } = server.addr as Deno.NetAddr;
  await assertRejects(
    () =>
      finger("127.0.0.1", "alice", {
        port,
        reactor: t.reactor,
        maxResponseSize: 1000,
      }),
    FingerResponseTooLargeError,
  );
});

test("a plan directory serves plan files and lists them, never a symlink or a dotted name", async (t) => {
  const dir = await Deno.makeTempDir();
  t.addCleanup(() => Deno.remove(dir, { recursive: true }));
  await Deno.writeTextFile(`${dir}/alice`, "Tea at four.");
  await Deno.writeTextFile(`${dir}/.hidden`, "secret");
  await Deno.symlink("/etc/passwd", `${dir}/mallory`);
  const plans = new PlanDirectory(dir);
  assertEquals(
    await plans.user("alice"),
    "Login: alice\nPlan:\nTea at four.\n",
  );
  assertEquals(await plans.user("mallory"), null);
  assertEquals(await plans.user(".hidden"), null);
  assertEquals(await plans.user("../etc"), null);
  assertEquals(await plans.list(), "Login\nalice\n");
});
