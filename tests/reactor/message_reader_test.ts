import {
  assertEquals,
  assertRejects,
  assertStrictEquals,
  assertThrows,
  test,
} from "../../trial/mod.ts";
import {
  LineDecoderCore,
  LineTooLongError,
} from "../../protocols/basic/mod.ts";
import { connectedPair } from "../../reactor/connected_pair.ts";
import type { DecoderCore } from "../../reactor/codec.ts";
import {
  type ByteSource,
  MessageReader,
} from "../../reactor/message_reader.ts";
import { FastReadableStream } from "../../reactor/streams.ts";
import { decoder, encoder, TestLineCore } from "./_helpers.ts";

/** A byte source over fixed chunks that counts its reads and keeps what is put back. */
class ChunksSource implements ByteSource {
  reads = 0;
  unshifted: Uint8Array[] = [];
  #chunks: Uint8Array[];
  constructor(...texts: string[]) {
    this.#chunks = texts.map((text) => encoder.encode(text));
  }
  read(): Promise<Uint8Array | null> {
    this.reads++;
    return Promise.resolve(this.#chunks.shift() ?? null);
  }
  unshift(data: Uint8Array): void {
    this.unshifted.unshift(data.slice());
  }
  get putBack(): string {
    return this.unshifted.map((bytes) => decoder.decode(bytes)).join("");
  }
}

/** A core that counts its decode calls and how many messages each may give. */
class CountingCore implements DecoderCore<string> {
  maxes: number[] = [];
  #inner = new LineDecoderCore({ delimiter: "\n" });
  decode(chunk: Uint8Array, out: string[], max?: number): void {
    this.maxes.push(max ?? Infinity);
    this.#inner.decode(chunk, out, max);
  }
  end(out: string[]): void {
    this.#inner.end(out);
  }
  release(): Uint8Array {
    return this.#inner.release();
  }
}

test("MessageReader hands out one message per read, then null at the end of input", async () => {
  const source = new ChunksSource("a\r\nb", "\r\nc\r\n");
  const reader = new MessageReader(source, new LineDecoderCore());
  assertEquals(await reader.read(), "a");
  assertEquals(await reader.read(), "b");
  assertEquals(await reader.read(), "c");
  assertEquals(await reader.read(), null);
  assertEquals(await reader.read(), null);
});

test("MessageReader decodes one message at a time by default", async () => {
  const core = new CountingCore();
  const reader = new MessageReader(new ChunksSource("a\nb\n"), core);
  await reader.read();
  await reader.read();
  assertEquals(core.maxes.every((max) => max === 1), true);
});

test("MessageReader returns a message already buffered without reading the source", async () => {
  const source = new ChunksSource("a\r\nb\r\nc\r\n");
  const reader = new MessageReader(source, new LineDecoderCore());
  assertEquals(await reader.read(), "a");
  assertEquals(await reader.read(), "b");
  assertEquals(await reader.read(), "c");
  assertEquals(source.reads, 1);
});

test("MessageReader.tryRead gives a buffered message, undefined when the source must be read, null at the end", async () => {
  const source = new ChunksSource("a\r\nb\r\n");
  const reader = new MessageReader(source, new LineDecoderCore());
  assertEquals(reader.tryRead(), undefined);
  assertEquals(source.reads, 0);
  assertEquals(await reader.read(), "a");
  assertEquals(reader.tryRead(), "b");
  assertEquals(reader.tryRead(), undefined);
  assertEquals(await reader.read(), null);
  assertEquals(reader.tryRead(), null);
});

test("MessageReader.release hands back exactly the bytes after the last message taken", async () => {
  const source = new ChunksSource("HELO a\r\nMAIL\r\nraw");
  const reader = new MessageReader(source, new LineDecoderCore());
  assertEquals(await reader.read(), "HELO a");
  reader.release();
  assertEquals(source.putBack, "MAIL\r\nraw");
  assertEquals(await reader.read(), null);
});

test("MessageReader.release puts a chunk read meanwhile back behind the core's bytes", async () => {
  const [client, server] = connectedPair();
  await client.write(encoder.encode("one\r\npart"));
  const reader = new MessageReader(server, new LineDecoderCore());
  assertEquals(await reader.read(), "one");
  const waiting = reader.read();
  reader.release();
  await client.write(encoder.encode("ial"));
  assertEquals(await waiting, null);
  assertEquals(decoder.decode((await server.read())!), "part");
  assertEquals(decoder.decode((await server.read())!), "ial");
  await client.close();
  await server.close();
});

test("MessageReader hands out the messages before bad bytes, then fails with the core's error", async () => {
  const failures: unknown[] = [];
  const source = new ChunksSource("ok\r\n" + "x".repeat(20) + "\r\n");
  const reader = new MessageReader(
    source,
    new LineDecoderCore({ maxLength: 8 }),
    { onDecodeError: (error) => failures.push(error) },
  );
  assertEquals(await reader.read(), "ok");
  await assertRejects(() => reader.read(), LineTooLongError);
  await assertRejects(() => reader.read(), LineTooLongError);
  assertEquals(failures.length, 1);
});

test("MessageReader hands out what a core decoded before it threw, then the error", async () => {
  // TestLineCore decodes every line of a chunk, then checks what is left.
  const source = new ChunksSource("a\nb\n" + "x".repeat(20));
  const reader = new MessageReader(source, new TestLineCore(8));
  assertEquals(await reader.read(), "a");
  assertEquals(await reader.read(), "b");
  await assertRejects(() => reader.read());
});

test("MessageReader.tryRead throws the core's error after the messages before it", async () => {
  const source = new ChunksSource("ok\r\n" + "x".repeat(20) + "\r\n");
  const reader = new MessageReader(
    source,
    new LineDecoderCore({ maxLength: 8 }),
  );
  assertEquals(await reader.read(), "ok");
  assertThrows(() => reader.tryRead(), LineTooLongError);
});

test("MessageReader fails with the source's error", async () => {
  const lost = new Error("connection reset");
  const reader = new MessageReader(
    { read: () => Promise.reject(lost) },
    new LineDecoderCore(),
  );
  const error = await assertRejects(() => reader.read());
  assertStrictEquals(error, lost);
});

test("MessageReader.cancel makes later reads null and calls onCancel with the reason", async () => {
  const reasons: unknown[] = [];
  const reader = new MessageReader(
    new ChunksSource("a\r\nb\r\n"),
    new LineDecoderCore(),
    { onCancel: (reason) => reasons.push(reason) },
  );
  assertEquals(await reader.read(), "a");
  reader.cancel("enough");
  reader.cancel("twice");
  assertEquals(await reader.read(), null);
  assertEquals(reasons, ["enough"]);
});

test("MessageReader calls onDone once, at the end of input", async () => {
  let done = 0;
  const reader = new MessageReader(
    new ChunksSource("a\r\n"),
    new LineDecoderCore(),
    { onDone: () => done++ },
  );
  assertEquals(await reader.read(), "a");
  assertEquals(done, 0);
  assertEquals(await reader.read(), null);
  reader.release();
  reader.cancel();
  assertEquals(done, 1);
});

test("MessageReader calls onDone after release has handed the bytes back", () => {
  const source = new ChunksSource();
  let putBackAtDone = -1;
  const core = new LineDecoderCore();
  core.decode(encoder.encode("partial"), []);
  const reader = new MessageReader(source, core, {
    onDone: () => putBackAtDone = source.unshifted.length,
  });
  reader.release();
  assertEquals(putBackAtDone, 1);
});

test("MessageReader serves a read made while another waits for input after it", async () => {
  const [client, server] = connectedPair();
  const reader = new MessageReader(server, new LineDecoderCore());
  const first = reader.read();
  const second = reader.read();
  await client.write(encoder.encode("a\r\nb\r\n"));
  assertEquals(await first, "a");
  assertEquals(await second, "b");
  await client.close();
  await server.close();
});

test("MessageReader with max Infinity lets the core decode a whole chunk at once", async () => {
  const core = new CountingCore();
  const source = new ChunksSource("a\nb\nc\n");
  const reader = new MessageReader(source, core, { max: Infinity });
  assertEquals(await reader.read(), "a");
  assertEquals(await reader.read(), "b");
  assertEquals(await reader.read(), "c");
  assertEquals(core.maxes.every((max) => max === Infinity), true);
  assertEquals(core.maxes.length, 2);
});

test("MessageReader fails a read that must wait once its signal is aborted", async () => {
  const controller = new AbortController();
  const reader = new MessageReader(
    new ChunksSource("a\r\nb\r\n"),
    new LineDecoderCore({ delimiter: "\r\n" }),
    { signal: controller.signal },
  );
  controller.abort(new Error("stop"));
  const error = await assertRejects(() => reader.read());
  assertEquals((error as Error).message, "stop");
});

test("MessageReader is a ChunkSource: a FastReadableStream over it yields its messages", async () => {
  const reader = new MessageReader(
    new ChunksSource("a\r\nb\r\n", "c\r\n"),
    new LineDecoderCore(),
  );
  const lines = await Array.fromAsync(new FastReadableStream(reader));
  assertEquals(lines, ["a", "b", "c"]);
});
