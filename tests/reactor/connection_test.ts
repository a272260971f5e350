import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertRejects,
  assertStrictEquals,
} from "../../trial/assertions.ts";
import { connectedPair } from "../../reactor/connected_pair.ts";
import { LineDecoder } from "../../protocols/basic/line.ts";
import { DenoReactor } from "../../reactor/deno_reactor.ts";
import type { BaseConnection } from "../../reactor/connection.ts";
import { FastReadableStream } from "../../reactor/streams.ts";
import { ConnectionLostError } from "../../reactor/errors.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import {
  decoder,
  encoder,
  readAll,
  TestLineDecoder,
  TestLineEncoder,
  TestLineTooLongError,
} from "./_helpers.ts";

// Made the way programs make them, so the memory pair is held to what
// listenTCP and connectTCP hand out.
async function tcpPair(): Promise<[Connection, Connection]> {
  const reactor = new DenoReactor();
  const accepted = Promise.withResolvers<Connection>();
  const port = await reactor.listenTCP(0, (conn) => accepted.resolve(conn), {
    interface: "127.0.0.1",
  });
  const { port: portNumber } = port.getHost() as Deno.NetAddr;
  const client = await reactor.connectTCP("127.0.0.1", portNumber);
  const server = await accepted.promise;
  await port.stopListening();
  return [client, server];
}

const kinds: [string, () => Promise<[Connection, Connection]>][] = [
  ["memory", () => Promise.resolve(connectedPair())],
  ["tcp", tcpPair],
];

for (const [kind, makePair] of kinds) {
  Deno.test(`${kind}: bytes written on one end are read on the other`, async () => {
    const [a, b] = await makePair();
    await a.write(encoder.encode("hello "));
    await a.write(encoder.encode("world"));
    await a.close();
    assertEquals(decoder.decode(await readAll(() => b.read())), "hello world");
    await b.close();
    await a.closed;
    await b.closed;
  });

  Deno.test(`${kind}: after the client half-closes, the server's reply still arrives in full`, async () => {
    const [client, server] = await makePair();
    const reply = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
    await client.write(encoder.encode("request"));
    await client.closeWrite();
    const request = await readAll(() => server.read());
    assertEquals(decoder.decode(request), "request");
    // Not awaited: a reply this large waits for the client to read it.
    const replying = server.write(reply).then(() => server.close());
    assertEquals(await readAll(() => client.read()), reply);
    await replying;
    await client.closed;
    await server.closed;
  });

  Deno.test(`${kind}: closed resolves once both directions are closed cleanly`, async () => {
    const [a, b] = await makePair();
    await a.closeWrite();
    assertEquals(await b.read(), null);
    await b.closeWrite();
    assertEquals(await a.read(), null);
    await a.closed;
    await b.closed;
  });

  Deno.test(`${kind}: abort rejects the peer's closed with ConnectionLostError`, async () => {
    const [a, b] = await makePair();
    const reason = new Error("giving up");
    a.abort(reason);
    await assertRejects(() => a.closed, Error, "giving up");
    await assertRejects(async () => {
      while (true) {
        if (await b.read() === null) {
          // A reset can surface as a write error after end of input.
          await b.write(encoder.encode("x"));
          await b.write(encoder.encode("x"));
          await b.close();
          await b.closed;
          return;
        }
      }
    }, ConnectionLostError);
    await assertRejects(() => b.closed, ConnectionLostError);
  });

  Deno.test(`${kind}: a read pending when this end aborts rejects with the abort's reason`, async () => {
    const [a, b] = await makePair();
    const pending = a.read();
    const reason = new ConnectionLostError("this side gave up");
    a.abort(reason);
    const error = await assertRejects(() => pending);
    assertStrictEquals(error, reason);
    b.abort();
    await assertRejects(() => a.closed, ConnectionLostError);
    await b.closed.catch(() => {});
  });

  Deno.test(`${kind}: a read pending when this end aborts without a reason rejects with ConnectionLostError`, async () => {
    const [a, b] = await makePair();
    const pending = a.read();
    a.abort();
    await assertRejects(() => pending, ConnectionLostError, "aborted locally");
    b.abort();
    await assertRejects(() => a.closed, ConnectionLostError);
    await b.closed.catch(() => {});
  });

  Deno.test(`${kind}: a writer to a peer that stops reading pends, with bounded buffering`, async () => {
    const [sender, receiver] = await makePair();
    const total = 64 * 1024 * 1024;
    const chunk = new Uint8Array(64 * 1024);
    const base = sender as unknown as { bufferedAmount: number };
    let maxBuffered = 0;
    let written = 0;
    let paused = true;
    const writing = (async () => {
      const writer = sender.writable.getWriter();
      while (written < total) {
        await writer.ready;
        await writer.write(chunk);
        written += chunk.byteLength;
        maxBuffered = Math.max(maxBuffered, base.bufferedAmount);
      }
      await writer.close();
    })();
    // The reader sleeps while the writer runs into backpressure.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const writtenWhilePaused = written;
    assert(
      writtenWhilePaused < total,
      `the writer should have stalled, but wrote ${writtenWhilePaused} bytes`,
    );
    paused = false;
    let received = 0;
    for await (const data of receiver.readable) received += data.byteLength;
    await writing;
    assert(!paused);
    assertEquals(received, total);
    assert(maxBuffered < 300 * 1024, `sender buffered ${maxBuffered} bytes`);
    await receiver.close();
    await sender.close();
    await sender.closed;
  });

  Deno.test(`${kind}: a writer's close delivers every chunk written before it, then end of input`, async () => {
    const [a, b] = await makePair();
    const writer = a.writable.getWriter();
    const chunks = Array.from(
      { length: 50 },
      (_, i) => encoder.encode(`${i};`),
    );
    for (const chunk of chunks) writer.write(chunk);
    const closing = writer.close();
    const text = decoder.decode(await readAll(() => b.read()));
    await closing;
    await writer.closed;
    assertEquals(text, chunks.map((c) => decoder.decode(c)).join(""));
    await a.close();
    await b.close();
  });

  Deno.test(`${kind}: a writer's desiredSize goes below zero while the peer does not read`, async () => {
    const [a, b] = await makePair();
    const writer = a.writable.getWriter();
    assert((writer.desiredSize ?? 0) > 0);
    // More than the kernel buffers of a loopback TCP connection can absorb.
    writer.write(new Uint8Array(32 * 1024 * 1024)).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert((writer.desiredSize ?? 0) < 0, `desiredSize ${writer.desiredSize}`);
    writer.releaseLock();
    a.abort();
    await b.close();
  });

  Deno.test(`${kind}: a released writer cannot write`, async () => {
    const [a, b] = await makePair();
    const writer = a.writable.getWriter();
    writer.releaseLock();
    await assertRejects(() => writer.write(encoder.encode("x")), TypeError);
    assert(!a.writable.locked);
    await a.close();
    await b.close();
  });

  Deno.test(`${kind}: readInto fills a caller's buffer, keeping what does not fit for later`, async () => {
    const [a, b] = await makePair();
    const base = b as BaseConnection;
    await a.write(encoder.encode("tail"));
    await a.close();
    b.unshift(encoder.encode("head-"));
    const buffer = new Uint8Array(3);
    let text = "";
    while (true) {
      const n = await base.readInto(buffer);
      if (n === null) break;
      text += decoder.decode(buffer.subarray(0, n));
    }
    assertEquals(text, "head-tail");
    await b.close();
  });

  Deno.test(`${kind}: a buffer lent with writeBorrowed can be reused once it resolves`, async () => {
    const [a, b] = await makePair();
    const base = a as BaseConnection;
    const buffer = encoder.encode("first");
    await base.writeBorrowed(buffer);
    buffer.set(encoder.encode("later"));
    await base.writeBorrowed(buffer);
    await a.close();
    assertEquals(decoder.decode(await readAll(() => b.read())), "firstlater");
    await b.close();
  });

  Deno.test(`${kind}: unshifted bytes are read before the rest`, async () => {
    const [a, b] = await makePair();
    await a.write(encoder.encode("rest"));
    await a.close();
    b.unshift(encoder.encode("first-"));
    assertEquals(decoder.decode(await readAll(() => b.read())), "first-rest");
    await b.close();
  });

  Deno.test(`${kind}: for await over the readable yields every chunk`, async () => {
    const [a, b] = await makePair();
    const sending = (async () => {
      for (let i = 0; i < 100; i++) await a.write(encoder.encode(`${i},`));
      await a.close();
    })();
    let text = "";
    for await (const chunk of b.readable) text += decoder.decode(chunk);
    await sending;
    assertEquals(text.split(",").length, 101);
    await b.close();
  });

  Deno.test(`${kind}: for await over the readable lets go of its lock at end of input`, async () => {
    const [a, b] = await makePair();
    await a.write(encoder.encode("last"));
    await a.close();
    let text = "";
    for await (const chunk of b.readable) text += decoder.decode(chunk);
    assertEquals(text, "last");
    assert(!b.readable.locked);
    await b.close();
  });

  Deno.test(`${kind}: a standard reader reads the readable`, async () => {
    const [a, b] = await makePair();
    await a.write(encoder.encode("std"));
    await a.close();
    const reader = b.readable.getReader();
    let text = "";
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    assertEquals(text, "std");
    await b.close();
  });

  Deno.test(`${kind}: pipeThrough a Spindle decoder yields messages`, async () => {
    const [a, b] = await makePair();
    await a.write(encoder.encode("one\ntw"));
    await a.write(encoder.encode("o\nthree"));
    await a.close();
    const lines: string[] = [];
    const readable = b.readable.pipeThrough(new TestLineDecoder());
    assert(b.readable.locked);
    for await (const line of readable) lines.push(line);
    assertEquals(lines, ["one", "two", "three"]);
    await b.close();
  });

  Deno.test(`${kind}: pipeThrough a Spindle decoder runs its core in the read loop, not its streams`, async () => {
    const [a, b] = await makePair();
    const transform = new TestLineDecoder();
    const lines = b.readable.pipeThrough(transform);
    assert(lines !== transform.readable);
    assert(lines instanceof FastReadableStream);
    assert(transform.writable.locked);
    await a.close();
    await b.close();
  });

  Deno.test(`${kind}: a fused decoded readable also works with a standard reader`, async () => {
    const [a, b] = await makePair();
    await a.write(encoder.encode("x\ny\n"));
    await a.close();
    const reader = b.readable.pipeThrough(new TestLineDecoder()).getReader();
    assertEquals((await reader.read()).value, "x");
    assertEquals((await reader.read()).value, "y");
    assertEquals((await reader.read()).done, true);
    await b.close();
  });

  Deno.test(`${kind}: a decoder error rejects the read with its ProtocolError`, async () => {
    const [a, b] = await makePair();
    await a.write(new Uint8Array(100).fill(65));
    const lines = b.readable.pipeThrough(new TestLineDecoder(10));
    await assertRejects(async () => {
      for await (const _ of lines) { /* nothing */ }
    }, TestLineTooLongError);
    await a.close();
    await b.close();
  });

  Deno.test(`${kind}: letting go of a decoder with preventCancel hands its buffered bytes back`, async () => {
    const [a, b] = await makePair();
    await a.write(encoder.encode("SWITCH\nraw bytes"));
    await a.close();
    const lines = b.readable.pipeThrough(new TestLineDecoder());
    for await (const line of lines.values({ preventCancel: true })) {
      assertEquals(line, "SWITCH");
      break;
    }
    assert(!b.readable.locked);
    assertEquals(decoder.decode(await readAll(() => b.read())), "raw bytes");
    await b.close();
  });

  Deno.test(`${kind}: letting go of a decoder with preventCancel hands back the messages it did not yield`, async () => {
    const [a, b] = await makePair();
    await a.write(encoder.encode("SWITCH\nNEXT\nraw bytes"));
    await a.close();
    const lines = b.readable.pipeThrough(new LineDecoder({ delimiter: "\n" }));
    for await (const line of lines.values({ preventCancel: true })) {
      assertEquals(line, "SWITCH");
      break;
    }
    assertEquals(
      decoder.decode(await readAll(() => b.read())),
      "NEXT\nraw bytes",
    );
    await b.close();
  });

  Deno.test(`${kind}: pipeTo between connections copies until end of input and closes the writer`, async () => {
    const [client, server] = await makePair();
    const echoing = server.readable.pipeTo(server.writable);
    await client.write(encoder.encode("echo me"));
    await client.closeWrite();
    assertEquals(decoder.decode(await readAll(() => client.read())), "echo me");
    await echoing;
    await client.closed;
    await server.closed;
  });

  Deno.test(`${kind}: a decoder then an encoder piped between connections echoes messages`, async () => {
    const [client, server] = await makePair();
    const echoing = server.readable
      .pipeThrough(new TestLineDecoder())
      .pipeThrough(new TestLineEncoder())
      .pipeTo(server.writable);
    await client.write(encoder.encode("one\ntwo\nthree"));
    await client.closeWrite();
    assertEquals(
      decoder.decode(await readAll(() => client.read())),
      "one\ntwo\nthree\n",
    );
    await echoing;
    await client.closed;
    await server.closed;
  });

  Deno.test(`${kind}: pipeTo a foreign writable uses the standard pipe`, async () => {
    const [a, b] = await makePair();
    await a.write(encoder.encode("abc"));
    await a.close();
    const seen: string[] = [];
    await b.readable.pipeTo(
      new WritableStream({ write: (c) => void seen.push(decoder.decode(c)) }),
    );
    assertEquals(seen.join(""), "abc");
    await b.close();
  });

  Deno.test(`${kind}: a foreign readable piped into the writable arrives whole, then end of input`, async () => {
    const [a, b] = await makePair();
    const parts = ["al", "pha", "bet"];
    const piping = ReadableStream.from(parts.map((p) => encoder.encode(p)))
      .pipeTo(a.writable);
    assertEquals(decoder.decode(await readAll(() => b.read())), "alphabet");
    await piping;
    await a.close();
    await b.close();
  });

  Deno.test(`${kind}: cancelling the readable then closing the writer closes the connection`, async () => {
    const [a, b] = await makePair();
    await b.readable.cancel();
    await b.writable.close();
    await b.closed;
    await a.close();
  });

  Deno.test(`${kind}: write after close rejects`, async () => {
    const [a, b] = await makePair();
    await a.close();
    await assertRejects(() => a.write(encoder.encode("late")), TypeError);
    await b.close();
  });
}

Deno.test("tcp: chunks read keep their bytes while later reads on other connections go on", async () => {
  const pairs = [await tcpPair(), await tcpPair()];
  const kept: Uint8Array[][] = [[], []];
  const sent: Uint8Array[][] = [[], []];
  // Small messages (copied into a pool shared by connections), then large
  // ones (a read that fills its space moves the connection to its own pools).
  const sizes = [100, 1500, 3000, 200, 4096, 6000, 20000, 70000, 300];
  for (const [step, size] of sizes.entries()) {
    for (const [index, [writer, reader]] of pairs.entries()) {
      const message = new Uint8Array(size).map((_, i) =>
        (i * 7 + step * 13 + index * 101) % 256
      );
      sent[index]!.push(message);
      await writer.write(message);
      let received = 0;
      while (received < size) {
        const chunk = await reader.read();
        assert(chunk !== null);
        kept[index]!.push(chunk);
        received += chunk.byteLength;
      }
    }
  }
  for (const index of [0, 1]) {
    assertEquals(concat(kept[index]!), concat(sent[index]!));
  }
  for (const [a, b] of pairs) {
    await a.close();
    await b.close();
  }
});

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(
    chunks.reduce((total, chunk) => total + chunk.byteLength, 0),
  );
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

Deno.test("memory: for await over the readable fails when the peer aborts, and lets go of its lock", async () => {
  const [a, b] = connectedPair();
  const reading = (async () => {
    for await (const _ of b.readable) { /* nothing arrives */ }
  })();
  a.abort();
  await assertRejects(() => reading, ConnectionLostError);
  assert(!b.readable.locked);
});

Deno.test("tcp: a peer reset rejects closed with ConnectionLostError", async () => {
  const [a, b] = await tcpPair();
  // SO_LINGER 0 is not reachable from Deno; abort then write until the reset shows.
  b.abort();
  let error: unknown;
  try {
    for (let i = 0; i < 100; i++) {
      await a.write(encoder.encode("ping"));
      if (await a.read() === null) continue;
    }
  } catch (e) {
    error = e;
  }
  if (error === undefined) await a.close();
  else assertInstanceOf(error, ConnectionLostError);
});
