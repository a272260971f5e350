// IRC against real peers: Spindle's client against ngIRCd; Python socket
// clients and Twisted's IRCClient against Spindle's server; one session
// script against both servers, whose replies must agree; and a slow reader
// in a busy channel, dropped while the others keep receiving.
import {
  assert,
  assertEquals,
  test,
  type TestContext,
} from "../../../trial/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { clientFromString } from "../../../reactor/endpoints/mod.ts";
import {
  connectIRC,
  IRCClient,
  type IRCEvent,
  type IRCMessage,
  type IRCRunningServer,
  serveIRC,
  type ServeIRCOptions,
} from "../../../protocols/irc/mod.ts";
import { ngircd, startNgircd } from "./_ngircd.ts";
import { LinePeer } from "./_helpers.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";

const python = findPeer(PEERS.python);
const twisted = findPeer(PEERS.twisted);
const here = new URL(".", import.meta.url).pathname;

/** Spindle's server on a free loopback port of the test's reactor. */
function spindle(t: TestContext, options: Partial<ServeIRCOptions> = {}) {
  return serveIRC({
    listen: "tcp:0:interface=127.0.0.1",
    reactor: t.reactor,
    name: "irc.spindle.test",
    motd: "Hello from Spindle",
    ...options,
  });
}

const portOf = (running: IRCRunningServer) =>
  (running.addr as Deno.NetAddr).port;

/** A raw TCP connection read through the codec (the peer of the scripts). */
async function rawPeer(port: number): Promise<LinePeer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const [near, far] = connectedPair();
  far.readable.pipeTo(conn.writable).catch(() => {});
  conn.readable.pipeTo(far.writable).catch(() => {});
  return new LinePeer(near);
}

/** The next event of `type` from `events`. */
async function next<T extends IRCEvent["type"]>(
  events: AsyncIterator<IRCEvent>,
  type: T,
): Promise<Extract<IRCEvent, { type: T }>> {
  for (;;) {
    const { value, done } = await events.next();
    if (done) throw new Error(`the connection ended before a ${type} event`);
    if (value.type === type) return value as Extract<IRCEvent, { type: T }>;
  }
}

test(
  "Spindle's client against ngIRCd: join, message, ACTION, topic, nick, kick",
  async (t) => {
    const server = await startNgircd();
    t.addCleanup(() => server.stop());
    const endpoint = () =>
      clientFromString(t.reactor, `tcp:host=127.0.0.1:port=${server.port}`);
    const alice = await connectIRC(
      endpoint(),
      new IRCClient({ nickname: "alice", channels: ["#spindle"] }),
    );
    const events = alice.events();
    assertEquals((await next(events, "joined")).channel, "#spindle");
    const bob = await connectIRC(
      endpoint(),
      new IRCClient({ nickname: "bob", channels: ["#spindle"] }),
    );
    const bobEvents = bob.events();
    await next(bobEvents, "joined");
    assertEquals((await next(events, "userJoined")).user, "bob");
    bob.msg("#spindle", "hello from bob");
    const message = await next(events, "privmsg");
    assertEquals([message.user, message.message], [
      "bob!~bob@127.0.0.1",
      "hello from bob",
    ]);
    bob.me("#spindle", "waves");
    assertEquals((await next(events, "action")).data, "waves");
    alice.topic("#spindle", "Spindle meets ngIRCd");
    assertEquals(
      (await next(bobEvents, "topicUpdated")).newTopic,
      "Spindle meets ngIRCd",
    );
    bob.setNick("robert");
    assertEquals(await next(events, "userRenamed"), {
      type: "userRenamed",
      oldname: "bob",
      newname: "robert",
    });
    assertEquals((await next(bobEvents, "nickChanged")).nick, "robert");
    const whois = await alice.whois("robert");
    assertEquals(whois.at(-1)!.command, "318");
    assertEquals(whois[0]!.command, "311");
    alice.kick("#spindle", "robert", "bye now");
    assertEquals(await next(bobEvents, "kickedFrom"), {
      type: "kickedFrom",
      channel: "#spindle",
      kicker: "alice",
      message: "bye now",
    });
    alice.quit("done");
    bob.quit("done");
    for await (const _ of events) { /* until closed */ }
    for await (const _ of bobEvents) { /* until closed */ }
  },
  { ignore: ngircd.ignore },
);

test("two Python socket clients talk through Spindle's server", async (t) => {
  await using running = await spindle(t);
  const { code, stdout, stderr } = await new Deno.Command(python.path, {
    args: [
      `${here}python_socket_clients.py`,
      "127.0.0.1",
      String(portOf(running)),
    ],
  }).output();
  const text = new TextDecoder().decode(stdout);
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  const result = JSON.parse(text);
  assert(result.heard.endsWith(":hello from pyalice"));
  assert(result.answer.endsWith(":hi pyalice"));
  assertEquals(result.alice.slice(0, 5), ["001", "002", "003", "004", "005"]);
}, { ignore: python.ignore });

test("Twisted's IRCClient talks to Spindle's server", async (t) => {
  await using running = await spindle(t);
  const port = portOf(running);
  const child = new Deno.Command(twisted.path, {
    args: [`${here}twisted_irc_client.py`, "127.0.0.1", String(port)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  // Twisted joins first; the Spindle client then joins and answers it.
  const deadline = Date.now() + 10_000;
  while (running.server.channelCount === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const spindleClient = await connectIRC(
    clientFromString(t.reactor, `tcp:host=127.0.0.1:port=${port}`),
    new IRCClient({ nickname: "spindly", channels: ["#interop"] }),
  );
  const events = spindleClient.events();
  const hello = await next(events, "privmsg");
  assertEquals([hello.user.split("!")[0], hello.message], [
    "twisty",
    "hello from twisted",
  ]);
  spindleClient.me("#interop", "waves at twisty");
  spindleClient.msg("#interop", "hello twisty");
  const { code, stdout, stderr } = await output;
  const text = new TextDecoder().decode(stdout);
  assertEquals(code, 0, `${text}\n${new TextDecoder().decode(stderr)}`);
  assert(
    text.includes("ACTION spindly!spindly@127.0.0.1 waves at twisty"),
    text,
  );
  assert(
    text.includes("GOT spindly!spindly@127.0.0.1 #interop hello twisty"),
    text,
  );
  assertEquals((await next(events, "userQuit")).user, "twisty");
  spindleClient.quit();
  for await (const _ of events) { /* until closed */ }
}, { ignore: twisted.ignore });

/** The commands that matter in each step's replies, as both servers agree on them. */
const MATTERS = new Set([
  "001",
  "002",
  "003",
  "004",
  "375",
  "376",
  "JOIN",
  "353",
  "366",
  "324",
  "329",
  "TOPIC",
  "331",
  "332",
  "333",
  "352",
  "315",
  "311",
  "312",
  "319",
  "318",
  "401",
  "403",
  "421",
  "433",
  "442",
  "461",
  "PART",
  "PONG",
  "ERROR",
]);

const SCRIPT: string[][] = [
  ["NICK scripty", "USER scripty 0 * :Script"],
  ["JOIN #script"],
  ["MODE #script"],
  ["TOPIC #script"],
  ["TOPIC #script :a topic"],
  ["TOPIC #script"],
  ["WHO #script"],
  ["WHOIS scripty"],
  ["PRIVMSG ghost :anyone?"],
  ["FROBNICATE"],
  ["JOIN"],
  ["PART #elsewhere"],
  ["PART #script :bye"],
  ["QUIT :done"],
];

/** Runs SCRIPT on `port`, returning the replies that matter per step. */
async function runScript(port: number): Promise<string[][]> {
  const peer = await rawPeer(port);
  const steps: string[][] = [];
  try {
    for (const [i, lines] of SCRIPT.entries()) {
      const last = i === SCRIPT.length - 1;
      await peer.send(...lines, ...(last ? [] : [`PING :step${i}`]));
      const seen = last
        ? await peer.until("ERROR")
        : await peer.until("PONG", (m) => m.params.at(-1) === `step${i}`);
      if (!last) seen.pop();
      steps.push(
        seen.map((m: IRCMessage) => m.command).filter((c) => MATTERS.has(c)),
      );
    }
  } finally {
    await peer.close();
  }
  return steps;
}

test(
  "one session script gets the same replies from Spindle's server and ngIRCd",
  async (t) => {
    const server = await startNgircd();
    t.addCleanup(() => server.stop());
    await using running = await spindle(t);
    const theirs = await runScript(server.port);
    const ours = await runScript(portOf(running));
    const whois = SCRIPT.findIndex((lines) => lines[0]!.startsWith("WHOIS"));
    // WHOIS replies come in an order of each server's own between 311 and 318.
    for (const steps of [theirs, ours]) steps[whois]!.sort();
    assertEquals(ours, theirs);
  },
  { ignore: ngircd.ignore },
);

test("a slow reader in a busy channel is dropped while the others keep receiving", async (t) => {
  // The sender floods on purpose: no input flood protection here.
  await using running = await spindle(t, {
    maxSendQueue: 64 * 1024,
    floodBurst: Infinity,
  });
  const port = portOf(running);
  const members = [
    await rawPeer(port),
    await rawPeer(port),
    await rawPeer(port),
  ];
  const [sender, reader] = members;
  t.addCleanup(async () => {
    for (const peer of members) await peer.close();
  });
  for (const [i, peer] of members.entries()) {
    await peer.register(`m${i}`);
    await peer.send("JOIN #busy");
    await peer.until("366");
  }
  // The third member (m2) is never read again: once its socket
  // buffers are full, its send queue grows to the limit.
  const text = "x".repeat(400);
  let dropped: IRCMessage | undefined;
  for (let i = 0; dropped === undefined && i < 100_000; i++) {
    await sender!.send(
      ...Array.from(
        { length: 50 },
        (_, j) => `PRIVMSG #busy :${i}.${j} ${text}`,
      ),
    );
    const seen = await reader!.until(
      ["PRIVMSG", "QUIT"],
      (m) => m.command === "QUIT" || m.params[1]!.startsWith(`${i}.49 `),
    );
    dropped = seen.find((m) => m.command === "QUIT");
  }
  assertEquals(dropped?.params, ["SendQ exceeded"]);
  assertEquals(dropped?.source?.split("!")[0], "m2");
  await sender!.send("PRIVMSG #busy :still flowing");
  await reader!.until("PRIVMSG", (m) => m.params[1] === "still flowing");
});
