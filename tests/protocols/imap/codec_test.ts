// The IMAP grammar: framing with literals, tokens, limits; sequence sets
// and modified UTF-7 mailbox names.
import { assertEquals, assertThrows, test } from "../../../trial/mod.ts";
import {
  type IMAPFrame,
  IMAPFrameDecoderCore,
  IMAPLiteralTooLargeError,
  IMAPParseError,
  imapString,
  parseIMAPTokens,
} from "../../../protocols/imap/mod.ts";
import {
  decodeMailboxName,
  encodeMailboxName,
} from "../../../protocols/imap/_mutf7.ts";
import {
  formatSequenceSet,
  inSequenceSet,
  parseSequenceSet,
} from "../../../protocols/imap/_sequence_set.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function frames(core: IMAPFrameDecoderCore, ...chunks: string[]): IMAPFrame[] {
  const out: IMAPFrame[] = [];
  for (const chunk of chunks) core.decode(bytes(chunk), out);
  return out;
}

test("a command split at every byte decodes the same", () => {
  const text = "a1 APPEND INBOX {5}\r\nhello FLAGS\r\n";
  const whole = frames(new IMAPFrameDecoderCore({ server: true }), text);
  const split = frames(
    new IMAPFrameDecoderCore({ server: true }),
    ...text.split(""),
  );
  assertEquals(split, whole);
  assertEquals(whole.at(-1), {
    kind: "line",
    parts: ["a1 APPEND INBOX ", bytes("hello"), " FLAGS"],
  });
});

test("a synchronising literal is announced with a continue frame; a LITERAL+ one is not", () => {
  const sync = frames(new IMAPFrameDecoderCore({ server: true }), "a {2}\r\n");
  assertEquals(sync, [{ kind: "continue", size: 2 }]);
  const plus = frames(
    new IMAPFrameDecoderCore({ server: true }),
    "a {2+}\r\nhi\r\n",
  );
  assertEquals(plus.map((f) => f.kind), ["line"]);
});

test("a synchronising literal over the limit is refused with its command's text, before any of it is read", () => {
  const core = new IMAPFrameDecoderCore({ server: true, maxLiteralSize: 10 });
  assertEquals(frames(core, "a1 APPEND INBOX {11}\r\n", "a2 NOOP\r\n"), [
    { kind: "refused", text: "a1 APPEND INBOX ", size: 11 },
    { kind: "line", parts: ["a2 NOOP"] },
  ]);
});

test("a non-synchronising literal over the limit throws IMAPLiteralTooLargeError", () => {
  const core = new IMAPFrameDecoderCore({ server: true, maxLiteralSize: 10 });
  assertThrows(
    () => frames(core, "a1 APPEND INBOX {11+}\r\n"),
    IMAPLiteralTooLargeError,
  );
});

test("a response literal over the limit throws IMAPLiteralTooLargeError", () => {
  const core = new IMAPFrameDecoderCore({ maxLiteralSize: 10 });
  assertThrows(
    () => frames(core, "* 1 FETCH (BODY[] {11}\r\n"),
    IMAPLiteralTooLargeError,
  );
});

test("a line over maxLineLength throws, even before its end arrives", () => {
  const core = new IMAPFrameDecoderCore({ maxLineLength: 16 });
  assertThrows(
    () => frames(core, "a1 NOOP 0123456789"),
    IMAPParseError,
    "maxLineLength",
  );
});

test("tokens: atoms, quoted strings with escapes, literals, nested lists and bracketed atoms", () => {
  assertEquals(
    parseIMAPTokens([
      'a FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.10>) "a \\"b\\"" ',
      bytes("x"),
    ]),
    [
      { type: "atom", value: "a" },
      { type: "atom", value: "FETCH" },
      { type: "atom", value: "1:*" },
      {
        type: "list",
        items: [
          { type: "atom", value: "FLAGS" },
          { type: "atom", value: "BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.10>" },
        ],
      },
      { type: "string", value: 'a "b"' },
      { type: "literal", bytes: bytes("x") },
    ],
  );
});

test("tokens: nesting beyond maxDepth and items beyond maxItems throw IMAPParseError", () => {
  assertThrows(
    () => parseIMAPTokens(["((((x))))"], { maxDepth: 3 }),
    IMAPParseError,
    "maxDepth",
  );
  assertThrows(
    () => parseIMAPTokens(["a b c d"], { maxItems: 3 }),
    IMAPParseError,
    "maxItems",
  );
});

test("tokens: an unclosed list, string or bracket, and a stray ')' throw IMAPParseError", () => {
  for (const line of ["(a", '"a', "BODY[", "a)"]) {
    assertThrows(() => parseIMAPTokens([line]), IMAPParseError);
  }
});

test("imapString quotes what it can and sends the rest as a literal", () => {
  assertEquals(imapString("plain"), '"plain"');
  assertEquals(imapString("a\r\nb"), "{4}\r\na\r\nb");
  assertEquals(imapString(null), "NIL");
});

test("sequence sets: ranges either way round, '*' as the largest number", () => {
  const set = parseSequenceSet("1:3,7,10:*")!;
  assertEquals(
    [1, 2, 3, 4, 7, 9, 10, 12].map((n) => inSequenceSet(set, n, 12)),
    [true, true, true, false, true, false, true, true],
  );
  // "*:5" on a mailbox of 3 is 3:5.
  assertEquals(inSequenceSet(parseSequenceSet("*:5")!, 3, 3), true);
  assertEquals(parseSequenceSet("0"), null);
  assertEquals(parseSequenceSet("1:2:3"), null);
  assertEquals(formatSequenceSet([1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
});

test("modified UTF-7: names round-trip, and only the canonical spelling decodes", () => {
  for (
    const name of [
      "INBOX",
      "Entwürfe",
      "日本語",
      "a&b",
      "~peter/mail/台北/日本語",
    ]
  ) {
    assertEquals(decodeMailboxName(encodeMailboxName(name)), name);
  }
  assertEquals(encodeMailboxName("Entwürfe"), "Entw&APw-rfe");
  assertEquals(encodeMailboxName("a&b"), "a&-b");
  // "/" and "." may not be smuggled in encoded; bad base64 and open shifts fail.
  for (const bad of ["&AC8-", "&AC4ALg-", "&Jjo", "&!!-", "&AP-"]) {
    assertEquals(decodeMailboxName(bad), null, bad);
  }
});
