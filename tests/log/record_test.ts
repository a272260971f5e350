import { formatMessage, formatValue } from "../../log/mod.ts";
import { assertEquals, test } from "../../trial/mod.ts";

test("formatMessage leaves a format without braces untouched", () => {
  assertEquals(formatMessage("plain", { a: 1 }), "plain");
});

test("formatMessage replaces placeholders with field values", () => {
  assertEquals(formatMessage("{a}-{b}", { a: "x", b: 2 }), "x-2");
});

test("formatMessage keeps unknown placeholders visible", () => {
  assertEquals(formatMessage("{nope}", {}), "{nope}");
});

test("formatMessage turns doubled braces into literal braces", () => {
  assertEquals(formatMessage("{{a}} }}", { a: 1 }), "{a} }");
});

test("formatMessage reaches into objects with dotted names", () => {
  assertEquals(formatMessage("{peer.port}", { peer: { port: 80 } }), "80");
});

test("formatMessage prefers a field whose name contains a dot", () => {
  assertEquals(
    formatMessage("{a.b}", { "a.b": "flat", a: { b: "deep" } }),
    "flat",
  );
});

test("formatValue renders errors as name and message", () => {
  assertEquals(formatValue(new RangeError("x")), "RangeError: x");
});

test("formatValue renders objects compactly without colours", () => {
  assertEquals(formatValue({ a: [1, 2] }), "{ a: [ 1, 2 ] }");
});
