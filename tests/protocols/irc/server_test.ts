// The IRC server over in-memory connections, on a fake clock.
import {
  assert,
  assertEquals,
  test,
  type TestContext,
} from "../../../trial/mod.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import { InMemoryPasswordChecker } from "../../../cred/memory_checker.ts";
import { LoginLimiter } from "../../../cred/login_limiter.ts";
import {
  IRCServer,
  type IRCServerOptions,
} from "../../../protocols/irc/mod.ts";
import { LinePeer } from "./_helpers.ts";

function setUp(t: TestContext, options: IRCServerOptions = {}) {
  const server = new IRCServer({
    name: "irc.test",
    clock: t.clock,
    floodBurst: Infinity,
    ...options,
  });
  const served: Promise<void>[] = [];
  const peers: LinePeer[] = [];
  t.addCleanup(async () => {
    for (const peer of peers) await peer.close();
    await Promise.all(served);
  });
  const connect = () => {
    const [client, conn] = connectedPair();
    served.push(server.handleConnection(conn));
    const peer = new LinePeer(client);
    peers.push(peer);
    return peer;
  };
  /** Connects a peer for each nick, then registers them in order. */
  const registered = async <Nicks extends string[]>(...nicks: Nicks) => {
    const peers = nicks.map(() => connect());
    for (const [i, peer] of peers.entries()) await peer.register(nicks[i]!);
    return peers as { [K in keyof Nicks]: LinePeer };
  };
  return { server, connect, registered };
}

/** Each peer in turn joins `channel` and reads through its End of NAMES. */
async function join(channel: string, ...peers: LinePeer[]) {
  for (const peer of peers) {
    await peer.send(`JOIN ${channel}`);
    await peer.until("366");
  }
}

const codes = (messages: { command: string }[]) =>
  messages.map((m) => m.command);

test("registration sends the welcome numerics, LUSERS and the MOTD", async (t) => {
  const { connect } = setUp(t, { motd: "Hello\nBe nice" });
  const alice = connect();
  const seen = await alice.register("alice");
  assertEquals(codes(seen), [
    "001",
    "002",
    "003",
    "004",
    "005",
    "251",
    "252",
    "253",
    "254",
    "255",
    "375",
    "372",
    "372",
    "376",
  ]);
  assertEquals(seen[0]!.source, "irc.test");
  assert(seen[0]!.params[1]!.endsWith("alice!alice@localhost"));
  assert(seen[4]!.params.includes("CASEMAPPING=rfc1459"));
});

test("without a MOTD the server answers ERR_NOMOTD", async (t) => {
  const { connect } = setUp(t);
  const seen = await connect().register("alice");
  assertEquals(seen.at(-1)!.command, "422");
});

test("a nick in use, by rfc1459 casemapping, is refused with 433", async (t) => {
  const { connect } = setUp(t);
  await connect().register("Bot[1]");
  const other = connect();
  await other.send("NICK bot{1}");
  const [reply] = await other.until("433");
  assertEquals(reply!.params, ["*", "bot{1}", "Nickname is already in use"]);
});

test("an invalid nick is refused with 432", async (t) => {
  const { connect } = setUp(t);
  const peer = connect();
  await peer.send("NICK 9lives");
  assertEquals((await peer.until("432")).at(-1)!.params[1], "9lives");
});

test("commands before registration get ERR_NOTREGISTERED", async (t) => {
  const { connect } = setUp(t);
  const peer = connect();
  await peer.send("JOIN #chat");
  await peer.until("451");
});

test("JOIN echoes the join, then NAMES and End of NAMES; the first is op", async (t) => {
  const { registered } = setUp(t);
  const [alice] = await registered("alice");
  await alice.send("JOIN #chat");
  const seen = await alice.until("366");
  assertEquals(codes(seen), ["JOIN", "353", "366"]);
  assertEquals(seen[1]!.params, ["alice", "=", "#chat", "@alice"]);
  const [bob] = await registered("bob");
  await bob.send("JOIN #Chat");
  assertEquals(codes(await bob.until("366")), ["JOIN", "353", "366"]);
  const [join] = await alice.until("JOIN");
  assertEquals(join!.source, "bob!bob@localhost");
});

test("a channel message reaches every member but its sender", async (t) => {
  const { registered } = setUp(t);
  const [alice, bob, carol] = await registered("alice", "bob", "carol");
  await join("#chat", alice, bob, carol);
  await alice.send("PRIVMSG #chat :hello all");
  for (const peer of [bob, carol]) {
    const [message] = (await peer.until("PRIVMSG")).slice(-1);
    assertEquals(message!.params, ["#chat", "hello all"]);
    assertEquals(message!.source, "alice!alice@localhost");
  }
  await alice.send("PING :sync");
  const seen = await alice.until("PONG");
  assert(!seen.some((m) => m.command === "PRIVMSG"));
});

test("a private message reaches its nick, and an away nick answers 301", async (t) => {
  const { registered } = setUp(t);
  const [alice, bob] = await registered("alice", "bob");
  await bob.send("AWAY :lunch");
  await bob.until("306");
  await alice.send("PRIVMSG BOB :psst");
  const [away] = (await alice.until("301")).slice(-1);
  assertEquals(away!.params, ["alice", "bob", "lunch"]);
  assertEquals((await bob.until("PRIVMSG")).at(-1)!.params, ["bob", "psst"]);
});

test("a message to an unknown nick gets 401, a NOTICE nothing", async (t) => {
  const { registered } = setUp(t);
  const [alice] = await registered("alice");
  await alice.send("NOTICE ghost :x", "PRIVMSG ghost :x");
  assertEquals(codes(await alice.until("401")), ["401"]);
});

test("+n keeps outsiders out and +m silences all but voice and ops", async (t) => {
  const { registered } = setUp(t);
  const [alice, bob] = await registered("alice", "bob");
  await join("#chat", alice);
  await bob.send("PRIVMSG #chat :from outside");
  await bob.until("404");
  await join("#chat", bob);
  await alice.send("MODE #chat +m");
  await alice.until("MODE");
  await bob.send("PRIVMSG #chat :muted");
  await bob.until("404");
  await alice.send("MODE #chat +v bob");
  assertEquals((await bob.until("MODE")).at(-1)!.params, [
    "#chat",
    "+v",
    "bob",
  ]);
  await bob.send("PRIVMSG #chat :voiced");
  assertEquals((await alice.until("PRIVMSG")).at(-1)!.params[1], "voiced");
});

test("TOPIC: +t needs an op; joiners get 332 and 333", async (t) => {
  const { registered } = setUp(t);
  const [alice, bob] = await registered("alice", "bob");
  await alice.send("JOIN #chat", "TOPIC #chat :All about IRC");
  assertEquals((await alice.until("TOPIC")).at(-1)!.params, [
    "#chat",
    "All about IRC",
  ]);
  await bob.send("JOIN #chat");
  const seen = await bob.until("366");
  assertEquals(codes(seen), ["JOIN", "332", "333", "353", "366"]);
  await bob.send("TOPIC #chat :mine now");
  await bob.until("482");
});

test("MODE +k and +l refuse joins with 475 and 471, and -kl lifts them", async (t) => {
  const { registered } = setUp(t);
  const [alice, bob, carol] = await registered("alice", "bob", "carol");
  await alice.send("JOIN #vault", "MODE #vault +kl sesame 2");
  assertEquals((await alice.until("MODE")).at(-1)!.params, [
    "#vault",
    "+kl",
    "sesame",
    "2",
  ]);
  await bob.send("JOIN #vault");
  await bob.until("475");
  await bob.send("JOIN #vault sesame");
  await bob.until("366");
  await carol.send("JOIN #vault sesame");
  await carol.until("471");
  await alice.send("MODE #vault -kl+i");
  assertEquals((await alice.until("MODE")).at(-1)!.params, [
    "#vault",
    "-kl+i",
    "*",
  ]);
});

test("+i lets in only the invited", async (t) => {
  const { registered } = setUp(t);
  const [alice, bob] = await registered("alice", "bob");
  await alice.send("JOIN #club", "MODE #club +i");
  await alice.until("MODE");
  await bob.send("JOIN #club");
  await bob.until("473");
  await alice.send("INVITE bob #club");
  assertEquals((await alice.until("341")).at(-1)!.params, [
    "alice",
    "bob",
    "#club",
  ]);
  assertEquals((await bob.until("INVITE")).at(-1)!.params, ["bob", "#club"]);
  await join("#club", bob);
});

test("MODE on a channel answers 324 and 329; a non-op gets 482", async (t) => {
  const { registered } = setUp(t);
  const [alice, bob] = await registered("alice", "bob");
  await join("#chat", alice);
  await bob.send("JOIN #chat", "MODE #chat", "MODE #chat +t", "MODE #chat b");
  assertEquals((await bob.until("324")).at(-1)!.params, [
    "bob",
    "#chat",
    "+nt",
  ]);
  await bob.until("329");
  await bob.until("482");
  await bob.until("368");
});

test("KICK removes a member, told to the whole channel", async (t) => {
  const { registered } = setUp(t);
  const [alice, bob] = await registered("alice", "bob");
  await join("#chat", alice, bob);
  await alice.send("KICK #chat bob :behave");
  assertEquals((await bob.until("KICK")).at(-1)!.params, [
    "#chat",
    "bob",
    "behave",
  ]);
  await bob.send("PRIVMSG #chat :still here?");
  await bob.until("404");
});

test("a nick change is told to the user and to its channels once", async (t) => {
  const { registered } = setUp(t);
  const [alice, bob] = await registered("alice", "bob");
  for (const name of ["#a", "#b"]) await join(name, alice, bob);
  await alice.send("NICK alicia");
  assertEquals((await alice.until("NICK")).at(-1)!.params, ["alicia"]);
  const seen = await bob.until("NICK");
  assertEquals(seen.at(-1)!.source, "alice!alice@localhost");
  await bob.send("PING :sync");
  const after = await bob.until("PONG");
  assert(!after.some((m) => m.command === "NICK"));
});

test("QUIT is told to the channels and closes with ERROR", async (t) => {
  const { registered, server } = setUp(t);
  const [alice, bob] = await registered("alice", "bob");
  await join("#chat", alice, bob);
  await bob.send("QUIT :bye");
  await bob.until("ERROR");
  assertEquals((await alice.until("QUIT")).at(-1)!.params, ["Quit: bye"]);
  assertEquals(await bob.next(), null);
  assertEquals(server.clientCount, 1);
});

test("WHOIS collects user, channels, server, away and the end", async (t) => {
  const { registered } = setUp(t);
  const [alice, bob] = await registered("alice", "bob");
  await bob.send("JOIN #chat", "AWAY :gone");
  await bob.until("306");
  await alice.send("WHOIS bob");
  const seen = await alice.until("318");
  assertEquals(codes(seen), ["311", "319", "312", "301", "317", "318"]);
  assertEquals(seen[0]!.params, [
    "alice",
    "bob",
    "bob",
    "localhost",
    "*",
    "bob Real",
  ]);
  assertEquals(seen[1]!.params, ["alice", "bob", "@#chat"]);
});

test("WHO lists a channel's members with their flags", async (t) => {
  const { registered } = setUp(t);
  const [alice] = await registered("alice");
  await alice.send("JOIN #chat", "WHO #chat");
  const seen = await alice.until("315");
  const who = seen.find((m) => m.command === "352")!;
  assertEquals(who.params, [
    "alice",
    "#chat",
    "alice",
    "localhost",
    "irc.test",
    "alice",
    "H@",
    "0 alice Real",
  ]);
});

test("LIST gives each channel with its users and topic", async (t) => {
  const { registered } = setUp(t);
  const [alice] = await registered("alice");
  await alice.send("JOIN #a", "TOPIC #a :A topic", "LIST");
  const seen = await alice.until("323");
  const list = seen.filter((m) => m.command === "322");
  assertEquals(list.map((m) => m.params), [["alice", "#a", "1", "A topic"]]);
});

test("user mode +i shows in 221 and in LUSERS", async (t) => {
  const { registered } = setUp(t);
  const [alice] = await registered("alice");
  await alice.send("MODE alice +i", "MODE alice", "LUSERS");
  assertEquals((await alice.until("221")).at(-1)!.params, ["alice", "+i"]);
  assert((await alice.until("251")).at(-1)!.params[1]!.includes("1 invisible"));
});

test("PING is answered with PONG", async (t) => {
  const { registered } = setUp(t);
  const [alice] = await registered("alice");
  await alice.send("PING :token-1");
  assertEquals((await alice.until("PONG")).at(-1)!.params, [
    "irc.test",
    "token-1",
  ]);
});

test("an unknown command gets 421", async (t) => {
  const { registered } = setUp(t);
  const [alice] = await registered("alice");
  await alice.send("FROB x");
  assertEquals((await alice.until("421")).at(-1)!.params, [
    "alice",
    "FROB",
    "Unknown command",
  ]);
});

test("a client that does not register in time is closed", async (t) => {
  const { connect } = setUp(t, { registrationTimeout: 10_000 });
  const peer = connect();
  await peer.send("NICK slow");
  t.clock.advance(10_000);
  const [error] = (await peer.until("ERROR")).slice(-1);
  assert(error!.params[0]!.includes("Registration timeout"));
  assertEquals(await peer.next(), null);
});

test("an idle client is PINGed, and closed when it does not answer", async (t) => {
  const { registered } = setUp(t, {
    pingInterval: 60_000,
    pingTimeout: 30_000,
  });
  const [alice] = await registered("alice");
  t.clock.advance(60_000);
  assertEquals((await alice.until("PING")).at(-1)!.params, ["irc.test"]);
  t.clock.advance(30_000);
  assert(
    (await alice.until("ERROR")).at(-1)!.params[0]!.includes("Ping timeout"),
  );
});

test("a client that answers PING stays", async (t) => {
  const { registered, server } = setUp(t, {
    pingInterval: 60_000,
    pingTimeout: 30_000,
  });
  const [alice] = await registered("alice");
  t.clock.advance(60_000);
  await alice.until("PING");
  await alice.send("PONG :irc.test", "PING :sync");
  await alice.until("PONG");
  t.clock.advance(30_000);
  await alice.send("PING :still");
  await alice.until("PONG");
  assertEquals(server.clientCount, 1);
});

test("CAP server-time tags what the client receives", async (t) => {
  const { connect } = setUp(t);
  const alice = connect();
  await alice.send("CAP LS 302");
  const [ls] = (await alice.until("CAP")).slice(-1);
  assertEquals(ls!.params[1], "LS");
  assert(ls!.params[2]!.split(" ").includes("server-time"));
  await alice.send("CAP REQ :server-time message-tags");
  assertEquals((await alice.until("CAP")).at(-1)!.params.slice(1), [
    "ACK",
    "server-time message-tags",
  ]);
  await alice.send("NICK alice", "USER a 0 * :A");
  await alice.send("CAP END");
  const [welcome] = await alice.until("001");
  assertEquals(welcome!.tags?.time, new Date(0).toISOString());
});

test("registration waits for CAP END", async (t) => {
  const { connect } = setUp(t);
  const alice = connect();
  await alice.send("CAP LS", "NICK alice", "USER a 0 * :A", "PING :x");
  const seen = await alice.until("PONG");
  assert(!seen.some((m) => m.command === "001"));
  await alice.send("CAP END");
  await alice.until("001");
});

test("an unknown capability is refused with NAK", async (t) => {
  const { connect } = setUp(t);
  const alice = connect();
  await alice.send("CAP REQ :server-time frobnicate");
  assertEquals((await alice.until("CAP")).at(-1)!.params.slice(1), [
    "NAK",
    "server-time frobnicate",
  ]);
});

test("client tags reach members that asked for message-tags only", async (t) => {
  const { connect } = setUp(t);
  const [alice, bob, carol] = [connect(), connect(), connect()];
  await alice.send("CAP REQ message-tags");
  await alice.register("alice", "CAP END");
  await bob.send("CAP REQ message-tags", "CAP END");
  await bob.register("bob");
  await carol.register("carol");
  await join("#chat", alice, bob, carol);
  await alice.send("@+draft/react=👍;label=x PRIVMSG #chat :hi");
  assertEquals((await bob.until("PRIVMSG")).at(-1)!.tags, {
    "+draft/react": "👍",
  });
  assertEquals((await carol.until("PRIVMSG")).at(-1)!.tags, undefined);
});

test("echo-message sends the sender its own message", async (t) => {
  const { connect } = setUp(t);
  const alice = connect();
  await alice.send("CAP REQ echo-message");
  await alice.register("alice", "CAP END");
  await alice.send("JOIN #chat", "PRIVMSG #chat :me too");
  assertEquals((await alice.until("PRIVMSG")).at(-1)!.params, [
    "#chat",
    "me too",
  ]);
});

test("away-notify tells channel peers who asked for it", async (t) => {
  const { connect } = setUp(t);
  const [alice, bob] = [connect(), connect()];
  await alice.send("CAP REQ away-notify");
  await alice.register("alice", "CAP END");
  await bob.register("bob");
  await join("#chat", alice, bob);
  await bob.send("AWAY :brb");
  assertEquals((await alice.until("AWAY")).at(-1)!.params, ["brb"]);
});

function accounts(t: TestContext): IRCServerOptions {
  return {
    checker: new InMemoryPasswordChecker({ alice: "wonderland" }),
    loginLimiter: new LoginLimiter({ clock: t.clock, failureDelay: 0 }),
  };
}

test("SASL PLAIN logs in through cred and is told with 900 and 903", async (t) => {
  const { connect } = setUp(t, accounts(t));
  const alice = connect();
  await alice.send("CAP LS 302");
  assert((await alice.until("CAP")).at(-1)!.params[2]!.includes("sasl"));
  await alice.send("CAP REQ sasl", "AUTHENTICATE PLAIN");
  await alice.until("AUTHENTICATE");
  await alice.send(`AUTHENTICATE ${btoa("\0alice\0wonderland")}`);
  assertEquals((await alice.until("900")).at(-1)!.params[2], "alice");
  await alice.until("903");
  await alice.register("alice", "CAP END");
  await alice.send("WHOIS alice");
  assertEquals((await alice.until("330")).at(-1)!.params[2], "alice");
});

test("a wrong SASL password gets 904", async (t) => {
  const { connect } = setUp(t, accounts(t));
  const alice = connect();
  await alice.send("CAP REQ sasl", "AUTHENTICATE PLAIN");
  await alice.until("AUTHENTICATE");
  await alice.send(`AUTHENTICATE ${btoa("\0alice\0guess")}`);
  await alice.until("904");
});

test("PASS account:password logs in at registration", async (t) => {
  const { connect } = setUp(t, accounts(t));
  const alice = connect();
  await alice.register("wanderer", "PASS alice:wonderland");
  await alice.send("WHOIS wanderer");
  assertEquals((await alice.until("330")).at(-1)!.params[2], "alice");
});

test("a wrong PASS is refused with 464 and the connection closed", async (t) => {
  const { connect } = setUp(t, accounts(t));
  const alice = connect();
  await alice.send("PASS guess", "NICK alice", "USER a 0 * :A");
  await alice.until("464");
  await alice.until("ERROR");
  assertEquals(await alice.next(), null);
});

test("requireLogin refuses a client without a login", async (t) => {
  const { connect } = setUp(t, { ...accounts(t), requireLogin: true });
  const alice = connect();
  await alice.send("NICK alice", "USER a 0 * :A");
  await alice.until("464");
});

test("flood protection holds a client's lines back to its rate", async (t) => {
  const { connect } = setUp(t, { floodBurst: 3, floodRate: 1 });
  const alice = connect();
  await alice.send("PING 1", "PING 2", "PING 3", "PING 4");
  for (let i = 0; i < 3; i++) await alice.until("PONG");
  // The fourth waits for a token: a second on the fake clock.
  const fourth = alice.until("PONG");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assertEquals(alice.received.filter((m) => m.command === "PONG").length, 3);
  t.clock.advance(1000);
  assertEquals((await fourth).at(-1)!.params[1], "4");
});

test("a line over 512 bytes closes that client with ERROR", async (t) => {
  const { connect, server } = setUp(t);
  const alice = connect();
  await alice.send(`PRIVMSG #x :${"y".repeat(600)}`);
  assert((await alice.until("ERROR")).at(-1)!.params[0]!.includes("512"));
  assertEquals(await alice.next(), null);
  assertEquals(server.clientCount, 0);
});

test("a client that does not read is dropped with SendQ exceeded, others go on", async (t) => {
  const { registered } = setUp(t, { maxSendQueue: 16 * 1024 });
  const [alice, bob, stuck] = await registered("alice", "bob", "stuck");
  await join("#busy", alice, bob, stuck);
  // stuck reads no more; its pipe fills (64 KiB), then its send queue.
  const text = "z".repeat(400);
  let quit = undefined;
  for (let i = 0; quit === undefined && i < 2000; i++) {
    await alice.send(`PRIVMSG #busy :${i} ${text}`);
    const seen = await bob.until(["PRIVMSG", "QUIT"]);
    quit = seen.find((m) => m.command === "QUIT");
  }
  assertEquals(quit?.params, ["SendQ exceeded"]);
  await alice.send("PRIVMSG #busy :after");
  await bob.until("PRIVMSG", (m) => m.params[1] === "after");
});

test("a client held back by flood protection is closed at once on shutdown", async (t) => {
  const { connect, server } = setUp(t, { floodBurst: 1, floodRate: 0.001 });
  const alice = connect();
  await alice.send("PING 1", "PING 2");
  await alice.until("PONG");
  await server.closeConnections();
  assert(
    (await alice.until("ERROR")).at(-1)!.params[0]!.includes("shutting down"),
  );
  assertEquals(t.clock.getDelayedCalls().length, 0);
});
