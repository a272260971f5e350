import {
  type AmpBox,
  AmpBoxDecoder,
  AmpBoxEncoder,
  BoxCodec,
  BoxDecoderCore,
  BoxTooLargeError,
  decodeBoxes,
  EmptyKeyError,
  encodeBox,
  InvalidKeyError,
  KeyTooLongError,
  TooManyKeysError,
  TruncatedBoxError,
  ValueTooLongError,
} from "../../../protocols/amp/mod.ts";
import { frame } from "../../../protocols/basic/frame.ts";
import { connectedPair } from "../../../reactor/connected_pair.ts";
import { ProtocolError } from "../../../reactor/errors.ts";
import {
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertThrows,
  test,
} from "../../../trial/mod.ts";
import { seededRandom, splitAnywhere } from "../../_random.ts";

const text = new TextEncoder();

function box(entries: Record<string, string | Uint8Array>): AmpBox {
  return new Map(
    Object.entries(entries).map((
      [k, v],
    ) => [k, typeof v === "string" ? text.encode(v) : v]),
  );
}

function decodeAll(
  chunks: Uint8Array[],
  core = new BoxDecoderCore(),
): AmpBox[] {
  const out: AmpBox[] = [];
  for (const chunk of chunks) core.decode(chunk, out);
  core.end(out);
  return out;
}

test("encodeBox writes 2-byte lengths, keys, values and an empty key at the end", () => {
  assertEquals(
    encodeBox(box({ _command: "Sum", a: "13" })),
    new Uint8Array([
      ...[0, 8],
      ...text.encode("_command"),
      ...[0, 3],
      ...text.encode("Sum"),
      ...[0, 1, 0x61],
      ...[0, 2, 0x31, 0x33],
      ...[0, 0],
    ]),
  );
});

test("an empty box encodes as two zero bytes and decodes as an empty map", () => {
  assertEquals(encodeBox(new Map()), new Uint8Array([0, 0]));
  assertEquals(decodeAll([new Uint8Array([0, 0])]), [new Map()]);
});

test("boxes round-trip, including empty and 65535-byte values", () => {
  const boxes = [
    box({ _ask: "1", _command: "Sum", a: "1", b: "2" }),
    box({ empty: "" }),
    box({ ["k".repeat(255)]: new Uint8Array(65535).fill(7) }),
    box({ "clé": "välue" }),
  ];
  const bytes = new Uint8Array(
    boxes.flatMap((b) => [...encodeBox(b)]),
  );
  assertEquals(decodeAll([bytes]), boxes);
});

test("the same bytes split at every boundary give the same boxes", () => {
  const boxes = [box({ _answer: "a", total: "3" }), box({ x: "", y: "yy" })];
  const bytes = new Uint8Array(boxes.flatMap((b) => [...encodeBox(b)]));
  for (let cut = 0; cut <= bytes.length; cut++) {
    assertEquals(
      decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)]),
      boxes,
    );
  }
});

test("the same bytes split at seeded random boundaries give the same boxes", () => {
  const random = seededRandom(5);
  const boxes: AmpBox[] = [];
  for (let i = 0; i < 50; i++) {
    const entries = new Map<string, Uint8Array>();
    const keys = Math.floor(random() * 5);
    for (let k = 0; k < keys; k++) {
      entries.set(
        `key${k}`,
        new Uint8Array(Math.floor(random() * 600)).map(() => random() * 256),
      );
    }
    boxes.push(entries);
  }
  const bytes = new Uint8Array(boxes.flatMap((b) => [...encodeBox(b)]));
  for (let round = 0; round < 50; round++) {
    assertEquals(
      decodeAll(splitAnywhere(bytes, random, { maxPiece: 700 })),
      boxes,
    );
  }
});

test("a decoded value does not share memory with the input chunk", () => {
  const bytes = encodeBox(box({ k: "v" }));
  const [decoded] = decodeAll([bytes]);
  bytes.fill(0);
  assertEquals(decoded!.get("k"), text.encode("v"));
});

test("a key length over 255 is a KeyTooLongError, even from its first byte", () => {
  assertThrows(
    () => new BoxDecoderCore().decode(new Uint8Array([1, 0]), []),
    KeyTooLongError,
  );
  assertThrows(
    () => new BoxDecoderCore().decode(new Uint8Array([1]), []),
    KeyTooLongError,
  );
});

test("a key that is not UTF-8 is an InvalidKeyError", () => {
  assertThrows(
    () => new BoxDecoderCore().decode(new Uint8Array([0, 1, 0xff, 0, 0]), []),
    InvalidKeyError,
  );
});

test("a box over maxBoxBytes is a BoxTooLargeError before its value is buffered", () => {
  const core = new BoxDecoderCore({ maxBoxBytes: 100 });
  assertThrows(
    () => core.decode(new Uint8Array([0, 1, 0x6b, 0xff, 0xff]), []),
    BoxTooLargeError,
  );
});

test("a box over maxKeys is a TooManyKeysError", () => {
  const bytes = encodeBox(box({ a: "", b: "", c: "" }));
  assertThrows(
    () => new BoxDecoderCore({ maxKeys: 2 }).decode(bytes, []),
    TooManyKeysError,
  );
  assertEquals(
    decodeAll([bytes], new BoxDecoderCore({ maxKeys: 3 })).length,
    1,
  );
});

test("limits count per box: many small boxes pass a small maxBoxBytes", () => {
  const one = encodeBox(box({ k: "12345" }));
  const bytes = new Uint8Array(
    Array.from({ length: 100 }, () => [...one]).flat(),
  );
  assertEquals(
    decodeAll([bytes], new BoxDecoderCore({ maxBoxBytes: one.length })).length,
    100,
  );
});

test("input that ends inside a box is a TruncatedBoxError at end", () => {
  const bytes = encodeBox(box({ k: "v" }));
  for (let cut = 1; cut < bytes.length; cut++) {
    const core = new BoxDecoderCore();
    core.decode(bytes.subarray(0, cut), []);
    assertThrows(() => core.end([]), TruncatedBoxError);
  }
});

test("release hands back the bytes of the box in progress, exactly", () => {
  const first = encodeBox(box({ a: "1" }));
  const second = encodeBox(box({ key: "value", other: "x" }));
  for (let cut = 0; cut < second.length; cut++) {
    const core = new BoxDecoderCore();
    const out: AmpBox[] = [];
    core.decode(new Uint8Array([...first, ...second.subarray(0, cut)]), out);
    assertEquals(out, [box({ a: "1" })]);
    assertEquals(core.release(), second.subarray(0, cut));
    // The decoder starts afresh after a release.
    core.decode(second, out);
    assertEquals(out[1], box({ key: "value", other: "x" }));
  }
});

test("encoding refuses an empty key, a key over 255 bytes and a value over 65535", () => {
  assertThrows(() => encodeBox(box({ "": "v" })), EmptyKeyError);
  assertThrows(
    () => encodeBox(box({ ["é".repeat(128)]: "v" })),
    KeyTooLongError,
  );
  assertThrows(
    () => encodeBox(box({ k: new Uint8Array(65536) })),
    ValueTooLongError,
  );
});

test("every box error is a ProtocolError", () => {
  for (
    const error of [
      new KeyTooLongError(300),
      new ValueTooLongError("k", 70000),
      new EmptyKeyError(),
      new InvalidKeyError(),
      new BoxTooLargeError(1),
      new TooManyKeysError(1),
      new TruncatedBoxError(),
    ]
  ) {
    assertInstanceOf(error, ProtocolError);
  }
});

test("decodeBoxes reads whole boxes and refuses a trailing partial one", () => {
  const one = encodeBox(box({ k: "v" }));
  assertEquals(decodeBoxes(new Uint8Array([...one, ...one])).length, 2);
  assertThrows(
    () => decodeBoxes(new Uint8Array([...one, 0, 1])),
    TruncatedBoxError,
  );
});

test("BoxCodec makes cores with its limits", () => {
  const codec = new BoxCodec({ maxKeys: 1 });
  const bytes = codec.createEncoder().encode(box({ a: "", b: "" }));
  assertThrows(() => codec.createDecoder().decode(bytes, []), TooManyKeysError);
});

test("AmpBoxEncoder and AmpBoxDecoder round-trip boxes through streams", async () => {
  const boxes = [box({ a: "1" }), box({ b: "2" })];
  const bytes = ReadableStream.from(boxes).pipeThrough(new AmpBoxEncoder());
  const decoded = await Array.fromAsync(bytes.pipeThrough(new AmpBoxDecoder()));
  assertEquals(decoded, boxes);
});

test("AmpBoxDecoder errors the stream when input ends inside a box", async () => {
  const stream = ReadableStream.from([new Uint8Array([0, 1, 0x6b])])
    .pipeThrough(new AmpBoxDecoder());
  await assertRejects(() => Array.fromAsync(stream), TruncatedBoxError);
});

test("decode with max stops after that many boxes and keeps the rest for the next call", () => {
  const boxes = [box({ a: "1" }), box({ b: "2" }), box({ c: "3" })];
  const bytes = new Uint8Array(boxes.flatMap((b) => [...encodeBox(b)]));
  const core = new BoxDecoderCore();
  const out: AmpBox[] = [];
  core.decode(bytes, out, 1);
  assertEquals(out, [boxes[0]]);
  core.decode(new Uint8Array(0), out, 1);
  assertEquals(out, [boxes[0], boxes[1]]);
  core.end(out);
  assertEquals(out, boxes);
});

test("decoding one box at a time from seeded random splits gives the same boxes", () => {
  const random = seededRandom(11);
  const boxes = Array.from(
    { length: 30 },
    (_, i) => box({ n: String(i), v: "x".repeat(i) }),
  );
  const bytes = new Uint8Array(boxes.flatMap((b) => [...encodeBox(b)]));
  for (let round = 0; round < 20; round++) {
    const core = new BoxDecoderCore();
    const out: AmpBox[] = [];
    for (const chunk of splitAnywhere(bytes, random, { maxPiece: 40 })) {
      core.decode(chunk, out, 1);
      while (true) {
        const before = out.length;
        core.decode(new Uint8Array(0), out, 1);
        if (out.length === before) break;
      }
    }
    core.end(out);
    assertEquals(out, boxes);
  }
});

test("release after decode with max hands back every byte not decoded", () => {
  const first = encodeBox(box({ a: "1" }));
  const rest = new Uint8Array([...encodeBox(box({ b: "2" })), 1, 2, 3]);
  const core = new BoxDecoderCore();
  const out: AmpBox[] = [];
  core.decode(new Uint8Array([...first, ...rest]), out, 1);
  assertEquals(out, [box({ a: "1" })]);
  assertEquals(core.release(), rest);
});

test("frame() over a connection reads one box, then releases the raw bytes behind it", async () => {
  const [client, server] = connectedPair();
  await client.write(
    new Uint8Array([
      ...encodeBox(box({ _command: "StartRaw" })),
      ...text.encode("raw bytes"),
    ]),
  );
  const framed = frame(server, new BoxCodec());
  const reader = framed.readable.getReader();
  assertEquals((await reader.read()).value, box({ _command: "StartRaw" }));
  reader.releaseLock();
  framed.release();
  assertEquals(await server.read(), text.encode("raw bytes"));
  await client.close();
  await server.close();
});
