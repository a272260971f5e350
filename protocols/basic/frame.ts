/**
 * `frame(conn, codec)`: a connection as a pair of message streams, decoded and
 * encoded by a codec's cores inside the connection's own read and write calls.
 *
 * @module
 */
import type { Codec, DecoderCore, EncoderCore } from "../../reactor/codec.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import {
  type ChunkSource,
  FastReadableStream,
  FastWritableStream,
} from "../../reactor/streams.ts";
import { EMPTY_BYTES } from "../../reactor/bytes.ts";

/**
 * A connection framed as messages: what {@linkcode frame} returns.
 *
 * @typeParam In The decoded message type.
 * @typeParam Out The message type the encoder takes.
 */
export interface Framed<In, Out = In> {
  /**
   * Messages from the peer. It ends when the peer half-closes (after a last
   * message, if the codec allows one there); a decoding error errors it and
   * closes the connection. Cancelling it stops reading the connection.
   */
  readonly readable: ReadableStream<In>;
  /** Messages to the peer; closing it half-closes the connection. */
  readonly writable: WritableStream<Out>;
  /**
   * Stops decoding, ends `readable`, and puts every byte received but not yet
   * decoded back in front of the connection, so the next reader of the
   * connection (raw `read()`, another `frame`, TLS) starts exactly after the
   * last message delivered.
   */
  release(): void;
}

/**
 * Frames `conn` with `codec`: `readable` yields decoded messages, `writable`
 * takes messages to encode. The cores run in the connection's `read()` /
 * `write()` loop, with no stream hop per chunk; `readable.pipeTo(writable)`
 * and `for await` are fused too.
 *
 * Messages are decoded one at a time (the basic cores take a `max` argument
 * for this), so `release()` after any message hands back exactly the bytes
 * that followed it: this is how a protocol switches framing mid-stream.
 *
 * @typeParam In The decoded message type.
 * @typeParam Out The message type the encoder takes.
 *
 * @example A line-echo server, stream style
 * ```ts
 * import { frame, LineCodec } from "@spindle/spindle/protocols/basic";
 * import { connectedPair } from "@spindle/spindle/reactor";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const [client, server] = connectedPair();
 * const lines = frame(server, new LineCodec());
 * const served = lines.readable.pipeTo(lines.writable);
 * await client.write(new TextEncoder().encode("hello\r\n"));
 * await client.closeWrite();
 * assertEquals(await new Response(client.readable).text(), "hello\r\n");
 * await served;
 * await client.close();
 * await server.close();
 * ```
 *
 * @example Switching from lines to raw bytes
 * ```ts
 * import { frame, LineCodec } from "@spindle/spindle/protocols/basic";
 * import { connectedPair } from "@spindle/spindle/reactor";
 * import { assertEquals } from "@spindle/spindle/trial";
 * const [client, server] = connectedPair();
 * await client.write(new TextEncoder().encode("SIZE 3\r\nabc"));
 * const framed = frame(server, new LineCodec());
 * const reader = framed.readable.getReader();
 * assertEquals((await reader.read()).value, "SIZE 3");
 * reader.releaseLock();
 * framed.release();
 * assertEquals(await server.read(), new TextEncoder().encode("abc"));
 * await client.close();
 * await server.close();
 * ```
 */
export function frame<In, Out = In>(
  conn: Connection,
  codec: Codec<In, Out>,
): Framed<In, Out> {
  const source = new FrameSource(conn, codec.createDecoder());
  const encoder: EncoderCore<Out> = codec.createEncoder();
  const readable = new FastReadableStream<In>(source);
  const writable = new FastWritableStream<Out>({
    write: (message) => conn.write(encoder.encode(message)),
    close: () => conn.closeWrite(),
    abort: (reason) => conn.abort(reason),
  });
  return { readable, writable, release: () => source.detach() };
}

/** Decodes a connection's chunks one message at a time. */
class FrameSource<M> implements ChunkSource<M> {
  #conn: Connection;
  #core: DecoderCore<M>;
  // One slot normally; more only for a core that ignores `max`.
  #out: M[] = [];
  #next = 0;
  #done = false;
  #failed = false;
  #error: unknown = undefined;
  #reading = false;
  #detachWhenRead = false;

  constructor(conn: Connection, core: DecoderCore<M>) {
    this.#conn = conn;
    this.#core = core;
  }

  read(): Promise<M | null> {
    if (this.#next < this.#out.length) return Promise.resolve(this.#take());
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#done) return Promise.resolve(null);
    try {
      this.#core.decode(EMPTY_BYTES, this.#out, 1);
    } catch (error) {
      return Promise.reject(this.#fail(error));
    }
    if (this.#out.length > 0) return Promise.resolve(this.#take());
    return this.#fill();
  }

  #take(): M {
    const message = this.#out[this.#next++] as M;
    if (this.#next === this.#out.length) {
      this.#out.length = 0;
      this.#next = 0;
    }
    return message;
  }

  async #fill(): Promise<M | null> {
    const conn = this.#conn;
    const core = this.#core;
    const out = this.#out;
    while (true) {
      let chunk: Uint8Array | null;
      this.#reading = true;
      try {
        chunk = await conn.read();
      } catch (error) {
        this.#failed = true;
        this.#error = error;
        throw error;
      } finally {
        this.#reading = false;
      }
      if (this.#detachWhenRead) {
        if (chunk !== null) conn.unshift(chunk);
        this.#release();
        return null;
      }
      if (this.#done) return null;
      try {
        if (chunk === null) {
          this.#done = true;
          core.end(out);
        } else {
          core.decode(chunk, out, 1);
        }
      } catch (error) {
        throw this.#fail(error);
      }
      if (out.length > 0) return this.#take();
      if (this.#done) return null;
    }
  }

  #fail(error: unknown): unknown {
    this.#failed = true;
    this.#done = true;
    this.#error = error;
    // The peer broke the framing: nothing more from it can be trusted.
    this.#conn.close().catch(() => {});
    return error;
  }

  cancel(reason?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#out.length = 0;
    this.#next = 0;
    this.#conn.readable.cancel(reason).catch(() => {});
  }

  detach(): void {
    if (this.#done) return;
    this.#done = true;
    // A read in flight must land first: its bytes go behind the released ones.
    if (this.#reading) this.#detachWhenRead = true;
    else this.#release();
  }

  #release(): void {
    const rest = this.#core.release();
    if (rest.byteLength > 0) this.#conn.unshift(rest);
  }
}
