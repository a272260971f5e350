/**
 * The Autobahn TestSuite's core cases, reproduced as a table: sections 1
 * (framing), 2 (ping/pong), 3 (reserved bits), 4 (opcodes),
 * 5 (fragmentation), 6 (UTF-8), 7 (closing), 9 (limits, at sizes up to
 * 4 MiB; 16 MiB is in the interop tests) and, for permessage-deflate,
 * 12 (compressed messages of every size) and 13 (the parameters offered).
 * Each case runs on a fresh connection to an echo server: the frames the
 * client sends, what must come back, and how the connection must end.
 */
import { assertEquals, test } from "../../../trial/mod.ts";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import {
  connectWebSocket,
  encodeFrame,
  Opcode,
} from "../../../protocols/websocket/mod.ts";
import { closePayload, echoServer, RawClient } from "./_helpers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const { TEXT, BINARY, CONTINUATION: CONT, CLOSE, PING, PONG } = Opcode;

/** A frame to send: opcode, payload, FIN (default true), RSV bits (0..7). */
type Send = [number, string | Uint8Array, boolean?, number?];
/** What comes back, in order: an opcode and payload. */
type Back = [number, string | Uint8Array];
interface Case {
  /** Frames to send. */
  send: Send[];
  /** Write the frames one byte at a time. */
  chop?: boolean;
  /** The frames expected back before the close. */
  back: Back[];
  /** The close code the server must send: a number, or "open" (still open: the test closes with 1000). */
  close: number | "open";
}

const bytes = (...values: number[]) => new Uint8Array(values);
const sized = (n: number, fill = 0x2a) => new Uint8Array(n).fill(fill);
const text = (n: number) => "*".repeat(n);
const HELLO = "Hello-µ@ßöäüàá-UTF-8!!";
const KOSME = "κόσμε";

function frameBytes([opcode, payload, fin = true, rsv = 0]: Send): Uint8Array {
  const data = typeof payload === "string" ? encoder.encode(payload) : payload;
  const frame = encodeFrame(opcode, data, { fin, mask: true });
  frame[0]! |= rsv << 4;
  return frame;
}

function fragments(opcode: number, data: Uint8Array, size: number): Send[] {
  const out: Send[] = [];
  for (let at = 0; at < data.length || at === 0; at += size) {
    out.push([
      at === 0 ? opcode : CONT,
      data.subarray(at, at + size),
      at + size >= data.length,
    ]);
  }
  return out;
}

const cases: Record<string, Case> = {};
// 1: framing — text and binary at the length boundaries.
[0, 125, 126, 127, 128, 65535, 65536].forEach((n, i) => {
  cases[`1.1.${i + 1}`] = {
    send: [[TEXT, text(n)]],
    back: [[TEXT, text(n)]],
    close: "open",
  };
  cases[`1.2.${i + 1}`] = {
    send: [[BINARY, sized(n, 0xfe)]],
    back: [[BINARY, sized(n, 0xfe)]],
    close: "open",
  };
});
cases["1.1.8"] = {
  send: [[TEXT, text(65536)]],
  chop: true,
  back: [[TEXT, text(65536)]],
  close: "open",
};
// 2: ping and pong.
Object.assign(cases, {
  "2.1": { send: [[PING, ""]], back: [[PONG, ""]], close: "open" },
  "2.2": {
    send: [[PING, "Hello, world!"]],
    back: [[PONG, "Hello, world!"]],
    close: "open",
  },
  "2.3": {
    send: [[PING, bytes(0, 255, 254, 253, 252, 251, 0, 255)]],
    back: [[PONG, bytes(0, 255, 254, 253, 252, 251, 0, 255)]],
    close: "open",
  },
  "2.4": {
    send: [[PING, sized(125, 0xfe)]],
    back: [[PONG, sized(125, 0xfe)]],
    close: "open",
  },
  "2.5": { send: [[PING, sized(126, 0xfe)]], back: [], close: 1002 },
  "2.6": {
    send: [[PING, sized(125, 0xfe)]],
    chop: true,
    back: [[PONG, sized(125, 0xfe)]],
    close: "open",
  },
  "2.7": { send: [[PONG, ""]], back: [], close: "open" },
  "2.8": {
    send: [[PONG, "unsolicited pong payload"]],
    back: [],
    close: "open",
  },
  "2.9": {
    send: [[PONG, "unsolicited pong payload"], [PING, "ping payload"]],
    back: [[PONG, "ping payload"]],
    close: "open",
  },
  "2.10": {
    send: Array.from({ length: 10 }, (_, i): Send => [PING, `ping ${i}`]),
    back: Array.from({ length: 10 }, (_, i): Back => [PONG, `ping ${i}`]),
    close: "open",
  },
});
// 3: reserved bits, with no extension agreed.
Object.assign(cases, {
  "3.1": { send: [[TEXT, "Hello", true, 4]], back: [], close: 1002 },
  "3.2": {
    send: [[TEXT, "Hello"], [TEXT, "Hello", true, 2], [PING, ""]],
    back: [[TEXT, "Hello"]],
    close: 1002,
  },
  "3.3": {
    send: [[TEXT, "Hello"], [TEXT, "Hello", true, 3], [PING, ""]],
    back: [[TEXT, "Hello"]],
    close: 1002,
  },
  "3.4": {
    send: [[TEXT, "Hello"], [TEXT, "Hello", true, 4], [PING, ""]],
    back: [[TEXT, "Hello"]],
    close: 1002,
  },
  "3.5": { send: [[BINARY, sized(8), true, 5]], back: [], close: 1002 },
  "3.6": { send: [[PING, "Hello", true, 6]], back: [], close: 1002 },
  "3.7": {
    send: [[CLOSE, closePayload(1000), true, 7]],
    back: [],
    close: 1002,
  },
});
// 4: reserved opcodes.
[3, 4, 5, 6, 7].forEach((op, i) => {
  cases[`4.1.${i + 1}`] = {
    send: [[TEXT, "Hello"], [op, i % 2 ? "payload" : ""], [PING, ""]],
    back: [[TEXT, "Hello"]],
    close: 1002,
  };
});
[11, 12, 13, 14, 15].forEach((op, i) => {
  cases[`4.2.${i + 1}`] = {
    send: [[TEXT, "Hello"], [op, i % 2 ? "payload" : ""], [PING, ""]],
    back: [[TEXT, "Hello"]],
    close: 1002,
  };
});
// 5: fragmentation.
Object.assign(cases, {
  "5.1": {
    send: [[PING, "frag1", false], [CONT, "frag2"]],
    back: [],
    close: 1002,
  },
  "5.2": {
    send: [[PONG, "frag1", false], [CONT, "frag2"]],
    back: [],
    close: 1002,
  },
  "5.3": {
    send: [[TEXT, "frag1", false], [CONT, "frag2"]],
    back: [[TEXT, "frag1frag2"]],
    close: "open",
  },
  "5.4": {
    send: [[TEXT, "frag1", false], [CONT, "frag2"]],
    chop: true,
    back: [[TEXT, "frag1frag2"]],
    close: "open",
  },
  "5.6": {
    send: [[TEXT, "frag1", false], [PING, "ping"], [CONT, "frag2"]],
    back: [[PONG, "ping"], [TEXT, "frag1frag2"]],
    close: "open",
  },
  "5.7": {
    send: [[TEXT, "frag1", false], [PING, "ping"], [CONT, "frag2"]],
    chop: true,
    back: [[PONG, "ping"], [TEXT, "frag1frag2"]],
    close: "open",
  },
  "5.9": {
    send: [[CONT, "non-continuation payload"], [TEXT, "Hello, world!"]],
    back: [],
    close: 1002,
  },
  "5.12": {
    send: [[CONT, "non-continuation payload", false], [TEXT, "Hello, world!"]],
    back: [],
    close: 1002,
  },
  "5.15": {
    send: [[TEXT, "fragment1", false], [CONT, "fragment2"], [
      CONT,
      "fragment3",
      false,
    ], [TEXT, "fragment4"]],
    back: [[TEXT, "fragment1fragment2"]],
    close: 1002,
  },
  "5.17": {
    send: [[CONT, "fragment1"], [TEXT, "fragment2", false], [
      CONT,
      "fragment3",
    ]],
    back: [],
    close: 1002,
  },
  "5.18": {
    send: [[TEXT, "fragment1", false], [TEXT, "fragment2"]],
    back: [],
    close: 1002,
  },
  "5.19": {
    send: [
      [TEXT, "f1", false],
      [CONT, "f2", false],
      [PING, "p1"],
      [CONT, "f3", false],
      [PING, "p2"],
      [CONT, "f4"],
    ],
    back: [[PONG, "p1"], [PONG, "p2"], [TEXT, "f1f2f3f4"]],
    close: "open",
  },
});
// 6: UTF-8, valid and not, whole and fragmented.
const valid: [string, Uint8Array][] = [
  ["6.1.1", bytes()],
  ["6.2.1", encoder.encode(HELLO)],
  ["6.5.1", encoder.encode(KOSME)],
  ["6.7.1", bytes(0x00)],
  ["6.7.2", bytes(0xc2, 0x80)],
  ["6.7.3", bytes(0xe0, 0xa0, 0x80)],
  ["6.7.4", bytes(0xf0, 0x90, 0x80, 0x80)],
  ["6.9.1", bytes(0x7f)],
  ["6.9.2", bytes(0xdf, 0xbf)],
  ["6.9.3", bytes(0xef, 0xbf, 0xbf)],
  ["6.9.4", bytes(0xf4, 0x8f, 0xbf, 0xbf)],
  ["6.11.1", bytes(0xed, 0x9f, 0xbf)],
  ["6.11.2", bytes(0xee, 0x80, 0x80)],
  ["6.22.1", bytes(0xef, 0xbf, 0xbe)],
  ["6.23.1", bytes(0xef, 0xbf, 0xbd)],
];
for (const [id, data] of valid) {
  cases[id] = { send: [[TEXT, data]], back: [[TEXT, data]], close: "open" };
}
cases["6.1.2"] = {
  send: [[TEXT, "", false], [CONT, "", false], [CONT, ""]],
  back: [[TEXT, ""]],
  close: "open",
};
cases["6.1.3"] = {
  send: [[TEXT, "", false], [CONT, "middle frame payload", false], [CONT, ""]],
  back: [[TEXT, "middle frame payload"]],
  close: "open",
};
cases["6.2.2"] = {
  send: [[TEXT, "Hello-µ@ßöä", false], [CONT, "üàá-UTF-8!!"]],
  back: [[TEXT, HELLO]],
  close: "open",
};
cases["6.2.3"] = {
  send: fragments(TEXT, encoder.encode(HELLO), 1),
  back: [[TEXT, HELLO]],
  close: "open",
};
cases["6.2.4"] = {
  send: fragments(TEXT, encoder.encode(KOSME), 1),
  back: [[TEXT, KOSME]],
  close: "open",
};
const invalid: [string, Uint8Array][] = [
  [
    "6.3.1",
    bytes(
      0xce,
      0xba,
      0xe1,
      0xbd,
      0xb9,
      0xcf,
      0x83,
      0xce,
      0xbc,
      0xce,
      0xb5,
      0xed,
      0xa0,
      0x80,
      0x65,
      0x64,
      0x69,
      0x74,
      0x65,
      0x64,
    ),
  ],
  ["6.6.1", bytes(0xce)],
  ["6.8.1", bytes(0xf8, 0x88, 0x80, 0x80, 0x80)],
  ["6.8.2", bytes(0xfc, 0x84, 0x80, 0x80, 0x80, 0x80)],
  ["6.10.1", bytes(0xf7, 0xbf, 0xbf, 0xbf)],
  ["6.12.1", bytes(0x80)],
  ["6.12.2", bytes(0xbf)],
  ["6.14.1", bytes(0xc0)],
  ["6.14.2", bytes(0xe0, 0x80)],
  ["6.15.1", bytes(0xc0, 0xe0, 0x80, 0xf0, 0x80, 0x80)],
  ["6.16.1", bytes(0xfe)],
  ["6.16.2", bytes(0xff)],
  ["6.17.1", bytes(0xc0, 0xaf)],
  ["6.17.2", bytes(0xe0, 0x80, 0xaf)],
  ["6.18.1", bytes(0xc1, 0xbf)],
  ["6.19.1", bytes(0xed, 0xa0, 0x80)],
  ["6.19.2", bytes(0xed, 0xbf, 0xbf)],
  ["6.21.1", bytes(0xed, 0xa0, 0x80, 0xed, 0xb0, 0x80)],
  ["6.20.1", bytes(0xf4, 0x90, 0x80, 0x80)],
];
for (const [id, data] of invalid) {
  cases[id] = { send: [[TEXT, data]], back: [], close: 1007 };
}
cases["6.3.2"] = {
  send: fragments(TEXT, invalid[0]![1], 1),
  back: [],
  close: 1007,
};
cases["6.4.1"] = {
  send: [[TEXT, KOSME, false], [CONT, bytes(0xf4, 0x90, 0x80, 0x80), false], [
    CONT,
    "edited",
  ]],
  back: [],
  close: 1007,
};
cases["6.4.3"] = {
  send: [[TEXT, encoder.encode(KOSME), false], [CONT, bytes(0xf4), false], [
    CONT,
    bytes(0x90, 0x80, 0x80, 0x65),
  ]],
  back: [],
  close: 1007,
};
// 7: closing.
Object.assign(cases, {
  "7.1.1": {
    send: [[TEXT, "Hello World!"], [CLOSE, closePayload(1000)]],
    back: [[TEXT, "Hello World!"]],
    close: 1000,
  },
  "7.1.2": {
    send: [[CLOSE, closePayload(1000)], [CLOSE, closePayload(1000)]],
    back: [],
    close: 1000,
  },
  "7.1.3": {
    send: [[CLOSE, closePayload(1000)], [PING, "ping"]],
    back: [],
    close: 1000,
  },
  "7.1.4": {
    send: [[CLOSE, closePayload(1000)], [TEXT, "text"]],
    back: [],
    close: 1000,
  },
  "7.1.5": {
    send: [[TEXT, "fragment1", false], [CLOSE, closePayload(1000)], [
      CONT,
      "fragment2",
    ]],
    back: [],
    close: 1000,
  },
  "7.1.6": {
    send: [[TEXT, text(262144)], [CLOSE, closePayload(1000)]],
    back: [[TEXT, text(262144)]],
    close: 1000,
  },
  "7.3.1": { send: [[CLOSE, ""]], back: [], close: 1005 },
  "7.3.2": { send: [[CLOSE, bytes(0x03)]], back: [], close: 1002 },
  "7.3.3": { send: [[CLOSE, closePayload(1000)]], back: [], close: 1000 },
  "7.3.4": {
    send: [[CLOSE, closePayload(1000, "Hello World!")]],
    back: [],
    close: 1000,
  },
  "7.3.5": {
    send: [[CLOSE, closePayload(1000, "*".repeat(123))]],
    back: [],
    close: 1000,
  },
  "7.3.6": {
    send: [[CLOSE, closePayload(1000, "*".repeat(124))]],
    back: [],
    close: 1002,
  },
  "7.5.1": {
    send: [[CLOSE, new Uint8Array([0x03, 0xe8, ...invalid[0]![1]])]],
    back: [],
    close: 1007,
  },
});
[1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]
  .forEach((code, i) => {
    cases[`7.7.${i + 1}`] = {
      send: [[CLOSE, closePayload(code)]],
      back: [],
      close: code,
    };
  });
[0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999].forEach((code, i) => {
  cases[`7.9.${i + 1}`] = {
    send: [[CLOSE, closePayload(code)]],
    back: [],
    close: 1002,
  };
});
// 9: limits and throughput, up to 4 MiB.
[65536, 262144, 1048576, 4194304].forEach((n, i) => {
  cases[`9.1.${i + 1}`] = {
    send: [[TEXT, text(n)]],
    back: [[TEXT, text(n)]],
    close: "open",
  };
  cases[`9.2.${i + 1}`] = {
    send: [[BINARY, sized(n, 0xfe)]],
    back: [[BINARY, sized(n, 0xfe)]],
    close: "open",
  };
});
[64, 4096, 65536].forEach((size, i) => {
  const data = encoder.encode(text(1048576));
  cases[`9.3.${i + 1}`] = {
    send: fragments(TEXT, data, size),
    back: [[TEXT, text(1048576)]],
    close: "open",
  };
  cases[`9.4.${i + 1}`] = {
    send: fragments(BINARY, sized(1048576, 0xfe), size),
    back: [[BINARY, sized(1048576, 0xfe)]],
    close: "open",
  };
});

function same(actual: Uint8Array, expected: string | Uint8Array): boolean {
  const want = typeof expected === "string"
    ? encoder.encode(expected)
    : expected;
  return actual.length === want.length && actual.every((b, i) => b === want[i]);
}

test(
  "Autobahn sections 1-7 and 9: every case behaves as the suite requires",
  async (t) => {
    const { port } = await echoServer(t, { deflate: false });
    const failures: string[] = [];
    for (const [id, c] of Object.entries(cases)) {
      const client = await RawClient.open(port);
      const wire = c.send.map(frameBytes);
      try {
        if (c.chop) {
          for (const frame of wire) {
            for (
              let i = 0;
              i < frame.length;
              i += Math.max(1, frame.length >> 8)
            ) {
              await client.send(
                frame.subarray(i, i + Math.max(1, frame.length >> 8)),
              );
            }
          }
        } else {
          for (const frame of wire) await client.send(frame);
        }
      } catch {
        // The server may close before everything is sent (a failed case goes on below).
      }
      if (c.close === "open") await client.frame(CLOSE, closePayload(1000));
      const got: Back[] = [];
      let code: number | null = null;
      for (let frame; (frame = await client.next()) !== null;) {
        if (frame.opcode === CLOSE) {
          code = frame.payload.length >= 2
            ? (frame.payload[0]! << 8) | frame.payload[1]!
            : 1005;
        } else got.push([frame.opcode, frame.payload]);
      }
      client.close();
      const expectedCode = c.close === "open" ? 1000 : c.close;
      const ok = code === expectedCode && got.length === c.back.length &&
        got.every(([op, payload], i) =>
          op === c.back[i]![0] && same(payload as Uint8Array, c.back[i]![1])
        );
      if (!ok) {
        failures.push(
          `${id}: closed with ${code} (wanted ${expectedCode}), got ${
            got.map(([op, p]) => `${op}:${(p as Uint8Array).length}`).join(",")
          }`,
        );
      }
    }
    assertEquals(failures, []);
  },
  { timeout: 60_000 },
);

test("Autobahn section 12: compressed messages of 16 B to 128 KiB echo through permessage-deflate with context takeover", async (t) => {
  const { url } = await echoServer(t);
  const socket = await connectWebSocket(url, { reactor: t.reactor });
  assertEquals(socket.extensions, "permessage-deflate");
  socket.binaryType = "arraybuffer";
  const received: unknown[] = [];
  let wake: () => void = () => {};
  socket.onmessage = (event) => {
    received.push(event.data);
    wake();
  };
  for (
    const size of [16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072]
  ) {
    const sent: (string | Uint8Array)[] = [];
    for (let i = 0; i < 20; i++) {
      const message = i % 2 === 0
        ? JSON.stringify({ i, size, fill: "x".repeat(size) }).slice(0, size)
        : crypto.getRandomValues(new Uint8Array(Math.min(size, 65536)));
      sent.push(message);
      socket.send(message);
    }
    while (received.length < sent.length) {
      await new Promise<void>((resolve) => wake = resolve);
    }
    for (let i = 0; i < sent.length; i++) {
      const got = received[i];
      const want = sent[i]!;
      assertEquals(
        typeof want === "string" ? got : new Uint8Array(got as ArrayBuffer),
        want,
        `size ${size} message ${i}`,
      );
    }
    received.length = 0;
  }
  socket.close();
  await new Promise((resolve) => socket.onclose = resolve);
});

/** The deflate tail each message leaves out (RFC 7692 §7.2.1). */
const TAIL = bytes(0x00, 0x00, 0xff, 0xff);

const offers: [string, string, string][] = [
  ["13.1", "permessage-deflate", "permessage-deflate"],
  [
    "13.2",
    "permessage-deflate; client_no_context_takeover",
    "permessage-deflate; client_no_context_takeover",
  ],
  [
    "13.3",
    "permessage-deflate; client_max_window_bits=8",
    "permessage-deflate",
  ],
  [
    "13.4",
    "permessage-deflate; client_max_window_bits=15",
    "permessage-deflate",
  ],
  [
    "13.5",
    "permessage-deflate; server_no_context_takeover",
    "permessage-deflate; server_no_context_takeover",
  ],
  [
    "13.6",
    "permessage-deflate; server_max_window_bits=9",
    "permessage-deflate; server_max_window_bits=9",
  ],
  [
    "13.7",
    "permessage-deflate; client_max_window_bits; server_max_window_bits=15; client_no_context_takeover; server_no_context_takeover",
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15",
  ],
  [
    "13.x",
    "permessage-deflate; server_max_window_bits=7, permessage-deflate",
    "permessage-deflate",
  ],
];

test("Autobahn section 13: each offer gets its answer, and messages compressed by the client come back inflatable", async (t) => {
  const { port } = await echoServer(t);
  for (const [id, offer, answer] of offers) {
    const client = await RawClient.open(port, {
      "sec-websocket-extensions": offer,
    });
    const header = /sec-websocket-extensions: (.*)/.exec(client.head)?.[1];
    assertEquals(header, answer, id);
    // The server's messages are inflated as one stream (context takeover) so far.
    const stream: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) {
      const message = encoder.encode(`${id} message ${i} `.repeat(20));
      // Sync-flushed as permessage-deflate wants, its tail left out (Z_SYNC_FLUSH = 2).
      const flushed = deflateRawSync(message, {
        windowBits: 9,
        finishFlush: 2,
      });
      const compressed = flushed.subarray(0, flushed.length - 4);
      await client.send(
        encodeFrame(
          TEXT,
          new Uint8Array(
            compressed.buffer,
            compressed.byteOffset,
            compressed.length,
          ),
          { mask: true, rsv1: true },
        ),
      );
      const frame = (await client.next())!;
      let echoed: Uint8Array;
      if (frame.rsv1) {
        stream.push(frame.payload, TAIL);
        const all = new Uint8Array(stream.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const part of stream) {
          all.set(part, at);
          at += part.length;
        }
        const inflated = inflateRawSync(all, { finishFlush: 2 });
        echoed = inflated.subarray(inflated.length - message.length);
      } else {
        echoed = frame.payload; // 13.6: the server may not compress with a small window, so it does not
      }
      assertEquals(
        decoder.decode(echoed),
        decoder.decode(message),
        `${id} message ${i}`,
      );
    }
    await client.frame(CLOSE, closePayload(1000));
    await client.closeCode();
    client.close();
  }
});
