/** The WebSocket cores: frames, masking, control frames, fragments, UTF-8, limits. */
import { assertEquals, assertThrows, test } from "../../../trial/mod.ts";
import {
  encodeFrame,
  type Frame,
  FrameDecoderCore,
  InvalidPayloadError,
  isValidCloseCode,
  MessageCore,
  MessageTooBigError,
  Opcode,
  type WebSocketEvent,
  WebSocketProtocolError,
} from "../../../protocols/websocket/mod.ts";
import { concatChunks } from "../../../reactor/bytes.ts";

const encoder = new TextEncoder();

function decodeAll(
  bytes: Uint8Array,
  role: "server" | "client" = "server",
  options: {
    maxMessageSize?: number;
    maxFrameSize?: number;
    deflate?: boolean;
  } = {},
): Frame[] {
  const frames: Frame[] = [];
  new FrameDecoderCore({ role, ...options }).decode(bytes, frames);
  return frames;
}

function messages(frames: Frame[], maxMessageSize?: number): WebSocketEvent[] {
  const core = new MessageCore({ maxMessageSize });
  const out: WebSocketEvent[] = [];
  for (const frame of frames) core.push(frame, out);
  return out;
}

test("a masked frame decodes to its unmasked payload, byte by byte as whole", () => {
  const payload = encoder.encode("Hello, WebSocket! ".repeat(20));
  const bytes = encodeFrame(Opcode.TEXT, payload, { mask: true });
  const frames: Frame[] = [];
  const core = new FrameDecoderCore({ role: "server" });
  for (let i = 0; i < bytes.length; i++) {
    core.decode(bytes.subarray(i, i + 1), frames);
  }
  assertEquals(frames.length, 1);
  assertEquals(frames[0]!.payload, payload);
  assertEquals(decodeAll(bytes)[0]!.payload, payload);
});

test("after detach, a reader may reuse its read buffer: frames split across reads still decode whole", () => {
  const payloads = [1, 125, 126, 1000, 3000, 20_000].map((n) =>
    new Uint8Array(n).map((_, i) => (i * 13 + n) & 255)
  );
  const stream = concatChunks(
    payloads.map((p) => encodeFrame(Opcode.BINARY, p, { mask: true })),
  );
  for (const size of [1, 7, 100, 1024, 4096]) {
    const core = new FrameDecoderCore({ role: "server" });
    const frames: Frame[] = [];
    const buffer = new Uint8Array(size);
    for (let at = 0; at < stream.byteLength; at += size) {
      const part = stream.subarray(at, at + size);
      buffer.set(part);
      core.decode(buffer.subarray(0, part.byteLength), frames);
      core.detach();
      buffer.fill(0xaa); // The next read overwrites it.
    }
    assertEquals(frames.map((f) => f.payload), payloads, `reads of ${size}`);
  }
});

/** Masks `payload` with the frame's key one byte at a time, as RFC 6455 §5.3 writes it. */
function maskedByHand(frame: Uint8Array, payload: Uint8Array): Uint8Array {
  const length = frame[1]! & 0x7f;
  const keyAt = length === 126 ? 4 : length === 127 ? 10 : 2;
  const key = frame.subarray(keyAt, keyAt + 4);
  return payload.map((byte, i) => byte ^ key[i & 3]!);
}

test("masking round-trips every length and offset, word-wise or not, equal to byte-wise masking", () => {
  const source = new Uint8Array(70_000).map((_, i) => (i * 131 + 7) & 0xff);
  const lengths = [...Array(80).keys(), 125, 126, 127, 1021, 1024, 65_537];
  for (const length of lengths) {
    // Payloads at every offset in their buffer, and frames at every offset
    // in the encoder's pool (each frame moves it on by its odd length).
    for (let offset = 0; offset < 4; offset++) {
      const payload = source.subarray(offset, offset + length);
      const frame = encodeFrame(Opcode.BINARY, payload, { mask: true });
      const body = frame.subarray(frame.length - length);
      assertEquals(body, maskedByHand(frame, payload), `length ${length}`);
      const decoded = decodeAll(frame.slice());
      assertEquals(decoded[0]!.payload, payload, `length ${length}`);
      // A decoder fed at an odd offset unmasks its own copy the same way.
      const shifted = new Uint8Array(frame.length + offset);
      shifted.set(frame, offset);
      assertEquals(decodeAll(shifted.subarray(offset))[0]!.payload, payload);
    }
  }
});

test("a large frame arriving in pieces is filled in place, by decode or by reading into wanted, then the next frame follows", () => {
  const payload = new Uint8Array(40_000).map((_, i) => i % 251);
  const bytes = concatChunks([
    encodeFrame(Opcode.BINARY, payload, { mask: true }),
    encodeFrame(Opcode.TEXT, encoder.encode("next"), { mask: true }),
  ]);
  // By decode: pieces that split the header, the payload and the next frame.
  const core = new FrameDecoderCore({ role: "server" });
  const frames: Frame[] = [];
  for (let at = 0; at < bytes.length; at += 997) {
    core.decode(bytes.subarray(at, at + 997), frames);
  }
  assertEquals(frames.map((f) => f.payload), [payload, encoder.encode("next")]);
  // By reading into `wanted`, as the session does.
  const direct = new FrameDecoderCore({ role: "server" });
  const out: Frame[] = [];
  direct.decode(bytes.subarray(0, 5000), out);
  let at = 5000;
  for (let wanted; (wanted = direct.wanted) !== null;) {
    const n = Math.min(wanted.length, 3001);
    wanted.set(bytes.subarray(at, at + n));
    at += n;
    direct.filled(n, out);
  }
  direct.decode(bytes.subarray(at), out);
  assertEquals(out.map((f) => f.payload), [payload, encoder.encode("next")]);
});

test("a large frame whose header arrives cut at any byte, inside the length or the mask key, decodes whole", () => {
  // 40,000 bytes take the 16-bit length, 70,000 the 64-bit one.
  for (const length of [40_000, 70_000]) {
    const payload = new Uint8Array(length).map((_, i) => i % 251);
    const bytes = encodeFrame(Opcode.BINARY, payload, { mask: true });
    const header = length < 65536 ? 8 : 14;
    for (let cut = 1; cut <= header; cut++) {
      const core = new FrameDecoderCore({ role: "server" });
      const frames: Frame[] = [];
      core.decode(bytes.subarray(0, cut), frames);
      core.decode(bytes.subarray(cut), frames);
      assertEquals(frames.length, 1, `length ${length}, cut at ${cut}`);
      assertEquals(frames[0]!.payload, payload);
    }
  }
});

test("small frames whole in one chunk come out at once, and one cut at its end completes with the next chunk", () => {
  const messages = ["one", "two", "x".repeat(300), "four"].map((text) =>
    encoder.encode(text)
  );
  const bytes = concatChunks(
    messages.map((m) => encodeFrame(Opcode.TEXT, m, { mask: true })),
  );
  for (let cut = 1; cut < bytes.length; cut += 7) {
    const core = new FrameDecoderCore({ role: "server" });
    const frames: Frame[] = [];
    core.decode(bytes.subarray(0, cut), frames);
    const early = frames.length;
    core.decode(bytes.subarray(cut), frames);
    assertEquals(frames.map((f) => f.payload), messages, `cut at ${cut}`);
    // Every frame that the first chunk held whole came out of it.
    let whole = 0;
    for (let end = 0, i = 0; i < messages.length; i++) {
      end += messages[i]!.length + (messages[i]!.length < 126 ? 6 : 8);
      if (end <= cut) whole++;
    }
    assertEquals(early, whole, `cut at ${cut}`);
  }
});

test("input ending inside a large frame is an error; release hands back its bytes still masked", () => {
  const bytes = encodeFrame(Opcode.BINARY, new Uint8Array(20_000), {
    mask: true,
  });
  const core = new FrameDecoderCore({ role: "server" });
  core.decode(bytes.subarray(0, 9000), []);
  assertEquals(core.release(), bytes.subarray(0, 9000));
  const ended = new FrameDecoderCore({ role: "server" });
  ended.decode(bytes.subarray(0, 9000), []);
  const error = assertThrows(() => ended.end([]), WebSocketProtocolError);
  assertEquals(error.message.includes("9000 bytes"), true);
});

test("payload lengths of 125, 126, 65535 and 65536 bytes use the 7, 16 and 64-bit forms", () => {
  for (const size of [0, 125, 126, 65535, 65536]) {
    const payload = new Uint8Array(size).fill(7);
    const frames = decodeAll(
      encodeFrame(Opcode.BINARY, payload, { mask: true }),
    );
    assertEquals(frames[0]!.payload.length, size);
  }
});

test("a server refuses an unmasked frame with 1002; a client refuses a masked one", () => {
  const unmasked = encodeFrame(Opcode.TEXT, encoder.encode("x"));
  const error = assertThrows(() => decodeAll(unmasked), WebSocketProtocolError);
  assertEquals(error.code, 1002);
  const masked = encodeFrame(Opcode.TEXT, encoder.encode("x"), { mask: true });
  assertThrows(() => decodeAll(masked, "client"), WebSocketProtocolError);
  assertEquals(decodeAll(unmasked, "client").length, 1);
});

test("reserved bits without an extension, unknown opcodes, and long or fragmented control frames are 1002", () => {
  const cases = [
    encodeFrame(Opcode.TEXT, new Uint8Array(1), { mask: true, rsv1: true }),
    encodeFrame(3, new Uint8Array(1), { mask: true }),
    encodeFrame(0xb, new Uint8Array(1), { mask: true }),
    encodeFrame(Opcode.PING, new Uint8Array(126), { mask: true }),
    encodeFrame(Opcode.PING, new Uint8Array(1), { mask: true, fin: false }),
  ];
  for (const bytes of cases) {
    assertEquals(
      assertThrows(() => decodeAll(bytes), WebSocketProtocolError).code,
      1002,
    );
  }
});

test("RSV1 is allowed on a data frame once permessage-deflate is agreed", () => {
  const bytes = encodeFrame(Opcode.TEXT, new Uint8Array(1), {
    mask: true,
    rsv1: true,
  });
  assertEquals(decodeAll(bytes, "server", { deflate: true })[0]!.rsv1, true);
});

test("a frame over maxMessageSize is refused from its header with 1009", () => {
  const header = encodeFrame(Opcode.BINARY, new Uint8Array(2000), {
    mask: true,
  }).subarray(0, 8);
  const error = assertThrows(
    () => decodeAll(header, "server", { maxMessageSize: 1000 }),
    MessageTooBigError,
  );
  assertEquals(error.code, 1009);
});

test("fragments reassemble, with a ping between them passed through first", () => {
  const text = "fragmented ✓ text";
  const bytes = encoder.encode(text);
  const events = messages([
    {
      fin: false,
      rsv1: false,
      opcode: Opcode.TEXT,
      payload: bytes.subarray(0, 12),
    },
    {
      fin: true,
      rsv1: false,
      opcode: Opcode.PING,
      payload: encoder.encode("p"),
    },
    {
      fin: true,
      rsv1: false,
      opcode: Opcode.CONTINUATION,
      payload: bytes.subarray(12),
    },
  ]);
  assertEquals(events.map((e) => e.type), ["ping", "text"]);
  assertEquals((events[1] as { data: string }).data, text);
});

test("a character split across fragments is valid; invalid UTF-8 fails at the first bad fragment (1007)", () => {
  const euro = encoder.encode("€");
  const ok = messages([
    {
      fin: false,
      rsv1: false,
      opcode: Opcode.TEXT,
      payload: euro.subarray(0, 1),
    },
    {
      fin: true,
      rsv1: false,
      opcode: Opcode.CONTINUATION,
      payload: euro.subarray(1),
    },
  ]);
  assertEquals((ok[0] as { data: string }).data, "€");
  const core = new MessageCore();
  const out: WebSocketEvent[] = [];
  const error = assertThrows(
    () =>
      core.push({
        fin: false,
        rsv1: false,
        opcode: Opcode.TEXT,
        payload: new Uint8Array([
          0xce,
          0xba,
          0xe1,
          0xbd,
          0xb9,
          0xcf,
          0x83,
          0xed,
          0xa0,
          0x80,
        ]),
      }, out),
    InvalidPayloadError,
  );
  assertEquals(error.code, 1007);
});

test("a continuation with no message, and a new message inside a fragmented one, are 1002", () => {
  assertThrows(
    () =>
      messages([{
        fin: true,
        rsv1: false,
        opcode: 0,
        payload: new Uint8Array(),
      }]),
    WebSocketProtocolError,
  );
  assertThrows(
    () =>
      messages([
        { fin: false, rsv1: false, opcode: 1, payload: new Uint8Array() },
        { fin: true, rsv1: false, opcode: 1, payload: new Uint8Array() },
      ]),
    WebSocketProtocolError,
  );
});

test("fragments adding up over maxMessageSize are 1009", () => {
  const frame = (fin: boolean, opcode: number): Frame => ({
    fin,
    rsv1: false,
    opcode,
    payload: new Uint8Array(600),
  });
  const error = assertThrows(
    () => messages([frame(false, 2), frame(true, 0)], 1000),
    MessageTooBigError,
  );
  assertEquals(error.code, 1009);
});

test("Close frames: empty is 1005, one byte is 1002, reserved codes are 1002, a bad reason is 1007", () => {
  const close = (payload: number[]) =>
    messages([{
      fin: true,
      rsv1: false,
      opcode: 8,
      payload: new Uint8Array(payload),
    }]);
  assertEquals(close([]), [{ type: "close", code: 1005, reason: "" }]);
  assertEquals(close([0x03, 0xe8, 0x68, 0x69]), [{
    type: "close",
    code: 1000,
    reason: "hi",
  }]);
  assertThrows(() => close([0x03]), WebSocketProtocolError);
  assertThrows(() => close([0x03, 0xee]), WebSocketProtocolError); // 1006
  assertEquals(
    assertThrows(() => close([0x03, 0xe8, 0xff]), InvalidPayloadError).code,
    1007,
  );
});

test("the close codes a peer may send (RFC 6455 §7.4)", () => {
  for (
    const code of [
      1000,
      1001,
      1002,
      1003,
      1007,
      1008,
      1009,
      1010,
      1011,
      3000,
      3999,
      4000,
      4999,
    ]
  ) {
    assertEquals(isValidCloseCode(code), true, String(code));
  }
  for (
    const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000]
  ) {
    assertEquals(isValidCloseCode(code), false, String(code));
  }
});

test("release hands back the bytes after the last frame", () => {
  const one = encodeFrame(Opcode.TEXT, encoder.encode("a"), { mask: true });
  const core = new FrameDecoderCore({ role: "server" });
  const frames: Frame[] = [];
  core.decode(new Uint8Array([...one, 1, 2, 3]), frames, 1);
  assertEquals(frames.length, 1);
  assertEquals(core.release(), new Uint8Array([1, 2, 3]));
});

test("maxFrameSize refuses a large frame even when the message limit allows it", () => {
  const bytes = encodeFrame(Opcode.BINARY, new Uint8Array(2000), {
    mask: true,
  });
  assertThrows(
    () => decodeAll(bytes, "server", { maxFrameSize: 1000 }),
    MessageTooBigError,
  );
  assertEquals(decodeAll(bytes, "server", { maxMessageSize: 4000 }).length, 1);
});
