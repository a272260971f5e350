// The program of docs/framing_and_streams.md: lines, netstrings and length
// prefixes as Web Streams transforms, on an in-memory connection pair and on
// plain standard streams. It prints what each pipeline produced and exits 0.
//
// Run it:   deno run examples/guide_framing.ts
import { connectedPair } from "../reactor/mod.ts";
import {
  frame,
  LengthPrefixedDecoder,
  LengthPrefixedEncoder,
  LineCodec,
  LineDecoder,
  LineEncoder,
  NetstringDecoder,
  NetstringEncoder,
} from "../protocols/basic/mod.ts";

const [client, server] = connectedPair();

// 1. Lines on a connection. Only Spindle parts (the connection's readable, a
// LineDecoder, for await) make a fused pipeline: the connection's read loop
// runs the decoder itself, with no stream hop per chunk.
const served = (async () => {
  for await (
    const line of server.readable.pipeThrough(
      new LineDecoder({ delimiter: "\n", maxLength: 1024 }),
    )
  ) {
    await server.write(new TextEncoder().encode(`${line.length}\n`));
  }
  await server.close();
})();
await ReadableStream.from(["hello", "framing"])
  .pipeThrough(new LineEncoder({ delimiter: "\n" }))
  .pipeTo(client.writable); // closing the writable half-closes the connection
const lengths = await Array.fromAsync(
  client.readable.pipeThrough(new LineDecoder({ delimiter: "\n" })),
);
await served;
console.log(`lines: ${lengths.join(",")}`);

// 2. The same with frame(): a connection as a pair of message streams.
const [left, right] = connectedPair();
const echo = frame(right, new LineCodec());
const echoed = echo.readable.pipeTo(echo.writable);
const ours = frame(left, new LineCodec());
await ReadableStream.from(["ping"]).pipeTo(ours.writable);
console.log(`frame: ${(await Array.fromAsync(ours.readable)).join(",")}`);
await echoed;
await left.close();
await right.close();

// 3. Netstrings ("5:hello,") and 4. length prefixes, on standard streams: each
// encoder takes strings or bytes, each decoder hands out the payload bytes.
const netstrings = await new Response(
  ReadableStream.from(["hello", "world"]).pipeThrough(new NetstringEncoder()),
).text();
console.log(`netstrings: ${netstrings}`);
const payloads = await Array.fromAsync(
  ReadableStream.from(["a", "bc"])
    .pipeThrough(new LengthPrefixedEncoder({ prefixLength: 2 }))
    .pipeThrough(new LengthPrefixedDecoder({ prefixLength: 2 }))
    .pipeThrough(new TextDecoderStream()),
);
console.log(`length-prefixed: ${payloads.join(",")}`);
const decoded = await Array.fromAsync(
  ReadableStream.from([new TextEncoder().encode(netstrings)])
    .pipeThrough(new NetstringDecoder({ maxLength: 100 })),
);
console.log(`decoded: ${decoded.map((p) => new TextDecoder().decode(p))}`);

// 5. Standard parts mix in: TextEncoderStream feeds a LineDecoder.
const words = await Array.fromAsync(
  ReadableStream.from(["one\ntw", "o\nthree\n"])
    .pipeThrough(new TextEncoderStream())
    .pipeThrough(new LineDecoder({ delimiter: "\n" })),
);
console.log(`standard: ${words.join(",")}`);
