// Shared test helpers for the reactor tests.
import { concatBytes, concatChunks, EMPTY_BYTES } from "../../reactor/bytes.ts";
import type { DecoderCore, EncoderCore } from "../../reactor/codec.ts";
import { DecoderStream } from "../../reactor/decoder_stream.ts";
import { EncoderStream } from "../../reactor/encoder_stream.ts";
import { ProtocolError } from "../../reactor/errors.ts";
import type { Reactor } from "../../reactor/interfaces.ts";

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

/** Raised by the test line decoder when a line is over its limit. */
export class TestLineTooLongError extends ProtocolError {}

/** A minimal newline framing core, enough to exercise fusing. */
export class TestLineCore implements DecoderCore<string> {
  #buffer: Uint8Array = EMPTY_BYTES;
  #maxLength: number;
  constructor(maxLength = 1024) {
    this.#maxLength = maxLength;
  }
  decode(chunk: Uint8Array, out: string[]): void {
    const data = concatBytes(this.#buffer, chunk);
    let start = 0;
    for (let i = 0; i < data.byteLength; i++) {
      if (data[i] === 10) {
        out.push(decoder.decode(data.subarray(start, i)));
        start = i + 1;
      }
    }
    this.#buffer = data.slice(start);
    if (this.#buffer.byteLength > this.#maxLength) {
      throw new TestLineTooLongError("line too long");
    }
  }
  end(out: string[]): void {
    if (this.#buffer.byteLength > 0) out.push(decoder.decode(this.#buffer));
    this.#buffer = EMPTY_BYTES;
  }
  release(): Uint8Array {
    const rest = this.#buffer;
    this.#buffer = EMPTY_BYTES;
    return rest;
  }
}

/** A decoder stream over a TestLineCore, like the real LineDecoder. */
export class TestLineDecoder extends DecoderStream<string> {
  constructor(maxLength = 1024) {
    super(new TestLineCore(maxLength));
  }
}

/** Reads everything until end of input and returns it as one array. */
export async function readAll(
  read: () => Promise<Uint8Array | null>,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const chunk = await read();
    if (chunk === null) break;
    chunks.push(chunk.slice());
    total += chunk.byteLength;
  }
  return concatChunks(chunks, total);
}

/** Appends a newline to each line. */
export class TestLineEncoderCore implements EncoderCore<string> {
  encode(line: string): Uint8Array {
    return encoder.encode(`${line}\n`);
  }
}

/** An encoder stream over a TestLineEncoderCore, like the real LineEncoder. */
export class TestLineEncoder extends EncoderStream<string> {
  constructor() {
    super(new TestLineEncoderCore());
  }
}

/** The port of a TCP listener's address. */
export function portOf(addr: unknown): number {
  return (addr as Deno.NetAddr).port;
}

/**
 * `reactor` cut down to TCP and the clock: no Unix sockets, TLS or UDP, for
 * the errors of endpoint kinds that need more.
 */
export function tcpOnlyReactor(reactor: Reactor): Reactor {
  return {
    listenTCP: reactor.listenTCP.bind(reactor),
    connectTCP: reactor.connectTCP.bind(reactor),
    seconds: () => 0,
    now: () => 0,
    callLater: reactor.callLater.bind(reactor),
    getDelayedCalls: () => [],
  };
}
