// SizedLRU: the bound of the uid lists kept in memory, by messages held.
import { assertEquals, test } from "../../../trial/mod.ts";
import { SizedLRU } from "../../../protocols/mail/_sized_lru.ts";

const byLength = () => new SizedLRU<string, string>(10, (v) => v.length);

test("values are kept while their sizes stay within the bound", () => {
  const lru = byLength();
  lru.set("a", "xxxx");
  lru.set("b", "yyyyyy");
  assertEquals([lru.get("a"), lru.get("b"), lru.size], ["xxxx", "yyyyyy", 10]);
});

test("past the bound the least recently used go first, and get() counts as a use", () => {
  const lru = byLength();
  lru.set("a", "xxx");
  lru.set("b", "yyy");
  lru.set("c", "zzz");
  lru.get("a");
  lru.set("d", "ww");
  assertEquals([lru.has("a"), lru.has("b"), lru.has("c"), lru.has("d")], [
    true,
    false,
    true,
    true,
  ]);
  assertEquals(lru.size, 8);
});

test("setting a key again replaces its size", () => {
  const lru = byLength();
  lru.set("a", "xxxxxxxx");
  lru.set("a", "x");
  lru.set("b", "yyyyyyyyy");
  assertEquals([lru.get("a"), lru.size], ["x", 10]);
});

test("one value larger than the bound is kept alone", () => {
  const lru = byLength();
  lru.set("a", "xx");
  lru.set("big", "y".repeat(20));
  assertEquals([lru.has("a"), lru.get("big")?.length, lru.size], [
    false,
    20,
    20,
  ]);
});

test("delete() gives back the size", () => {
  const lru = byLength();
  lru.set("a", "xxx");
  lru.delete("a");
  lru.delete("missing");
  assertEquals([lru.has("a"), lru.size], [false, 0]);
});
