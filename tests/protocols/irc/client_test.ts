// The IRC client against a scripted server (in memory, on a fake clock), and
// against Spindle's own server over TCP and TLS.
import {
  assert,
  assertEquals,
  assertRejects,
  test,
  type TestContext,
} from "../../../trial/mod.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import { runProtocol } from "../../../reactor/transport.ts";
import { Connector } from "../../../reactor/connector.ts";
import { succeed } from "../../../deferred/deferred.ts";
import { clientFromString } from "../../../reactor/endpoints/mod.ts";
import {
  connectIRC,
  IRCClient,
  IRCClientFactory,
  type IRCClientOptions,
  type IRCEvent,
  IRCSignOnError,
  serveIRC,
  splitText,
} from "../../../protocols/irc/mod.ts";
import { LinePeer } from "./_helpers.ts";
import { makeTestPki } from "../../reactor/_tls.ts";

/** A client run on one end of a pair, the other end a scripted server. */
function scripted(
  t: TestContext,
  options: IRCClientOptions,
  client = new IRCClient(options),
) {
  const [near, far] = connectedPair();
  const done = runProtocol(client, near, { reactor: t.clock });
  const server = new LinePeer(far);
  t.addCleanup(async () => {
    client.transport.abortConnection();
    await done;
    await server.close();
  });
  return { client, server, done };
}

/** The scripted server's side of a plain sign-on. */
async function welcome(server: LinePeer, nick: string): Promise<void> {
  await server.until("USER");
  await server.send(`:srv 001 ${nick} :Welcome ${nick}!u@h`);
}

test("the client signs on with NICK and USER and calls signedOn", async (t) => {
  let signedOn = 0;
  class Bot extends IRCClient {
    override signedOn(): void {
      signedOn++;
    }
  }
  const { client, server } = scripted(
    t,
    { nickname: "bot", capabilities: [] },
    new Bot({ nickname: "bot", capabilities: [] }),
  );
  const seen = await server.until("USER");
  assertEquals(seen.map((m) => m.command), ["NICK", "USER"]);
  assertEquals(seen[1]!.params, ["bot", "0", "*", "bot"]);
  await server.send(":srv 001 bot :Welcome");
  await client.signOn;
  assertEquals(signedOn, 1);
  assert(client.isSignedOn);
});

test("a nick in use while signing on is retried with _ appended", async (t) => {
  const { client, server } = scripted(t, { nickname: "bot", capabilities: [] });
  await server.until("USER");
  await server.send(":srv 433 * bot :Nickname is already in use");
  assertEquals((await server.until("NICK")).at(-1)!.params, ["bot_"]);
  await server.send(":srv 001 bot_ :Welcome");
  await client.signOn;
  assertEquals(client.nickname, "bot_");
});

test("the client answers PING with PONG at once", async (t) => {
  const { server } = scripted(t, { nickname: "bot", capabilities: [] });
  await welcome(server, "bot");
  await server.send("PING :abc123");
  assertEquals((await server.until("PONG")).at(-1)!.params, ["abc123"]);
});

test("CAP: the client asks for what it wants of what is offered, then ends", async (t) => {
  const { client, server } = scripted(t, { nickname: "bot" });
  assertEquals((await server.until("CAP")).at(-1)!.params, ["LS", "302"]);
  await server.send(
    ":srv CAP * LS * :multi-prefix server-time",
    ":srv CAP * LS :message-tags sasl=PLAIN",
  );
  const [req] = (await server.until("CAP")).slice(-1);
  assertEquals(req!.params, ["REQ", "message-tags server-time"]);
  await server.send(":srv CAP bot ACK :message-tags server-time");
  assertEquals((await server.until("CAP")).at(-1)!.params, ["END"]);
  assertEquals([...client.capabilities].sort(), [
    "message-tags",
    "server-time",
  ]);
});

test("SASL PLAIN sends the account and password, then CAP END on 903", async (t) => {
  const { client, server } = scripted(t, {
    nickname: "bot",
    capabilities: [],
    sasl: { account: "alice", password: "wonderland" },
  });
  await server.until("CAP");
  await server.send(":srv CAP * LS :sasl");
  assertEquals((await server.until("CAP")).at(-1)!.params, ["REQ", "sasl"]);
  await server.send(":srv CAP bot ACK :sasl");
  assertEquals((await server.until("AUTHENTICATE")).at(-1)!.params, ["PLAIN"]);
  await server.send("AUTHENTICATE +");
  const [auth] = (await server.until("AUTHENTICATE")).slice(-1);
  assertEquals(atob(auth!.params[0]!), "\0alice\0wonderland");
  await server.send(":srv 903 bot :SASL authentication successful");
  assertEquals((await server.until("CAP")).at(-1)!.params, ["END"]);
  await server.send(":srv 001 bot :Welcome");
  await client.signOn;
});

test("a refused SASL login fails the sign-on with IRCSignOnError", async (t) => {
  const { client, server } = scripted(t, {
    nickname: "bot",
    capabilities: [],
    sasl: { account: "alice", password: "guess" },
  });
  await server.until("CAP");
  await server.send(":srv CAP * LS :sasl", ":srv CAP bot ACK :sasl");
  await server.until("AUTHENTICATE");
  await server.send("AUTHENTICATE +");
  await server.until("AUTHENTICATE");
  await server.send(":srv 904 bot :SASL authentication failed");
  await assertRejects(() => client.signOn, IRCSignOnError, "alice");
});

test("events come to the overridable methods and the iterator alike", async (t) => {
  const calls: string[] = [];
  class Bot extends IRCClient {
    override joined(channel: string): void {
      calls.push(`joined ${channel}`);
    }
    override privmsg(user: string, channel: string, message: string): void {
      calls.push(`privmsg ${user} ${channel} ${message}`);
    }
  }
  const options = { nickname: "bot", capabilities: [] };
  const { client, server } = scripted(t, options, new Bot(options));
  const events = client.events();
  await welcome(server, "bot");
  await server.send(
    ":bot!u@h JOIN #chat",
    ":alice!a@h JOIN #chat",
    ":alice!a@h PRIVMSG #chat :hello",
    ":alice!a@h PRIVMSG #chat :\x01ACTION waves\x01",
    ":alice!a@h NOTICE bot :psst",
    ":alice!a@h TOPIC #chat :new topic",
    ":alice!a@h NICK alicia",
    ":alicia!a@h KICK #chat carol :bye",
    ":alicia!a@h KICK #chat bot :you too",
    ":dave!d@h PART #chat",
    ":erin!e@h QUIT :gone",
  );
  const got: IRCEvent[] = [];
  for await (const event of events) {
    got.push(event);
    if (got.length === 12) break;
  }
  assertEquals(got, [
    { type: "signedOn" },
    { type: "joined", channel: "#chat" },
    { type: "userJoined", user: "alice", channel: "#chat" },
    {
      type: "privmsg",
      user: "alice!a@h",
      channel: "#chat",
      message: "hello",
      tags: undefined,
    },
    {
      type: "action",
      user: "alice!a@h",
      channel: "#chat",
      data: "waves",
      tags: undefined,
    },
    {
      type: "noticed",
      user: "alice!a@h",
      channel: "bot",
      message: "psst",
      tags: undefined,
    },
    {
      type: "topicUpdated",
      user: "alice",
      channel: "#chat",
      newTopic: "new topic",
    },
    { type: "userRenamed", oldname: "alice", newname: "alicia" },
    {
      type: "userKicked",
      kickee: "carol",
      channel: "#chat",
      kicker: "alicia",
      message: "bye",
    },
    {
      type: "kickedFrom",
      channel: "#chat",
      kicker: "alicia",
      message: "you too",
    },
    { type: "userLeft", user: "dave", channel: "#chat" },
    { type: "userQuit", user: "erin", quitMessage: "gone" },
  ]);
  assertEquals(calls, [
    "joined #chat",
    "privmsg alice!a@h #chat hello",
  ]);
});

test("CTCP VERSION, PING and CLIENTINFO are answered by NOTICE", async (t) => {
  const { server } = scripted(t, {
    nickname: "bot",
    capabilities: [],
    versionName: "testbot 1.0",
  });
  await welcome(server, "bot");
  await server.send(
    ":alice!a@h PRIVMSG bot :\x01VERSION\x01",
    ":alice!a@h PRIVMSG bot :\x01PING 12345\x01",
  );
  assertEquals((await server.until("NOTICE")).at(-1)!.params, [
    "alice",
    "\x01VERSION testbot 1.0\x01",
  ]);
  assertEquals((await server.until("NOTICE")).at(-1)!.params, [
    "alice",
    "\x01PING 12345\x01",
  ]);
});

test("msg splits a long text at the byte limit without breaking UTF-8", async (t) => {
  const { client, server } = scripted(t, {
    nickname: "bot",
    capabilities: [],
    floodInterval: 0,
  });
  await welcome(server, "bot");
  const text = "héllo wörld ✓ 🎉 ".repeat(60);
  client.msg("#chat", text);
  client.msg("#chat", "end");
  const seen = await server.until("PRIVMSG", (m) => m.params[1] === "end");
  const pieces = seen.filter((m) => m.command === "PRIVMSG").slice(0, -1)
    .map((m) => m.params[1]!);
  assert(pieces.length > 2);
  const overhead = ":bot!~bot@ PRIVMSG #chat :\r\n".length + 63;
  for (const piece of pieces) {
    assert(new TextEncoder().encode(piece).length <= 512 - overhead);
    assert(!piece.includes("\uFFFD"));
  }
  assertEquals(pieces.join(" "), text);
});

test("splitText cuts at line breaks, then spaces, then characters", () => {
  assertEquals(splitText("a\nb", 10), ["a", "b"]);
  assertEquals(splitText("aaaa bbbb", 6), ["aaaa", "bbbb"]);
  assertEquals(splitText("ééééé", 4), ["éé", "éé", "é"]);
  assertEquals(splitText("🎉🎉", 4), ["🎉", "🎉"]);
});

test("flood control sends the burst at once and the rest at its pace", async (t) => {
  const { client, server } = scripted(t, {
    nickname: "bot",
    capabilities: [],
    floodBurst: 3,
    floodInterval: 1000,
  });
  await welcome(server, "bot");
  await client.signOn;
  for (let i = 1; i <= 5; i++) client.msg("#chat", `m${i}`);
  await server.until("PRIVMSG", (m) => m.params[1] === "m3");
  assertEquals(client.queuedMessages, 2);
  t.clock.advance(1000);
  await server.until("PRIVMSG", (m) => m.params[1] === "m4");
  assertEquals(client.queuedMessages, 1);
  t.clock.advance(1000);
  await server.until("PRIVMSG", (m) => m.params[1] === "m5");
});

test("whois resolves with the replies up to RPL_ENDOFWHOIS", async (t) => {
  const { client, server } = scripted(t, { nickname: "bot", capabilities: [] });
  await welcome(server, "bot");
  const replies = client.whois("Alice");
  await server.until("WHOIS");
  await server.send(
    ":srv 311 bot alice a h * :Alice A",
    ":srv 319 bot alice :#chat",
    ":srv 318 bot alice :End of /WHOIS list",
  );
  assertEquals((await replies).map((m) => m.command), ["311", "319", "318"]);
});

test("whois of an unknown nick resolves with ERR_NOSUCHNICK", async (t) => {
  const { client, server } = scripted(t, { nickname: "bot", capabilities: [] });
  await welcome(server, "bot");
  const replies = client.whois("ghost");
  await server.until("WHOIS");
  await server.send(
    ":srv 401 bot ghost :No such nick",
    ":srv 318 bot ghost :End of /WHOIS list",
  );
  assertEquals((await replies).map((m) => m.command), ["401", "318"]);
});

test("the factory reconnects with backoff and resets it once signed on", async (t) => {
  const servers: LinePeer[] = [];
  const source = {
    reactor: t.clock,
    connect: () => {
      const [near, far] = connectedPair();
      servers.push(new LinePeer(far));
      return succeed(near);
    },
  };
  const factory = new IRCClientFactory(
    () => new IRCClient({ nickname: "bot", capabilities: [] }),
    { initialDelay: 1000, factor: 2, jitter: 0 },
  );
  const connector = new Connector(source, factory);
  connector.connect();
  await welcome(servers[0]!, "bot");
  await factory.client!.signOn;
  await servers[0]!.close();
  // The connector hears of the loss once the client has: then it retries.
  while (factory.retries === 0) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assertEquals(factory.delay, 2000);
  t.clock.advance(1999);
  assertEquals(servers.length, 1);
  t.clock.advance(1);
  assertEquals(servers.length, 2);
  await welcome(servers[1]!, "bot");
  await factory.client!.signOn;
  assertEquals(factory.retries, 0);
  factory.stopTrying();
  connector.disconnect();
  await factory.client!.events().next();
  for (const server of servers) await server.close();
});

test("the client talks to Spindle's server over TCP: join, message, topic, nick, kick", async (t) => {
  await using running = await serveIRC({
    listen: "tcp:0:interface=127.0.0.1",
    reactor: t.reactor,
  });
  const { port } = running.addr as Deno.NetAddr;
  const endpoint = () =>
    clientFromString(t.reactor, `tcp:host=127.0.0.1:port=${port}`);
  const alice = await connectIRC(
    endpoint(),
    new IRCClient({ nickname: "alice", channels: ["#chat"] }),
  );
  const aliceEvents = alice.events();
  const bob = await connectIRC(
    endpoint(),
    new IRCClient({ nickname: "bob", channels: ["#chat"] }),
  );
  const next = async (type: IRCEvent["type"]) => {
    for (;;) {
      const { value, done } = await aliceEvents.next();
      if (done) throw new Error(`no ${type} event`);
      if (value.type === type) return value;
    }
  };
  assertEquals(await next("userJoined"), {
    type: "userJoined",
    user: "bob",
    channel: "#chat",
  });
  bob.msg("#chat", "hi alice");
  const message = await next("privmsg");
  assert(message.type === "privmsg" && message.message === "hi alice");
  assert(message.tags?.time !== undefined, "server-time was negotiated");
  bob.me("#chat", "waves");
  assertEquals((await next("action") as { data: string }).data, "waves");
  alice.topic("#chat", "Spindle talk");
  assertEquals(
    (await next("topicUpdated") as { newTopic: string }).newTopic,
    "Spindle talk",
  );
  bob.setNick("robert");
  assertEquals(await next("userRenamed"), {
    type: "userRenamed",
    oldname: "bob",
    newname: "robert",
  });
  const whois = await alice.whois("robert");
  assertEquals(whois[0]!.params.slice(1, 3), ["robert", "bob"]);
  alice.kick("#chat", "robert", "out");
  assertEquals(await next("userKicked"), {
    type: "userKicked",
    kickee: "robert",
    channel: "#chat",
    kicker: "alice",
    message: "out",
  });
  alice.quit("bye");
  bob.quit("bye");
  await aliceEvents.next();
  for await (const _ of bob.events()) { /* until the connection ends */ }
});

test("the client signs on over TLS", async (t) => {
  const pki = await makeTestPki();
  await using running = await serveIRC({
    listen:
      `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
    reactor: t.reactor,
  });
  const { port } = running.addr as Deno.NetAddr;
  const client = await connectIRC(
    clientFromString(
      t.reactor,
      `tls:host=localhost:port=${port}:caCerts=${pki.dir}/ca.pem`,
    ),
    new IRCClient({ nickname: "secure" }),
  );
  assert(client.isSignedOn);
  client.quit();
  for await (const _ of client.events()) { /* until the connection ends */ }
});

test("with echo-message, our own echoed messages are no events", async (t) => {
  const { client, server } = scripted(t, {
    nickname: "bot",
    capabilities: ["echo-message"],
  });
  await server.until("CAP");
  await server.send(
    ":srv CAP * LS :echo-message",
    ":srv CAP bot ACK :echo-message",
  );
  const events = client.events();
  await welcome(server, "bot");
  await server.send(
    ":bot!u@h PRIVMSG #chat :\x01VERSION\x01",
    ":bot!u@h PRIVMSG #chat :mine",
    ":alice!a@h PRIVMSG #chat :theirs",
  );
  const seen: IRCEvent[] = [];
  for await (const event of events) {
    seen.push(event);
    if (event.type === "privmsg") break;
  }
  assertEquals(seen.map((e) => e.type === "privmsg" ? e.message : e.type), [
    "signedOn",
    "theirs",
  ]);
});
