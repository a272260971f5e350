import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertThrows,
  test,
} from "../../../trial/mod.ts";
import {
  DelimiterInLineError,
  InvalidUtf8Error,
  LineDecoder,
  LineDecoderCore,
  LineEncoder,
  LineEncoderCore,
  LineTooLongError,
} from "../../../protocols/basic/mod.ts";
import { ProtocolError } from "../../../reactor/errors.ts";
import { decoderCore } from "../../../reactor/codec.ts";
import { seededRandom, splitAnywhere } from "../../_random.ts";

const encode = (text: string) => new TextEncoder().encode(text);

function decodeAll<B extends boolean = false>(
  chunks: (string | Uint8Array)[],
  options: ConstructorParameters<typeof LineDecoderCore<B>>[0] = {},
) {
  const core = new LineDecoderCore<B>(options);
  const out: (B extends true ? Uint8Array : string)[] = [];
  for (const chunk of chunks) {
    core.decode(typeof chunk === "string" ? encode(chunk) : chunk, out);
  }
  core.end(out);
  return out;
}

test("LineDecoderCore splits on CRLF by default", () => {
  assertEquals(decodeAll(["a\r\nb\r\n\r\nc\r\n"]), ["a", "b", "", "c"]);
});

test("LineDecoderCore in CRLF mode keeps a lone LF inside the line", () => {
  assertEquals(decodeAll(["a\nb\r\n"]), ["a\nb"]);
});

test("LineDecoderCore in LF mode accepts both LF and CRLF", () => {
  assertEquals(decodeAll(["a\nb\r\nc\r\r\n"], { delimiter: "\n" }), [
    "a",
    "b",
    "c\r",
  ]);
});

test("LineDecoderCore finds a CRLF split across chunks", () => {
  assertEquals(decodeAll(["ab\r", "\ncd\r", "\n"]), ["ab", "cd"]);
});

test("LineDecoderCore supports a multi-byte custom delimiter", () => {
  assertEquals(
    decodeAll(["oneEN", "Dtwo", "EENDthree"], { delimiter: "END" }),
    ["one", "twoE", "three"],
  );
});

test("LineDecoderCore emits an unterminated last line at the end", () => {
  assertEquals(decodeAll(["a\r\nlast"]), ["a", "last"]);
});

test("LineDecoderCore decodes UTF-8 split across chunks", () => {
  const bytes = encode("héllo wörld ✓ 𝄞\r\n");
  const chunks = Array.from(bytes, (byte) => new Uint8Array([byte]));
  assertEquals(decodeAll(chunks), ["héllo wörld ✓ 𝄞"]);
});

test("LineDecoderCore keeps a byte order mark at the start of a line", () => {
  assertEquals(decodeAll(["\ufeffx\r\n"]), ["\ufeffx"]);
});

test("LineDecoderCore keeps a genuine U+FFFD", () => {
  assertEquals(decodeAll(["\ufffd\r\n", "a\ufffd\r\nb\r\n"]), [
    "\ufffd",
    "a\ufffd",
    "b",
  ]);
});

test("LineDecoderCore rejects invalid UTF-8 with InvalidUtf8Error", () => {
  for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
    const input = new Uint8Array([97, ...bad, 13, 10]);
    const error = assertThrows(() => decodeAll([input]), InvalidUtf8Error);
    assertInstanceOf(error, ProtocolError);
  }
});

test("LineDecoderCore in binary mode returns bytes, invalid UTF-8 included", () => {
  const lines = decodeAll([new Uint8Array([0xff, 13, 10, 1, 2])], {
    binary: true,
  });
  assertEquals(lines, [new Uint8Array([0xff]), new Uint8Array([1, 2])]);
});

test("LineDecoderCore accepts a line of exactly maxLength bytes", () => {
  assertEquals(decodeAll(["abcd\r\n"], { maxLength: 4 }), ["abcd"]);
  assertEquals(decodeAll(["ab", "cd\r", "\n"], { maxLength: 4 }), ["abcd"]);
  assertEquals(decodeAll(["é", "é\r\n"], { maxLength: 4 }), ["éé"]);
});

test("LineDecoderCore raises LineTooLongError for a longer line", () => {
  assertThrows(
    () => decodeAll(["abcde\r\n"], { maxLength: 4 }),
    LineTooLongError,
  );
  assertThrows(
    () => decodeAll(["éé", "é\r\n"], { maxLength: 4 }),
    LineTooLongError,
  );
  assertThrows(
    () => decodeAll(["a\r\nééé\r\n"], { maxLength: 4 }),
    LineTooLongError,
  );
});

test("LineDecoderCore raises LineTooLongError before the delimiter arrives", () => {
  const core = new LineDecoderCore({ maxLength: 10 });
  core.decode(encode("0123456789\r"), []);
  assertThrows(() => core.decode(encode("x"), []), LineTooLongError);
  const fresh = new LineDecoderCore({ maxLength: 10 });
  assertThrows(
    () => fresh.decode(encode("0123456789ab"), []),
    LineTooLongError,
  );
});

test("LineDecoderCore never buffers much more than maxLength", () => {
  const core = new LineDecoderCore({ maxLength: 100, binary: true });
  assertThrows(() => {
    for (let i = 0; i < 1000; i++) core.decode(new Uint8Array(7), []);
  }, LineTooLongError);
});

test("LineDecoderCore stops after max lines and release() returns every byte after", () => {
  const core = new LineDecoderCore();
  const out: string[] = [];
  core.decode(encode("LINE\r\n0123456789NEXT\r\n"), out, 1);
  assertEquals(out, ["LINE"]);
  assertEquals(new TextDecoder().decode(core.release()), "0123456789NEXT\r\n");
});

test("LineDecoderCore continues from where max stopped it", () => {
  const core = new LineDecoderCore();
  const out: string[] = [];
  core.decode(encode("a\r\nb\r\nc"), out, 1);
  core.decode(encode("\r\n"), out, 1);
  core.decode(new Uint8Array(0), out, 1);
  core.decode(new Uint8Array(0), out, 1);
  assertEquals(out, ["a", "b", "c"]);
});

test("LineDecoderCore.release() returns a partial line", () => {
  const core = new LineDecoderCore();
  core.decode(encode("a\r\npart"), []);
  assertEquals(new TextDecoder().decode(core.release()), "part");
  assertEquals(core.release().length, 0);
});

test("LineDecoderCore gives the same lines for any split of the input", () => {
  const random = seededRandom(7);
  const samples = ["", "x", "hello", "héllo ✓", "a\rb", "a\nb", "𝄞𝄞"];
  for (const delimiter of ["\r\n", "\n", "END"]) {
    for (let round = 0; round < 200; round++) {
      const lines: string[] = [];
      const count = Math.floor(random() * 20);
      for (let i = 0; i < count; i++) {
        const sample = samples[Math.floor(random() * samples.length)] as string;
        lines.push(sample.includes(delimiter) ? "x" : sample);
      }
      const text = lines.map((line) => line + delimiter).join("");
      const expected = decodeAll([text], { delimiter });
      for (const binary of [false, true]) {
        const chunks = splitAnywhere(encode(text), random, {
          maxPiece: 1 + round % 17,
        });
        const got = decodeAll(chunks, { delimiter, binary });
        assertEquals(
          binary
            ? got.map((line) => new TextDecoder().decode(line as Uint8Array))
            : got,
          expected,
        );
      }
      // One line at a time, as frame() decodes, gives the same lines too.
      const core = new LineDecoderCore({ delimiter });
      const oneByOne: string[] = [];
      for (
        const chunk of splitAnywhere(encode(text), random, { maxPiece: 9 })
      ) {
        core.decode(chunk, oneByOne, 1);
        let before;
        do {
          before = oneByOne.length;
          core.decode(new Uint8Array(0), oneByOne, 1);
        } while (oneByOne.length > before);
      }
      core.end(oneByOne);
      assertEquals(oneByOne, expected);
    }
  }
});

test("LineEncoderCore appends the delimiter to text and bytes", () => {
  const core = new LineEncoderCore({ delimiter: "\n" });
  assertEquals(core.encode("hé"), encode("hé\n"));
  assertEquals(core.encode(new Uint8Array([1, 2])), new Uint8Array([1, 2, 10]));
});

test("LineEncoderCore refuses a line that contains the delimiter", () => {
  const core = new LineEncoderCore();
  assertThrows(() => core.encode("a\r\nb"), DelimiterInLineError);
  assertThrows(() => core.encode(encode("a\r\nb")), DelimiterInLineError);
  assertEquals(core.encode("a\nb"), encode("a\nb\r\n"));
});

test("LineDecoder and LineEncoder round-trip through streams", async () => {
  const lines = ["one", "", "três"];
  const got = await Array.fromAsync(
    ReadableStream.from(lines)
      .pipeThrough(new LineEncoder())
      .pipeThrough(new LineDecoder()),
  );
  assertEquals(got, lines);
});

test("LineDecoder exposes its core for fusing", () => {
  assertInstanceOf(new LineDecoder()[decoderCore], LineDecoderCore);
});

test("LineDecoder delivers the lines before an error, then errors", async () => {
  const reader = ReadableStream.from([
    encode("ok\r\n\xff"),
    encode("x".repeat(20)),
  ])
    .pipeThrough(new LineDecoder({ maxLength: 8 }))
    .getReader();
  assertEquals((await reader.read()).value, "ok");
  await assertRejects(() => reader.read(), LineTooLongError);
});

test("LineDecoder gives every line in order to reads made before any arrived", async () => {
  const lines = ReadableStream.from([encode("a\r\nb\r\n"), encode("c\r\n")])
    .pipeThrough(new LineDecoder());
  const iterator = lines[Symbol.asyncIterator]();
  const results = await Promise.all([1, 2, 3, 4].map(() => iterator.next()));
  assertEquals(results, [
    { done: false, value: "a" },
    { done: false, value: "b" },
    { done: false, value: "c" },
    { done: true, value: undefined },
  ]);
});

test("LineDecoder iterated with for await delivers the lines before an error, then throws", async () => {
  const got: string[] = [];
  await assertRejects(async () => {
    const input = ReadableStream.from([
      encode("a\r\nb\r\n"),
      Uint8Array.of(0xff, 13, 10),
    ]);
    for await (const line of input.pipeThrough(new LineDecoder())) {
      got.push(line);
    }
  }, InvalidUtf8Error);
  assertEquals(got, ["a", "b"]);
});

test("LineDecoder cancels its input when a for await loop breaks mid-chunk", async () => {
  const { promise: cancelled, resolve } = Promise.withResolvers<unknown>();
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encode("a\r\nb\r\nc\r\n"));
    },
    cancel: resolve,
  });
  const lines = input.pipeThrough(new LineDecoder());
  for await (const line of lines) {
    assertEquals(line, "a");
    break;
  }
  assertEquals(await cancelled, undefined);
  assertEquals(lines.locked, false);
});

test("LineDecoder keeps the rest of a chunk's lines for the next reader after a preventCancel break", async () => {
  const lines = ReadableStream.from([encode("a\r\nb\r\nc\r\n")])
    .pipeThrough(new LineDecoder());
  for await (const line of lines.values({ preventCancel: true })) {
    assertEquals(line, "a");
    break;
  }
  assertEquals(await Array.fromAsync(lines), ["b", "c"]);
});
