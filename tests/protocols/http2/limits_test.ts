/**
 * The limits and the attacks they stop, each driven by a raw client: the
 * attacking connection ends with GOAWAY and the right code, and a fresh
 * connection to the same server is served.
 */
import { assert, assertEquals, test } from "../../../trial/mod.ts";
import {
  encodeFrame,
  encodeRstStream,
  encodeSettings,
  ErrorCode,
  Flag,
  FrameType,
  SettingId,
} from "../../../protocols/http2/mod.ts";
import type {
  ServeHandler,
  ServeHTTPOptions,
} from "../../../protocols/http/mod.ts";
import { assertServes, RawClient, server } from "./_raw.ts";

/**
 * Serves `handle`, opens a raw client to it (sending `settings`) and runs
 * `body`; the client is closed and the server shut down however it ends.
 */
async function withRawClient(
  handle: ServeHandler,
  options: ServeHTTPOptions,
  body: (client: RawClient, port: number) => Promise<void>,
  settings?: Array<[number, number]>,
): Promise<void> {
  const { server: running, port } = await server(handle, options);
  const client = await RawClient.open(port, settings);
  try {
    await body(client, port);
  } finally {
    client.close();
    await running.shutdown();
  }
}

/**
 * The attacking connection ends with GOAWAY(ENHANCE_YOUR_CALM), and a fresh
 * connection to the same server is served.
 */
async function assertCalmedAndStillServing(
  client: RawClient,
  port: number,
): Promise<void> {
  assertEquals((await client.ending()).goAway, ErrorCode.ENHANCE_YOUR_CALM);
  await assertServes(port);
}

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

/** Answers "/hold" only once the client leaves; everything else at once. */
function handler(request: Request): Response | Promise<Response> {
  if (new URL(request.url).pathname !== "/hold") return new Response("ok");
  return new Promise((resolve) =>
    request.signal.addEventListener("abort", () => resolve(new Response("")))
  );
}

test("limits: the 101st concurrent stream is refused (REFUSED_STREAM), and a flood of refusals ends in ENHANCE_YOUR_CALM", async () => {
  await withRawClient(handler, {
    http2: { maxResetsPerWindow: 20 },
  }, async (client, port) => {
    const frames = [];
    for (let id = 1; id <= 2 * 101; id += 2) {
      frames.push(client.get(id, "/hold"));
    }
    await client.send(...frames);
    const refused = await client.until((f) => f.type === FrameType.RST_STREAM);
    assertEquals(refused!.streamId, 201);
    assertEquals(refused!.payload[3], ErrorCode.REFUSED_STREAM);
    const more = [];
    for (let id = 203; id < 203 + 2 * 30; id += 2) {
      more.push(client.get(id, "/hold"));
    }
    await client.send(...more);
    await assertCalmedAndStillServing(client, port);
  });
});

test("limits: a header list over maxHeaderListSize ends in ENHANCE_YOUR_CALM", async () => {
  await withRawClient(handler, {}, async (client, port) => {
    await client.send(client.headers(1, [...GET, "x-big", "a".repeat(17000)]));
    await assertCalmedAndStillServing(client, port);
  });
});

test("limits: a CONTINUATION flood ends in ENHANCE_YOUR_CALM at maxContinuationFrames", async () => {
  await withRawClient(handler, {}, async (client, port) => {
    const block = client.encoder.encode([...GET, "x-a", "b"]);
    const frames = [
      encodeFrame(FrameType.HEADERS, Flag.END_STREAM, 1, block.subarray(0, 1)),
    ];
    // One byte per frame, never ending the block: no single frame is empty.
    for (let i = 1; i < 40; i++) {
      frames.push(
        encodeFrame(
          FrameType.CONTINUATION,
          0,
          1,
          block.subarray(i % block.byteLength, i % block.byteLength + 1),
        ),
      );
    }
    await client.send(...frames);
    await assertCalmedAndStillServing(client, port);
  });
});

test("limits: an HPACK bomb ends in ENHANCE_YOUR_CALM before it is decoded", async () => {
  await withRawClient(handler, {}, async (client, port) => {
    // A 4000-byte entry added to the table, then 100 one-byte references to it.
    const literal = new Uint8Array([
      0x40,
      4,
      0x62,
      0x6f,
      0x6d,
      0x62,
      0x7f,
      0xa1,
      0x1e,
    ]);
    const block = new Uint8Array(literal.byteLength + 4000 + 100);
    block.set(literal);
    block.fill(0x78, literal.byteLength, literal.byteLength + 4000);
    block.fill(0xbe, literal.byteLength + 4000);
    const head = client.encoder.encode(GET);
    await client.send(
      encodeFrame(
        FrameType.HEADERS,
        Flag.END_HEADERS | Flag.END_STREAM,
        1,
        new Uint8Array([...head, ...block]),
      ),
    );
    await assertCalmedAndStillServing(client, port);
  });
});

test("limits: rapid reset (CVE-2023-44487) ends in ENHANCE_YOUR_CALM, and the handlers it started are aborted", async () => {
  let started = 0;
  let aborted = 0;
  const counting = (request: Request) => {
    if (new URL(request.url).pathname !== "/hold") return new Response("ok");
    started++;
    return new Promise<Response>((resolve) =>
      request.signal.addEventListener("abort", () => {
        aborted++;
        resolve(new Response(""));
      })
    );
  };
  await withRawClient(counting, {}, async (client, port) => {
    const frames = [];
    for (let id = 1; id < 2 * 300; id += 2) {
      frames.push(
        client.get(id, "/hold"),
        encodeRstStream(id, ErrorCode.CANCEL),
      );
    }
    await client.send(...frames);
    assertEquals((await client.ending()).goAway, ErrorCode.ENHANCE_YOUR_CALM);
    assert(started <= 201, `${started} handlers started`);
    assertEquals(aborted, started);
    await assertServes(port);
  });
});

const floods: Array<[string, (c: RawClient) => Uint8Array[]]> = [
  [
    "a PING flood",
    () =>
      Array.from(
        { length: 1100 },
        () => encodeFrame(FrameType.PING, 0, 0, new Uint8Array(8)),
      ),
  ],
  [
    "a SETTINGS flood",
    () => Array.from({ length: 1100 }, () => encodeSettings([])),
  ],
  ["an empty DATA flood", (c) => [
    c.headers(1, [
      ":method",
      "POST",
      ":scheme",
      "http",
      ":path",
      "/hold",
      ":authority",
      "x",
    ], Flag.END_HEADERS),
    ...Array.from({ length: 150 }, () => encodeFrame(FrameType.DATA, 0, 1)),
  ]],
];
for (const [name, frames] of floods) {
  test(`limits: ${name} ends in ENHANCE_YOUR_CALM`, async () => {
    await withRawClient(handler, {}, async (client, port) => {
      await client.send(...frames(client));
      await assertCalmedAndStillServing(client, port);
    });
  });
}

test("limits: a response stalled on a zero window ends in ENHANCE_YOUR_CALM after stallTimeout", async (t) => {
  await withRawClient(
    () => new Response("x".repeat(1000)),
    { clock: t.clock, http2: { stallTimeout: 30_000 } },
    async (client) => {
      await client.send(client.get(1));
      const headers = await client.until((f) => f.type === FrameType.HEADERS);
      assert(headers !== null);
      // Nothing was sent: the window is closed. Let the server's timer start.
      for (let i = 0; i < 20 && t.clock.getDelayedCalls().length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      t.clock.advance(29_999);
      t.clock.advance(1);
      assertEquals((await client.ending()).goAway, ErrorCode.ENHANCE_YOUR_CALM);
    },
    [[SettingId.INITIAL_WINDOW_SIZE, 0]],
  );
});

test("limits: a body over maxBodySize resets its stream (CANCEL)", async () => {
  const reading = async (request: Request) => {
    await request.arrayBuffer().catch(() => {});
    return new Response("read");
  };
  await withRawClient(reading, { maxBodySize: 10 }, async (client) => {
    await client.send(
      client.headers(1, [
        ":method",
        "POST",
        ":scheme",
        "http",
        ":path",
        "/",
        ":authority",
        "x",
      ], Flag.END_HEADERS),
      encodeFrame(FrameType.DATA, Flag.END_STREAM, 1, new Uint8Array(11)),
    );
    const reset = await client.until((f) => f.type === FrameType.RST_STREAM);
    assertEquals(reset!.payload[3], ErrorCode.CANCEL);
    assertEquals((await client.fetch(3)).status, "200");
  });
});

test("limits: graceful shutdown sends GOAWAY(NO_ERROR) and lets the stream in flight finish", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const { server: running, port } = await server(async () => {
    await gate;
    return new Response("finished");
  });
  const client = await RawClient.open(port);
  try {
    await client.send(client.get(1));
    // Wait for the handler to start: the server acknowledges our SETTINGS first.
    await client.until((f) =>
      f.type === FrameType.SETTINGS && (f.flags & Flag.ACK) !== 0
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stopping = running.shutdown();
    const goAway = await client.until((f) => f.type === FrameType.GOAWAY);
    assertEquals(goAway!.payload[7], ErrorCode.NO_ERROR);
    assertEquals(goAway!.payload[3], 1); // the last stream: ours
    release();
    const data = await client.until((f) =>
      f.type === FrameType.DATA && f.payload.byteLength > 0
    );
    assertEquals(new TextDecoder().decode(data!.payload), "finished");
    // Then the stream ends, and the server closes the connection.
    assertEquals((await client.ending()).goAway, null);
    await stopping;
  } finally {
    client.close();
  }
});
