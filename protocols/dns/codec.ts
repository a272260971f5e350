/**
 * DNS over TCP's framing (RFC 1035 §4.2.2, RFC 7766 §8): each message behind
 * its 16-bit length. The cores turn a byte stream into decoded messages and
 * back, and {@linkcode DNSTCPDecoder} / {@linkcode DNSTCPEncoder} are their
 * streams. The server reads raw frames instead, so its answer cache sees
 * the query's bytes.
 *
 * @module
 */
import type { Codec, DecoderCore, EncoderCore } from "../../reactor/codec.ts";
import { DecoderStream } from "../../reactor/decoder_stream.ts";
import { EncoderStream } from "../../reactor/encoder_stream.ts";
import { LengthPrefixedDecoderCore } from "../basic/length_prefixed.ts";
import { TCP_FRAMING } from "./_tcp_framing.ts";
import type { DNSMessage } from "./message.ts";
import { decodeMessage, type DecodeOptions, encodeMessage } from "./wire.ts";

/**
 * Bytes of DNS over TCP in, decoded messages out. Throws `DNSFormatError`
 * for a malformed message (a 2-byte prefix cannot announce one over the
 * limit).
 *
 * @example Usage
 * ```ts
 * import {
 *   createMessage, type DNSMessage, DNSTCPDecoderCore, encodeMessage,
 * } from "@spindle/spindle/protocols/dns";
 * const bytes = encodeMessage(createMessage({ id: 7 }), { lengthPrefix: true });
 * const out: DNSMessage[] = [];
 * const core = new DNSTCPDecoderCore();
 * core.decode(bytes.subarray(0, 5), out);
 * core.decode(bytes.subarray(5), out);
 * console.assert(out.length === 1 && out[0]!.id === 7);
 * ```
 */
export class DNSTCPDecoderCore implements DecoderCore<DNSMessage> {
  #frames = new LengthPrefixedDecoderCore(TCP_FRAMING);
  #pending: Uint8Array[] = [];
  #options: DecodeOptions;

  /** A core decoding with `options`; a message over TCP is never truncated, so `allowTruncated` defaults to `false`. */
  constructor(options: DecodeOptions = {}) {
    this.#options = { allowTruncated: false, ...options };
  }

  /** Appends the messages `chunk` completes to `out` (at most `max`). */
  decode(chunk: Uint8Array, out: DNSMessage[], max?: number): void {
    const frames = this.#pending;
    this.#frames.decode(chunk, frames, max);
    this.#hand(out);
  }

  /** Throws when the input ended inside a message. */
  end(out: DNSMessage[]): void {
    this.#frames.end(this.#pending);
    this.#hand(out);
  }

  /** The bytes not yet decoded. */
  release(): Uint8Array {
    return this.#frames.release();
  }

  #hand(out: DNSMessage[]): void {
    const frames = this.#pending;
    try {
      for (const frame of frames) out.push(decodeMessage(frame, this.#options));
    } finally {
      frames.length = 0;
    }
  }
}

/**
 * Messages in, DNS over TCP's bytes out (the length prefix written in place,
 * without a copy).
 *
 * @example Usage
 * ```ts
 * import { createMessage, DNSTCPEncoderCore } from "@spindle/spindle/protocols/dns";
 * const bytes = new DNSTCPEncoderCore().encode(createMessage());
 * console.assert(bytes[0] === 0 && bytes[1] === 12);
 * ```
 */
export class DNSTCPEncoderCore implements EncoderCore<DNSMessage> {
  /** The message with its 2-byte length in front; throws `DNSFormatError` when it cannot be encoded. */
  encode(message: DNSMessage): Uint8Array {
    return encodeMessage(message, { lengthPrefix: true });
  }
}

/**
 * DNS over TCP as a framing: fresh cores for each connection.
 *
 * @example Usage
 * ```ts
 * import { createMessage, type DNSMessage, DNSTCPCodec } from "@spindle/spindle/protocols/dns";
 * const codec = new DNSTCPCodec();
 * const out: DNSMessage[] = [];
 * codec.createDecoder().decode(codec.createEncoder().encode(createMessage({ id: 3 })), out);
 * console.assert(out[0]?.id === 3);
 * ```
 */
export class DNSTCPCodec implements Codec<DNSMessage> {
  #options: DecodeOptions;

  /** A codec whose decoders use `options`. */
  constructor(options: DecodeOptions = {}) {
    this.#options = options;
  }

  /** A new decoder core. */
  createDecoder(): DNSTCPDecoderCore {
    return new DNSTCPDecoderCore(this.#options);
  }

  /** A new encoder core. */
  createEncoder(): DNSTCPEncoderCore {
    return new DNSTCPEncoderCore();
  }
}

/**
 * DNS over TCP's bytes in, decoded messages out, as a stream: give it to a
 * connection's `pipeThrough`.
 *
 * @example Usage
 * ```ts
 * import { createMessage, DNSTCPDecoder, encodeMessage } from "@spindle/spindle/protocols/dns";
 * const bytes = ReadableStream.from([encodeMessage(createMessage({ id: 9 }), { lengthPrefix: true })]);
 * const [message] = await Array.fromAsync(bytes.pipeThrough(new DNSTCPDecoder()));
 * console.assert(message?.id === 9);
 * ```
 */
export class DNSTCPDecoder extends DecoderStream<DNSMessage> {
  /** A decoder whose core decodes with `options`. */
  constructor(options: DecodeOptions = {}) {
    super(new DNSTCPDecoderCore(options));
  }
}

/**
 * Messages in, DNS over TCP's bytes out, as a stream.
 *
 * @example Usage
 * ```ts
 * import { createMessage, DNSTCPEncoder } from "@spindle/spindle/protocols/dns";
 * const messages = ReadableStream.from([createMessage({ id: 9 })]);
 * const bytes = await new Response(messages.pipeThrough(new DNSTCPEncoder())).bytes();
 * console.assert(bytes.length === 14 && bytes[3] === 9);
 * ```
 */
export class DNSTCPEncoder extends EncoderStream<DNSMessage> {
  /** An encoder. */
  constructor() {
    super(new DNSTCPEncoderCore());
  }
}
