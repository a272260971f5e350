import { assertEquals, assertThrows, test } from "../../../trial/mod.ts";
import {
  FrameTooLongError,
  MalformedNetstringError,
  NetstringDecoder,
  NetstringDecoderCore,
  NetstringEncoder,
  NetstringEncoderCore,
  TruncatedFrameError,
} from "../../../protocols/basic/mod.ts";
import { seededRandom, splitAnywhere } from "../../_random.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function decodeAll(chunks: Uint8Array[], maxLength?: number): string[] {
  const core = new NetstringDecoderCore({ maxLength });
  const out: Uint8Array[] = [];
  for (const chunk of chunks) core.decode(chunk, out);
  core.end(out);
  return out.map(text);
}

test("NetstringDecoderCore decodes netstrings, empty ones included", () => {
  assertEquals(decodeAll([encode("5:hello,0:,3:a,b,")]), ["hello", "", "a,b"]);
});

test("NetstringDecoderCore gives the same payloads for any split", () => {
  const random = seededRandom(11);
  const encoder = new NetstringEncoderCore();
  for (let round = 0; round < 300; round++) {
    const payloads = Array.from(
      { length: Math.floor(random() * 10) },
      (_, i) => "x:,9".repeat(Math.floor(random() * 30)) + i,
    );
    const bytes = new Uint8Array(
      payloads.flatMap((payload) => [...encoder.encode(payload)]),
    );
    assertEquals(
      decodeAll(splitAnywhere(bytes, random, { maxPiece: 1 + round % 23 })),
      payloads,
    );
  }
});

test("NetstringDecoderCore rejects a length with a leading zero", () => {
  assertThrows(() => decodeAll([encode("01:a,")]), MalformedNetstringError);
});

test("NetstringDecoderCore rejects a non-digit in the length", () => {
  assertThrows(() => decodeAll([encode("1a:a,")]), MalformedNetstringError);
  assertThrows(() => decodeAll([encode(":a,")]), MalformedNetstringError);
});

test("NetstringDecoderCore rejects a missing comma", () => {
  assertThrows(() => decodeAll([encode("1:ab")]), MalformedNetstringError);
});

test("NetstringDecoderCore raises FrameTooLongError from the digits alone", () => {
  const core = new NetstringDecoderCore({ maxLength: 99 });
  assertThrows(() => core.decode(encode("100"), []), FrameTooLongError);
  assertEquals(decodeAll([encode("2:ab,")], 2), ["ab"]);
});

test("NetstringDecoderCore raises TruncatedFrameError at the end of a partial netstring", () => {
  assertThrows(() => decodeAll([encode("3:ab")]), TruncatedFrameError);
  assertThrows(() => decodeAll([encode("3")]), TruncatedFrameError);
});

test("NetstringDecoderCore.release() returns a partial netstring as sent", () => {
  const core = new NetstringDecoderCore();
  core.decode(encode("1:a,12:hel"), []);
  assertEquals(text(core.release()), "12:hel");
});

test("NetstringDecoderCore stops after max netstrings", () => {
  const core = new NetstringDecoderCore();
  const out: Uint8Array[] = [];
  core.decode(encode("1:a,1:b,raw"), out, 1);
  assertEquals(out.map(text), ["a"]);
  assertEquals(text(core.release()), "1:b,raw");
});

test("NetstringEncoderCore refuses a payload over maxLength", () => {
  assertThrows(
    () => new NetstringEncoderCore({ maxLength: 2 }).encode("abc"),
    FrameTooLongError,
  );
});

test("NetstringEncoder and NetstringDecoder round-trip through streams", async () => {
  const got = await Array.fromAsync(
    ReadableStream.from(["a", "", "ccc"])
      .pipeThrough(new NetstringEncoder())
      .pipeThrough(new NetstringDecoder()),
  );
  assertEquals(got.map(text), ["a", "", "ccc"]);
});
