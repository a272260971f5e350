import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  test,
} from "../../trial/mod.ts";
import { connectedPair } from "../../reactor/connected_pair.ts";
import { decoderCore } from "../../reactor/codec.ts";
import { DecoderStream } from "../../reactor/decoder_stream.ts";
import { FastReadableStream } from "../../reactor/streams.ts";
import {
  encoder,
  TestLineCore,
  TestLineDecoder,
  TestLineTooLongError,
} from "./_helpers.ts";

const chunks = (...texts: string[]) =>
  ReadableStream.from(texts.map((text) => encoder.encode(text)));

test("DecoderStream decodes the chunks written to it into messages", async () => {
  const lines = chunks("a\nb", "\nc\n").pipeThrough(new TestLineDecoder());
  assertEquals(await Array.fromAsync(lines), ["a", "b", "c"]);
});

test("DecoderStream is a TransformStream that carries its core", () => {
  const core = new TestLineCore();
  const stream = new DecoderStream(core);
  assertInstanceOf(stream, TransformStream);
  assert(stream[decoderCore] === core);
});

test("DecoderStream hands out the messages before bad bytes, then errors and cancels its source", async () => {
  let cancelled: unknown = "no";
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode("ok\n" + "x".repeat(20)));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const reader = source.pipeThrough(new TestLineDecoder(8)).getReader();
  assertEquals((await reader.read()).value, "ok");
  await assertRejects(() => reader.read(), TestLineTooLongError);
  assertInstanceOf(cancelled, TestLineTooLongError);
});

test("DecoderStream errors its readable with the error of its source", async () => {
  const failure = new Error("upstream broke");
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(failure);
    },
  });
  const lines = source.pipeThrough(new TestLineDecoder());
  const error = await assertRejects(() => Array.fromAsync(lines));
  assert(error === failure);
});

test("DecoderStream cancels its source when its readable is cancelled", async () => {
  let cancelled: unknown = "no";
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(encoder.encode("line\n"));
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  const lines = source.pipeThrough(new TestLineDecoder());
  for await (const line of lines) {
    assertEquals(line, "line");
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(cancelled, undefined);
});

test("DecoderStream reads its source no further ahead than one chunk", async () => {
  let pulled = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(encoder.encode("a\n"));
    },
  }, { highWaterMark: 0 });
  const reader = source.pipeThrough(new TestLineDecoder()).getReader();
  assertEquals((await reader.read()).value, "a");
  await new Promise((resolve) => setTimeout(resolve, 10));
  // The chunk read, one handed over and waiting, one in the writable's queue.
  assert(pulled <= 3, `pulled ${pulled} chunks for one line`);
  await reader.cancel();
});

test("DecoderStream leaves the rest to the next consumer after a preventCancel break", async () => {
  const lines = chunks("a\nb\nc\n").pipeThrough(new TestLineDecoder());
  for await (const line of lines.values({ preventCancel: true })) {
    assertEquals(line, "a");
    break;
  }
  assertEquals(await Array.fromAsync(lines), ["b", "c"]);
});

test("DecoderStream is fused into a Spindle readable's read loop by pipeThrough", async () => {
  const [client, server] = connectedPair();
  const transform = new TestLineDecoder();
  const lines = server.readable.pipeThrough(transform);
  assertInstanceOf(lines, FastReadableStream);
  assert(lines !== transform.readable);
  assert(transform.writable.locked);
  await client.write(encoder.encode("x\ny\n"));
  await client.close();
  assertEquals(await Array.fromAsync(lines), ["x", "y"]);
  await server.close();
});
