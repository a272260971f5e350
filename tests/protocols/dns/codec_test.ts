import { assertEquals, assertRejects, test } from "../../../trial/mod.ts";
import { connectedPair } from "../../../reactor/mod.ts";
import {
  createMessage,
  DNSFormatError,
  type DNSMessage,
  DNSTCPDecoder,
  DNSTCPDecoderCore,
  DNSTCPEncoder,
  encodeMessage,
} from "../../../protocols/dns/mod.ts";
import { seededRandom, splitAnywhere } from "../../_random.ts";
import { sampleResponse } from "./_samples.ts";

function framed(messages: DNSMessage[]): Uint8Array {
  const parts = messages.map((m) => encodeMessage(m, { lengthPrefix: true }));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

test("the TCP core decodes the same messages however the bytes are split", () => {
  const messages = [
    sampleResponse(),
    createMessage({ id: 7 }),
    sampleResponse(),
  ];
  const bytes = framed(messages);
  const random = seededRandom(53);
  for (let round = 0; round < 50; round++) {
    const core = new DNSTCPDecoderCore();
    const out: DNSMessage[] = [];
    for (const piece of splitAnywhere(bytes, random)) core.decode(piece, out);
    core.end(out);
    assertEquals(out, messages);
  }
});

test("the TCP core stops after max messages and releases exactly the rest", () => {
  const bytes = framed([createMessage({ id: 1 }), createMessage({ id: 2 })]);
  const core = new DNSTCPDecoderCore();
  const out: DNSMessage[] = [];
  core.decode(bytes, out, 1);
  assertEquals(out.map((m) => m.id), [1]);
  assertEquals(core.release(), bytes.subarray(14));
});

test("a connection's bytes pipe through DNSTCPDecoder as messages, and back through DNSTCPEncoder", async () => {
  const [client, server] = connectedPair();
  const sent = [createMessage({ id: 1 }), sampleResponse()];
  const writing = ReadableStream.from(sent).pipeThrough(new DNSTCPEncoder())
    .pipeTo(client.writable);
  const received = await Array.fromAsync(
    server.readable.pipeThrough(new DNSTCPDecoder()),
  );
  await writing;
  assertEquals(received, sent);
  await server.close();
});

test("a frame that is not a DNS message fails the decoder stream with DNSFormatError", async () => {
  const bytes = ReadableStream.from([new Uint8Array([0, 3, 1, 2, 3])]);
  await assertRejects(
    () => Array.fromAsync(bytes.pipeThrough(new DNSTCPDecoder())),
    DNSFormatError,
  );
});
