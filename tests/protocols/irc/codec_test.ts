// The IRC codec: the message grammar, IRCv3 tags, limits, encodings, CTCP.
import { assertEquals, assertThrows, test } from "../../../trial/mod.ts";
import {
  ctcpExtract,
  ctcpStringify,
  escapeTagValue,
  formatMessage,
  IRCDecoderCore,
  IRCEncoderCore,
  IRCLineTooLongError,
  ircLower,
  type IRCMessage,
  IRCParseError,
  IRCTagsTooLongError,
  isValidNick,
  lowDequote,
  lowQuote,
  Numeric,
  numericName,
  parseMessage,
  parseSource,
  unescapeTagValue,
} from "../../../protocols/irc/mod.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function decodeAll(input: Uint8Array, pieces = 1): IRCMessage[] {
  const core = new IRCDecoderCore();
  const out: IRCMessage[] = [];
  const size = Math.ceil(input.length / pieces);
  for (let at = 0; at < input.length; at += size) {
    core.decode(input.subarray(at, at + size), out);
  }
  core.end(out);
  return out;
}

test("a line has a source, a command and middle and trailing params", () => {
  assertEquals(parseMessage(":irc.example.test 001 alice :Welcome to IRC"), {
    source: "irc.example.test",
    command: "001",
    params: ["alice", "Welcome to IRC"],
  });
});

test("a command is upper-cased and repeated spaces separate nothing", () => {
  assertEquals(parseMessage("privmsg   #chat    hi"), {
    command: "PRIVMSG",
    params: ["#chat", "hi"],
  });
});

test("an empty trailing param is kept", () => {
  assertEquals(parseMessage("TOPIC #chat :").params, ["#chat", ""]);
});

test("a trailing param keeps its colons and spaces", () => {
  assertEquals(parseMessage("PRIVMSG #c ::-) a  b").params, ["#c", ":-) a  b"]);
});

test("tag values are unescaped and a tag without value is empty", () => {
  const message = parseMessage(
    "@a=1\\s2\\:3\\\\4\\r\\n;b;+c=x\\yz\\ :n!u@h PING",
  );
  assertEquals(message.tags, { a: "1 2;3\\4\r\n", b: "", "+c": "xyz" });
});

test("tag escaping round-trips every special character", () => {
  const value = "semi; space \\ cr\r lf\n";
  assertEquals(unescapeTagValue(escapeTagValue(value)), value);
});

test("formatting puts a colon before the last param only when needed", () => {
  assertEquals(formatMessage({ command: "JOIN", params: ["#a"] }), "JOIN #a");
  assertEquals(formatMessage({ command: "X", params: [":p"] }), "X ::p");
  assertEquals(formatMessage({ command: "X", params: [""] }), "X :");
});

test("formatting and parsing are inverses, tags included", () => {
  const message: IRCMessage = {
    tags: { time: "2026-12-05T11:00:00.000Z", msgid: "a;b c" },
    source: "alice!a@example.org",
    command: "PRIVMSG",
    params: ["#chat", "hello: world"],
  };
  assertEquals(parseMessage(formatMessage(message)), message);
});

test("a parameter with CR or LF cannot be formatted (no command smuggling)", () => {
  assertThrows(
    () => formatMessage({ command: "PRIVMSG", params: ["#c", "a\r\nQUIT"] }),
    TypeError,
  );
});

test("a middle param with a space cannot be formatted", () => {
  assertThrows(
    () => formatMessage({ command: "PRIVMSG", params: ["# c", "a"] }),
    TypeError,
  );
});

test("a line without a command is a parse error", () => {
  assertThrows(() => parseMessage(":source.only"), IRCParseError);
  assertThrows(() => parseMessage("@a=b"), IRCParseError);
});

test("the decoder gives the same messages however the input is split", () => {
  const input = bytes(
    "@k=v :a!b@c PRIVMSG #x :one\r\nPING :two\n\r\n  \r\nNOTICE y :three",
  );
  const whole = decodeAll(input);
  assertEquals(whole.map((m) => m.params.at(-1)), ["one", "two", "three"]);
  for (let pieces = 2; pieces < input.length; pieces += 7) {
    assertEquals(decodeAll(input, pieces), whole);
  }
});

test("the decoder stops at max messages and skips empty lines before one", () => {
  const core = new IRCDecoderCore();
  const out: IRCMessage[] = [];
  core.decode(bytes("\r\nPING a\r\nPING b\r\n"), out, 1);
  assertEquals(out.map((m) => m.params[0]), ["a"]);
  assertEquals(new TextDecoder().decode(core.release()), "PING b\r\n");
});

test("a line of 512 bytes with its CR LF passes, 513 does not", () => {
  const ok = `PRIVMSG #c :${"x".repeat(512 - 14)}\r\n`;
  assertEquals(bytes(ok).length, 512);
  assertEquals(decodeAll(bytes(ok)).length, 1);
  assertThrows(
    () => decodeAll(bytes(`PRIVMSG #c :${"x".repeat(512 - 13)}\r\n`)),
    IRCLineTooLongError,
  );
});

test("tags may add up to 8191 bytes in front of a 512-byte line", () => {
  const tags = `@t=${"v".repeat(8191 - 4)} `;
  assertEquals(tags.length, 8191);
  const line = `PRIVMSG #c :${"x".repeat(512 - 14)}\r\n`;
  assertEquals(decodeAll(bytes(tags + line)).length, 1);
  assertThrows(
    () => decodeAll(bytes(`@t=${"v".repeat(8191 - 3)} PING x\r\n`)),
    IRCTagsTooLongError,
  );
});

test("text is UTF-8, and a line that is not valid UTF-8 is Latin-1", () => {
  const utf8 = decodeAll(bytes("PRIVMSG #c :héllo wörld\r\n"));
  assertEquals(utf8[0]!.params[1], "héllo wörld");
  const latin1 = new Uint8Array([
    ...bytes("PRIVMSG #c :caf"),
    0xe9,
    ...bytes(" cr"),
    0xe8,
    ...bytes("me\r\n"),
  ]);
  assertEquals(decodeAll(latin1)[0]!.params[1], "café crème");
});

test("the encoder refuses a line over 512 bytes", () => {
  const encoder = new IRCEncoderCore();
  assertEquals(
    encoder.encode({ command: "PRIVMSG", params: ["#c", "x".repeat(499)] })
      .length,
    512,
  );
  assertThrows(
    () =>
      encoder.encode({ command: "PRIVMSG", params: ["#c", "x".repeat(500)] }),
    IRCLineTooLongError,
  );
});

test("numerics have names both ways", () => {
  assertEquals(Numeric.ERR_NICKNAMEINUSE, "433");
  assertEquals(numericName("001"), "RPL_WELCOME");
  assertEquals(numericName("999"), undefined);
});

test("a source splits into nick, user and host", () => {
  assertEquals(parseSource("a!b@c"), { nick: "a", user: "b", host: "c" });
  assertEquals(parseSource("server.test"), { nick: "server.test" });
});

test("CTCP pieces are extracted from text, quoted and unquoted", () => {
  const text = ctcpStringify([
    { tag: "ACTION", data: "waves \\ and \x01" },
    { tag: "VERSION", data: "" },
  ]);
  assertEquals(ctcpExtract(`before ${text} after`), {
    normal: ["before ", " after"],
    extended: [
      { tag: "ACTION", data: "waves \\ and \x01" },
      { tag: "VERSION", data: "" },
    ],
  });
});

test("a CTCP ACTION without its closing delimiter still counts", () => {
  assertEquals(ctcpExtract("\x01ACTION waves").extended, [
    { tag: "ACTION", data: "waves" },
  ]);
});

test("low-level CTCP quoting survives NUL, CR, LF and the quote byte", () => {
  const raw = "a\0b\rc\nd\x10e";
  assertEquals(lowDequote(lowQuote(raw)), raw);
  assertEquals(lowQuote(raw).includes("\n"), false);
});

test("rfc1459 casemapping folds []\\~ onto {}|^", () => {
  assertEquals(ircLower("NICK[]\\~"), "nick{}|^");
});

test("nicknames follow RFC 2812's grammar", () => {
  assertEquals(isValidNick("[bot]-1", 30), true);
  assertEquals(isValidNick("-bot", 30), false);
  assertEquals(isValidNick("a b", 30), false);
  assertEquals(isValidNick("x".repeat(31), 30), false);
});

test("a line holding NUL or a bare CR is a parse error", () => {
  assertThrows(() => decodeAll(bytes("PRIVMSG #c :a\0b\r\n")), IRCParseError);
  assertThrows(() => decodeAll(bytes("PRIVMSG #c :a\rb\r\n")), IRCParseError);
});

test("a tag section without tags gives no tags", () => {
  assertEquals(parseMessage("@; PING x").tags, undefined);
});
