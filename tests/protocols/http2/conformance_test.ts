/**
 * RFC 9113's MUSTs, as h2spec checks them, one raw-client case each: what
 * the client sends after its preface and SETTINGS, and how the server must
 * answer — GOAWAY with a code (a connection error), RST_STREAM with a code
 * (a stream error, the connection going on), or an answer.
 */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import {
  encodeFrame,
  encodeRstStream,
  encodeSettings,
  encodeWindowUpdate,
  ErrorCode,
  Flag,
  FrameType,
  SettingId,
} from "../../../protocols/http2/mod.ts";
import { RawClient, server } from "./_raw.ts";

const E = ErrorCode;
const EH = Flag.END_HEADERS;
const ES = Flag.END_STREAM;

const GET = [
  ":method",
  "GET",
  ":scheme",
  "http",
  ":path",
  "/",
  ":authority",
  "x",
];
// POSTs go to "/slow", whose handler answers only when the stream ends
// early: one that answered at once would close the stream before the frames
// under test arrive.
const POST = [
  ":method",
  "POST",
  ":scheme",
  "http",
  ":path",
  "/slow",
  ":authority",
  "x",
];

function u32(n: number): Uint8Array {
  return new Uint8Array([n >>> 24, n >>> 16 & 255, n >>> 8 & 255, n & 255]);
}
const ping = (flags = 0, length = 8) =>
  encodeFrame(FrameType.PING, flags, 0, new Uint8Array(length));

interface Case {
  /** RFC 9113 section and what it requires. */
  name: string;
  send: (c: RawClient) => Uint8Array[];
  /** A connection error with this code, or a stream error on stream 1 (or `stream`). */
  expect: { goAway: number } | { reset: number; stream?: number };
}

const CASES: Case[] = [
  {
    name: "§3.4 the first frame must be SETTINGS",
    send: () => [],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§4.2 a frame over SETTINGS_MAX_FRAME_SIZE is FRAME_SIZE_ERROR",
    send: (
      c,
    ) => [
      c.headers(1, POST, EH),
      encodeFrame(FrameType.DATA, 0, 1, new Uint8Array(16385)),
    ],
    expect: { goAway: E.FRAME_SIZE_ERROR },
  },
  {
    name: "§4.3 an undecodable header block is COMPRESSION_ERROR",
    send: () => [
      encodeFrame(
        FrameType.HEADERS,
        EH | ES,
        1,
        new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]),
      ),
    ],
    expect: { goAway: E.COMPRESSION_ERROR },
  },
  {
    name: "§5.1 DATA on an idle stream is PROTOCOL_ERROR",
    send: () => [encodeFrame(FrameType.DATA, 0, 1, new Uint8Array(1))],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§5.1 DATA on a half-closed (remote) stream is STREAM_CLOSED",
    send: (
      c,
    ) => [
      c.headers(1, [...GET.slice(0, 4), ":path", "/slow", ":authority", "x"]),
      encodeFrame(FrameType.DATA, 0, 1, new Uint8Array(1)),
    ],
    expect: { reset: E.STREAM_CLOSED },
  },
  {
    name: "§5.1 RST_STREAM on an idle stream is PROTOCOL_ERROR",
    send: () => [encodeRstStream(1, E.CANCEL)],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§5.1 WINDOW_UPDATE on an idle stream is PROTOCOL_ERROR",
    send: () => [encodeWindowUpdate(1, 1)],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§5.1.1 a client stream with an even id is PROTOCOL_ERROR",
    send: (c) => [c.headers(2, GET)],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§5.1.1 a stream id lower than one used is PROTOCOL_ERROR",
    send: (c) => [c.headers(5, GET), c.headers(3, GET)],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name:
      "§5.3.1 a HEADERS frame depending on its own stream is a stream PROTOCOL_ERROR",
    send: (
      c,
    ) => [
      encodeFrame(
        FrameType.HEADERS,
        EH | ES | Flag.PRIORITY,
        1,
        new Uint8Array([0, 0, 0, 1, 16, ...c.encoder.encode(GET)]),
      ),
    ],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.1 DATA on stream 0 is PROTOCOL_ERROR",
    send: () => [encodeFrame(FrameType.DATA, 0, 0, new Uint8Array(1))],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.1 padding as long as the payload is PROTOCOL_ERROR",
    send: (
      c,
    ) => [
      c.headers(1, POST, EH),
      encodeFrame(FrameType.DATA, Flag.PADDED, 1, new Uint8Array([4, 0, 0, 0])),
    ],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.2 HEADERS on stream 0 is PROTOCOL_ERROR",
    send: (c) => [c.headers(0, GET)],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.3 PRIORITY on stream 0 is PROTOCOL_ERROR",
    send: () => [encodeFrame(FrameType.PRIORITY, 0, 0, new Uint8Array(5))],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.3 PRIORITY that is not 5 bytes is a stream FRAME_SIZE_ERROR",
    send: () => [encodeFrame(FrameType.PRIORITY, 0, 1, new Uint8Array(4))],
    expect: { reset: E.FRAME_SIZE_ERROR },
  },
  {
    name: "§6.4 RST_STREAM on stream 0 is PROTOCOL_ERROR",
    send: () => [encodeRstStream(0, E.CANCEL)],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.4 RST_STREAM that is not 4 bytes is FRAME_SIZE_ERROR",
    send: (
      c,
    ) => [
      c.headers(1, POST, EH),
      encodeFrame(FrameType.RST_STREAM, 0, 1, new Uint8Array(3)),
    ],
    expect: { goAway: E.FRAME_SIZE_ERROR },
  },
  {
    name: "§6.5 SETTINGS with ACK and a payload is FRAME_SIZE_ERROR",
    send:
      () => [encodeFrame(FrameType.SETTINGS, Flag.ACK, 0, new Uint8Array(6))],
    expect: { goAway: E.FRAME_SIZE_ERROR },
  },
  {
    name: "§6.5 SETTINGS on a stream is PROTOCOL_ERROR",
    send: () => [encodeFrame(FrameType.SETTINGS, 0, 1, new Uint8Array(0))],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name:
      "§6.5 SETTINGS whose length is not a multiple of 6 is FRAME_SIZE_ERROR",
    send: () => [encodeFrame(FrameType.SETTINGS, 0, 0, new Uint8Array(5))],
    expect: { goAway: E.FRAME_SIZE_ERROR },
  },
  {
    name: "§6.5.2 SETTINGS_ENABLE_PUSH other than 0 or 1 is PROTOCOL_ERROR",
    send: () => [encodeSettings([[SettingId.ENABLE_PUSH, 2]])],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name:
      "§6.5.2 SETTINGS_INITIAL_WINDOW_SIZE over 2^31-1 is FLOW_CONTROL_ERROR",
    send: () => [encodeSettings([[SettingId.INITIAL_WINDOW_SIZE, 2 ** 31]])],
    expect: { goAway: E.FLOW_CONTROL_ERROR },
  },
  {
    name: "§6.5.2 SETTINGS_MAX_FRAME_SIZE under 16384 is PROTOCOL_ERROR",
    send: () => [encodeSettings([[SettingId.MAX_FRAME_SIZE, 16383]])],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.6 PUSH_PROMISE from a client is PROTOCOL_ERROR",
    send: () => [encodeFrame(FrameType.PUSH_PROMISE, EH, 1, new Uint8Array(4))],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.7 PING on a stream is PROTOCOL_ERROR",
    send: () => [encodeFrame(FrameType.PING, 0, 1, new Uint8Array(8))],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.7 PING that is not 8 bytes is FRAME_SIZE_ERROR",
    send: () => [ping(0, 7)],
    expect: { goAway: E.FRAME_SIZE_ERROR },
  },
  {
    name: "§6.8 GOAWAY on a stream is PROTOCOL_ERROR",
    send: () => [encodeFrame(FrameType.GOAWAY, 0, 1, new Uint8Array(8))],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.9 a connection WINDOW_UPDATE of 0 is PROTOCOL_ERROR",
    send: () => [encodeWindowUpdate(0, 0)],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.9 a stream WINDOW_UPDATE of 0 is a stream PROTOCOL_ERROR",
    send: (
      c,
    ) => [
      c.headers(1, [...GET.slice(0, 4), ":path", "/slow", ":authority", "x"]),
      encodeWindowUpdate(1, 0),
    ],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.9 WINDOW_UPDATE that is not 4 bytes is FRAME_SIZE_ERROR",
    send: () => [encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, new Uint8Array(3))],
    expect: { goAway: E.FRAME_SIZE_ERROR },
  },
  {
    name: "§6.9.1 a connection window over 2^31-1 is FLOW_CONTROL_ERROR",
    send: () => [encodeWindowUpdate(0, 2 ** 31 - 1)],
    expect: { goAway: E.FLOW_CONTROL_ERROR },
  },
  {
    name: "§6.9.1 a stream window over 2^31-1 is a stream FLOW_CONTROL_ERROR",
    send: (
      c,
    ) => [
      c.headers(1, [...GET.slice(0, 4), ":path", "/slow", ":authority", "x"]),
      encodeWindowUpdate(1, 2 ** 31 - 1),
    ],
    expect: { reset: E.FLOW_CONTROL_ERROR },
  },
  {
    name: "§6.9.1 DATA beyond the stream window is a stream FLOW_CONTROL_ERROR",
    send: (
      c,
    ) => [
      c.headers(1, POST, EH),
      ...Array.from(
        { length: 5 },
        () => encodeFrame(FrameType.DATA, 0, 1, new Uint8Array(16384)),
      ),
    ],
    expect: { reset: E.FLOW_CONTROL_ERROR },
  },
  {
    name: "§6.10 CONTINUATION without a header block is PROTOCOL_ERROR",
    send: () => [encodeFrame(FrameType.CONTINUATION, EH, 1, new Uint8Array(0))],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.10 a header block interrupted by another frame is PROTOCOL_ERROR",
    send: (c) => [c.headers(1, GET, ES), ping()],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§6.10 a header block continued on another stream is PROTOCOL_ERROR",
    send: (
      c,
    ) => [
      c.headers(1, GET, ES),
      encodeFrame(FrameType.CONTINUATION, EH, 3, new Uint8Array(0)),
    ],
    expect: { goAway: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.1 a second HEADERS without END_STREAM is a stream PROTOCOL_ERROR",
    send: (c) => [c.headers(1, POST, EH), c.headers(1, ["x-trailer", "1"], EH)],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.1 trailers with a pseudo-header are malformed",
    send: (
      c,
    ) => [c.headers(1, POST, EH), c.headers(1, [":path", "/"], EH | ES)],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.1.1 less DATA than content-length is malformed",
    send: (
      c,
    ) => [
      c.headers(1, [...POST, "content-length", "10"], EH),
      encodeFrame(FrameType.DATA, ES, 1, new Uint8Array(3)),
    ],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.1.1 more DATA than content-length is malformed",
    send: (
      c,
    ) => [
      c.headers(1, [...POST, "content-length", "2"], EH),
      encodeFrame(FrameType.DATA, 0, 1, new Uint8Array(3)),
    ],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.2.1 an uppercase field name is malformed",
    send: (c) => [c.headers(1, [...GET, "X-Upper", "1"])],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.2.1 a field value with a line feed is malformed",
    send: (c) => [c.headers(1, [...GET, "x-a", "a\nb"])],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.2.2 a connection-specific field is malformed",
    send: (c) => [c.headers(1, [...GET, "connection", "keep-alive"])],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.2.2 te other than trailers is malformed",
    send: (c) => [c.headers(1, [...GET, "te", "gzip"])],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.3 a pseudo-header after a regular field is malformed",
    send: (
      c,
    ) => [
      c.headers(1, [
        ":method",
        "GET",
        ":scheme",
        "http",
        "x-a",
        "1",
        ":path",
        "/",
      ]),
    ],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.3 an unknown pseudo-header is malformed",
    send: (c) => [c.headers(1, [...GET.slice(0, 6), ":bogus", "1"])],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.3 :status in a request is malformed",
    send: (c) => [c.headers(1, [":status", "200", ...GET])],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.3.1 a request without :path is malformed",
    send: (c) => [c.headers(1, [":method", "GET", ":scheme", "http"])],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.3.1 a request without :method is malformed",
    send: (c) => [c.headers(1, [":scheme", "http", ":path", "/"])],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.3.1 a pseudo-header twice is malformed",
    send: (c) => [c.headers(1, [":method", "GET", ...GET])],
    expect: { reset: E.PROTOCOL_ERROR },
  },
  {
    name: "§8.3.1 an empty :path is malformed",
    send: (
      c,
    ) => [c.headers(1, [":method", "GET", ":scheme", "http", ":path", ""])],
    expect: { reset: E.PROTOCOL_ERROR },
  },
];

/** A server whose "/slow" answers only when the client hangs up, with a small stream window. */
async function start() {
  return await server((request) => {
    if (new URL(request.url).pathname !== "/slow") return new Response("ok");
    return new Promise((resolve) =>
      request.signal.addEventListener(
        "abort",
        () => resolve(new Response("late")),
      )
    );
  }, { http2: { streamWindowSize: 65535 } });
}

for (const { name, send, expect } of CASES) {
  test(`RFC 9113 ${name}`, async () => {
    const { server: running, port } = await start();
    const client = await RawClient.open(port);
    try {
      // The first case sends no SETTINGS: it goes out raw, before the preface's.
      if (name.startsWith("§3.4")) {
        client.close();
        const raw = await Deno.connect({ hostname: "127.0.0.1", port });
        const bad = new NoSettingsClient(raw);
        await bad.sendRaw();
        const { goAway } = await bad.ending();
        assertEquals(goAway, E.PROTOCOL_ERROR);
        return;
      }
      await client.send(...send(client));
      if ("goAway" in expect) {
        const { goAway } = await client.ending();
        assertEquals(goAway, expect.goAway);
      } else {
        const stream = expect.stream ?? 1;
        const reset = await client.until((f) =>
          f.type === FrameType.RST_STREAM && f.streamId === stream ||
          f.type === FrameType.GOAWAY
        );
        assert(
          reset !== null && reset.type === FrameType.RST_STREAM,
          "no RST_STREAM",
        );
        assertEquals(
          new DataView(reset.payload.buffer, reset.payload.byteOffset)
            .getUint32(0),
          expect.reset,
        );
        // A stream error leaves the connection serving.
        const { status } = await client.fetch(101);
        assertEquals(status, "200");
      }
    } finally {
      client.close();
      await running.shutdown();
    }
  });
}

/** The §3.4 case: the preface, then a PING where SETTINGS must be. */
class NoSettingsClient {
  #conn: Deno.Conn;
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }
  async sendRaw(): Promise<void> {
    const preface = new TextEncoder().encode(
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    );
    await this.#conn.write(new Uint8Array([...preface, ...ping()]));
  }
  async ending(): Promise<{ goAway: number | null }> {
    let all = new Uint8Array(0);
    const buffer = new Uint8Array(4096);
    while (true) {
      const n = await this.#conn.read(buffer).catch(() => null);
      if (n === null) break;
      all = new Uint8Array([...all, ...buffer.subarray(0, n)]);
    }
    this.#conn.close();
    for (let at = 0; at + 9 <= all.byteLength;) {
      const length = all[at]! << 16 | all[at + 1]! << 8 | all[at + 2]!;
      if (all[at + 3] === FrameType.GOAWAY) {
        return { goAway: new DataView(all.buffer, at + 13).getUint32(0) };
      }
      at += 9 + length;
    }
    return { goAway: null };
  }
}

test("RFC 9113 §6.7 a PING is answered with an ACK carrying its payload", async () => {
  const { server: running, port } = await start();
  const client = await RawClient.open(port);
  try {
    const payload = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    await client.send(encodeFrame(FrameType.PING, 0, 0, payload));
    const ack = await client.until((f) => f.type === FrameType.PING);
    assertEquals([ack!.flags, [...ack!.payload]], [Flag.ACK, [...payload]]);
  } finally {
    client.close();
    await running.shutdown();
  }
});

test("RFC 9113 §4.1 §6.5.2 unknown frame types and settings are ignored", async () => {
  const { server: running, port } = await start();
  const client = await RawClient.open(port);
  try {
    await client.send(
      encodeFrame(0xfa, 0xff, 0, u32(7)),
      encodeSettings([[0x99, 1]]),
    );
    assertEquals((await client.fetch(1)).status, "200");
  } finally {
    client.close();
    await running.shutdown();
  }
});

test("RFC 9113 §6.5 the server acknowledges the client's SETTINGS", async () => {
  const { server: running, port } = await start();
  const client = await RawClient.open(port);
  try {
    const ack = await client.until((f) =>
      f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) !== 0
    );
    assert(ack !== null);
  } finally {
    client.close();
    await running.shutdown();
  }
});
