// Telnet: the stream codec, the Q method of RFC 1143, the line editor, and
// the line server against Debian's telnet (driven in tmux) and Python's
// telnetlib.
import {
  encodeTelnetData,
  InvalidTelnetStreamError,
  LineEditor,
  OptionNegotiator,
  Telnet,
  TelnetDecoderCore,
  type TelnetEvent,
  telnetLineHandler,
  TelnetOption,
} from "../../../protocols/telnet/mod.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertThrows,
  test,
  type TestContext,
} from "../../../trial/mod.ts";
import { findPeer, PEERS } from "../../_peers.ts";
import { run } from "../dns/_interop.ts";

const tmux = findPeer(PEERS.tmux);
const telnet = findPeer(PEERS.telnet);
const python = findPeer(PEERS.python);

test("the codec takes commands out of the data, split anywhere", () => {
  const bytes = new Uint8Array([
    104,
    105,
    255,
    255,
    13,
    0,
    255,
    253,
    1,
    255,
    250,
    31,
    0,
    80,
    0,
    24,
    255,
    240,
    255,
    244,
    13,
    10,
    33,
  ]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const core = new TelnetDecoderCore();
    const out: TelnetEvent[] = [];
    core.decode(bytes.subarray(0, cut), out);
    core.decode(bytes.subarray(cut), out);
    const data = out.filter((e) => e.type === "data")
      .flatMap((e) => [...(e as { data: Uint8Array }).data]);
    assertEquals(data, [104, 105, 255, 13, 13, 10, 33]);
    const others = out.filter((e) => e.type !== "data");
    assertEquals(others, [
      { type: "negotiate", verb: Telnet.DO, option: TelnetOption.ECHO },
      {
        type: "subnegotiation",
        option: TelnetOption.NAWS,
        data: new Uint8Array([0, 80, 0, 24]),
      },
      { type: "command", command: Telnet.IP },
    ]);
  }
});

test("the codec refuses an endless subnegotiation", () => {
  const core = new TelnetDecoderCore();
  assertThrows(
    () =>
      core.decode(new Uint8Array([255, 250, 24, ...new Uint8Array(600)]), []),
    InvalidTelnetStreamError,
  );
});

test("data is sent with IAC doubled and LF as CR LF", () => {
  assertEquals(
    encodeTelnetData(new Uint8Array([255, 10]), { crlf: true }),
    new Uint8Array([255, 255, 13, 10]),
  );
});

function pair() {
  const sent: { a: number[][]; b: number[][] } = { a: [], b: [] };
  const policy = { local: () => true, remote: () => true };
  const a = new OptionNegotiator({
    send: (verb, option) => sent.a.push([verb, option]),
    policy,
  });
  const b = new OptionNegotiator({
    send: (verb, option) => sent.b.push([verb, option]),
    policy: { local: () => false, remote: () => false },
  });
  return { a, b, sent };
}

test("Q method: a request the peer refuses ends with both ends off, without a loop", () => {
  const { a, b, sent } = pair();
  a.enable("local", TelnetOption.LINEMODE);
  assertEquals(sent.a, [[Telnet.WILL, TelnetOption.LINEMODE]]);
  b.receive(Telnet.WILL, TelnetOption.LINEMODE);
  assertEquals(sent.b, [[Telnet.DONT, TelnetOption.LINEMODE]]);
  a.receive(Telnet.DONT, TelnetOption.LINEMODE);
  assertEquals(sent.a.length, 1); // a refusal of our own request is not answered
  assert(!a.isEnabled("local", TelnetOption.LINEMODE));
});

test("Q method: an agreed option is acknowledged once, and repeats are ignored", () => {
  const { a, sent } = pair();
  a.receive(Telnet.DO, TelnetOption.ECHO);
  a.receive(Telnet.DO, TelnetOption.ECHO);
  assertEquals(sent.a, [[Telnet.WILL, TelnetOption.ECHO]]);
  assert(a.isEnabled("local", TelnetOption.ECHO));
  a.receive(Telnet.DONT, TelnetOption.ECHO);
  assertEquals(sent.a.at(-1), [Telnet.WONT, TelnetOption.ECHO]);
  assert(!a.isEnabled("local", TelnetOption.ECHO));
});

test("Q method: a change of mind while a request is in flight is queued", () => {
  const { a, sent } = pair();
  a.enable("remote", TelnetOption.NAWS); // DO NAWS
  a.disable("remote", TelnetOption.NAWS); // queued: nothing sent yet
  assertEquals(sent.a, [[Telnet.DO, TelnetOption.NAWS]]);
  a.receive(Telnet.WILL, TelnetOption.NAWS); // the answer: then DONT
  assertEquals(sent.a.at(-1), [Telnet.DONT, TelnetOption.NAWS]);
  a.receive(Telnet.WONT, TelnetOption.NAWS);
  assert(!a.isEnabled("remote", TelnetOption.NAWS));
  assertEquals(sent.a.length, 2);
});

test("the line editor edits at the cursor and walks the history", async () => {
  const lines: string[] = [];
  const editor = new LineEditor({
    write: () => {},
    onLine: (line) => void lines.push(line),
  });
  const type = (text: string) => editor.feed(new TextEncoder().encode(text));
  await type("wrld\x1b[D\x1b[D\x1b[Do\r\n");
  await type("second\x7f\x7fnd\r");
  await type("\x1b[A\x1b[A\r"); // Up twice: the first line again
  await type("x\x15y\r"); // Ctrl-U clears the line
  assertEquals(lines, ["world", "secoND".toLowerCase(), "world", "y"]);
  assertEquals(editor.history, ["world", "second", "world", "y"]);
});

async function withServer(
  t: TestContext,
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const port = await t.reactor.listenTCP(
    0,
    telnetLineHandler((line, session) => {
      if (line === "size") {
        return `size ${session.windowSize?.columns}x${session.windowSize?.rows} ${session.terminalType}`;
      }
      if (line === "quit") return session.close();
      return `got ${line.toUpperCase()}`;
    }, { greeting: "welcome\n", prompt: "> " }),
    { interface: "127.0.0.1" },
  );
  try {
    await fn((port.getHost() as Deno.NetAddr).port);
  } finally {
    await port.stopListening();
  }
}

test(
  "Debian telnet in tmux: echo by the server, line editing, history, NAWS and TTYPE",
  async (t) => {
    await withServer(t, async (port) => {
      const session = `spindle-telnet-${port}`;
      const tm = (...args: string[]) => run(tmux.path, args);
      await tm(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        "100",
        "-y",
        "30",
        `${telnet.path} 127.0.0.1 ${port}`,
      );
      try {
        const screen = () => tm("capture-pane", "-p", "-t", session);
        const waitFor = async (pattern: RegExp) => {
          // A bounded wait: 100 looks, 50 ms apart.
          for (let i = 0; i < 100; i++) {
            const text = await screen();
            if (pattern.test(text)) return text;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          throw new Error(
            `the screen never showed ${pattern}:\n${await screen()}`,
          );
        };
        await waitFor(/welcome\s*\n>/);
        await tm("send-keys", "-t", session, "helo", "Left", "l", "Enter");
        await waitFor(/got HELLO/);
        await tm("send-keys", "-t", session, "Up", "Enter");
        const text = await waitFor(/got HELLO[\s\S]*got HELLO/);
        // The server echoed each typed line once (telnet itself echoes nothing).
        assertEquals(text.match(/^> hello$/gm)?.length, 2);
        await tm("send-keys", "-t", session, "size", "Enter");
        assertMatch(
          await waitFor(/size \d+x\d+ \S+/),
          /size 100x30 [A-Z0-9-]+/i,
        );
      } finally {
        await tm("kill-session", "-t", session).catch(() => {});
      }
    });
  },
  { ignore: tmux.ignore || telnet.ignore },
);

test(
  "Python's telnetlib, which refuses every option, still gets answers",
  async (t) => {
    await withServer(t, async (port) => {
      const script = `
import telnetlib, warnings
warnings.simplefilter("ignore")
t = telnetlib.Telnet("127.0.0.1", ${port}, timeout=5)
print(t.read_until(b"> ", 5).decode().strip())
t.write(b"ping\\r\\n")
print(t.read_until(b"> ", 5).decode().strip())
t.write(b"quit\\r\\n")
print(t.read_all().decode().strip() or "closed")
`;
      const out = await run(python.path, ["-W", "ignore", "-c", script]);
      assertMatch(out, /welcome/);
      assertMatch(out, /got PING/);
      assertMatch(out, /closed/);
    });
  },
  { ignore: python.ignore },
);
