import {
  assert,
  assertEquals,
  assertInstanceOf,
  test,
} from "../../trial/mod.ts";
import { connectedPair } from "../../reactor/connected_pair.ts";
import { encoderCore } from "../../reactor/codec.ts";
import { EncoderStream } from "../../reactor/encoder_stream.ts";
import { FastReadableStream } from "../../reactor/streams.ts";
import {
  decoder,
  encoder,
  TestLineDecoder,
  TestLineEncoder,
  TestLineEncoderCore,
} from "./_helpers.ts";

test("EncoderStream encodes each message with its core", async () => {
  const text = await new Response(
    ReadableStream.from(["a", "b"]).pipeThrough(new TestLineEncoder()),
  ).text();
  assertEquals(text, "a\nb\n");
});

test("EncoderStream is a TransformStream that carries its core", () => {
  const core = new TestLineEncoderCore();
  const stream = new EncoderStream(core);
  assertInstanceOf(stream, TransformStream);
  assert(stream[encoderCore] === core);
});

test("EncoderStream is fused after a decoder on a Spindle readable", async () => {
  const [client, server] = connectedPair();
  const echoed = server.readable
    .pipeThrough(new TestLineDecoder())
    .pipeThrough(new TestLineEncoder());
  assertEquals(echoed instanceof FastReadableStream, true);
  await client.write(encoder.encode("x\ny\n"));
  await client.close();
  const bytes = await Array.fromAsync(echoed);
  assertEquals(bytes.map((chunk) => decoder.decode(chunk)), ["x\n", "y\n"]);
  await server.close();
});
