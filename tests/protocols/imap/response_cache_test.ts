// The server's cache of parsed answers (ENVELOPE, BODY, BODYSTRUCTURE):
// texts come back byte for byte, and the oldest message's go first.
import { assertEquals, test } from "../../../trial/mod.ts";
import { ResponseCache } from "../../../protocols/imap/_response_cache.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test("a stored text comes back as its UTF-8 bytes, short, non-ASCII or longer than a chunk", () => {
  const cache = new ResponseCache(10);
  const long = "x".repeat(3 << 20);
  const ids = [
    cache.store('("Mon, 1 Jan 2024" "hello")'),
    cache.store('("Grüße" "日本語")'),
    cache.store(long),
    cache.store(""),
    cache.store("after the long one"),
  ];
  assertEquals(ids.map((id) => text(cache.bytes(id))), [
    '("Mon, 1 Jan 2024" "hello")',
    '("Grüße" "日本語")',
    long,
    "",
    "after the long one",
  ]);
});

test("an entry is the same while cached; past the limit the oldest is dropped and reads as empty", () => {
  const cache = new ResponseCache(2);
  const first = cache.entry("/m/cur/1");
  first.envelope = cache.store("one");
  assertEquals(cache.entry("/m/cur/1"), first);
  cache.entry("/m/cur/2").envelope = cache.store("two");
  cache.entry("/m/cur/3").envelope = cache.store("three");
  assertEquals(first, { envelope: -1, body: -1, bodyStructure: -1 });
  assertEquals(cache.entry("/m/cur/1").envelope, -1);
  assertEquals(text(cache.bytes(cache.entry("/m/cur/3").envelope)), "three");
});

test("while entries are dropped and their chunks freed and taken again, each new text reads back", () => {
  const cache = new ResponseCache(1);
  const big = "y".repeat(600 << 10);
  for (let n = 0; n < 50; n++) {
    const entry = cache.entry(`/m/cur/${n}`);
    entry.body = cache.store(`${n}${big}`);
    assertEquals(text(cache.bytes(entry.body)), `${n}${big}`);
  }
});
