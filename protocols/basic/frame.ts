/**
 * `frame(conn, codec)`: a connection as a pair of message streams, decoded and
 * encoded by a codec's cores inside the connection's own read and write calls.
 *
 * @module
 */
import type { Codec, EncoderCore } from "../../reactor/codec.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import {
  FastReadableStream,
  FastWritableStream,
} from "../../reactor/streams.ts";

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
 * The messages are read through a `MessageReader` (see its contract): they
 * are decoded one at a time, so `release()` after any message hands back
 * exactly the bytes that followed it, which is how a protocol switches framing
 * mid-stream. Bytes that break the framing error `readable` with the core's
 * `ProtocolError` (after the messages before them) and close the connection.
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
  const reader = new MessageReader(conn, codec.createDecoder(), {
    // The peer broke the framing: nothing more from it can be trusted.
    onDecodeError: () => void conn.close().catch(() => {}),
    onCancel: (reason) => void conn.readable.cancel(reason).catch(() => {}),
  });
  const encoderCore: EncoderCore<Out> = codec.createEncoder();
  const readable = new FastReadableStream<In>(reader);
  const writable = new FastWritableStream<Out>({
    write: (message) => conn.write(encoderCore.encode(message)),
    close: () => conn.closeWrite(),
    abort: (reason) => conn.abort(reason),
  });
  return { readable, writable, release: () => reader.release() };
}
