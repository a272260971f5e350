import { formatMessage, formatValue } from "../../../app/logger/mod.ts";
import { assertEquals } from "../../../trial/assertions.ts";

Deno.test("formatMessage leaves a format without braces untouched", () => {
  assertEquals(formatMessage("plain", { a: 1 }), "plain");
});

Deno.test("formatMessage replaces placeholders with field values", () => {
  assertEquals(formatMessage("{a}-{b}", { a: "x", b: 2 }), "x-2");
});

Deno.test("formatMessage keeps unknown placeholders visible", () => {
  assertEquals(formatMessage("{nope}", {}), "{nope}");
});

Deno.test("formatMessage turns doubled braces into literal braces", () => {
  assertEquals(formatMessage("{{a}} }}", { a: 1 }), "{a} }");
});

Deno.test("formatMessage reaches into objects with dotted names", () => {
  assertEquals(formatMessage("{peer.port}", { peer: { port: 80 } }), "80");
});

Deno.test("formatMessage prefers a field whose name contains a dot", () => {
  assertEquals(
    formatMessage("{a.b}", { "a.b": "flat", a: { b: "deep" } }),
    "flat",
  );
});

Deno.test("formatValue renders errors as name and message", () => {
  assertEquals(formatValue(new RangeError("x")), "RangeError: x");
});

Deno.test("formatValue renders objects compactly without colours", () => {
  assertEquals(formatValue({ a: [1, 2] }), "{ a: [ 1, 2 ] }");
});
