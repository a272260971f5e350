// Shared test helpers for the reactor tests.
import {
  type DecoderCore,
  decoderCore,
  type EncoderCore,
  encoderCore,
} from "../../reactor/codec.ts";
import { ProtocolError } from "../../reactor/errors.ts";

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

/** Raised by the test line decoder when a line is over its limit. */
export class TestLineTooLongError extends ProtocolError {}

/** A minimal newline framing core, enough to exercise fusing. */
export class TestLineCore implements DecoderCore<string> {
  #buffer = new Uint8Array(0);
  #maxLength: number;
  constructor(maxLength = 1024) {
    this.#maxLength = maxLength;
  }
  decode(chunk: Uint8Array, out: string[]): void {
    const data = new Uint8Array(this.#buffer.byteLength + chunk.byteLength);
    data.set(this.#buffer);
    data.set(chunk, this.#buffer.byteLength);
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
    this.#buffer = new Uint8Array(0);
  }
  release(): Uint8Array {
    const rest = this.#buffer;
    this.#buffer = new Uint8Array(0);
    return rest;
  }
}

/** A TransformStream that carries a TestLineCore, like the real LineDecoder. */
export class TestLineDecoder extends TransformStream<Uint8Array, string> {
  readonly [decoderCore]: TestLineCore;
  constructor(maxLength = 1024) {
    const core = new TestLineCore(maxLength);
    super({
      transform(chunk, controller) {
        const out: string[] = [];
        core.decode(chunk, out);
        for (const line of out) controller.enqueue(line);
      },
      flush(controller) {
        const out: string[] = [];
        core.end(out);
        for (const line of out) controller.enqueue(line);
      },
    });
    this[decoderCore] = core;
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
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/** Appends a newline to each line. */
export class TestLineEncoderCore implements EncoderCore<string> {
  encode(line: string): Uint8Array {
    return encoder.encode(`${line}\n`);
  }
}

/** A TransformStream that carries a TestLineEncoderCore, like the real LineEncoder. */
export class TestLineEncoder extends TransformStream<string, Uint8Array> {
  readonly [encoderCore]: TestLineEncoderCore;
  constructor() {
    const core = new TestLineEncoderCore();
    super({
      transform(line, controller) {
        controller.enqueue(core.encode(line));
      },
    });
    this[encoderCore] = core;
  }
}

/** The port of a TCP listener's address. */
export function portOf(addr: unknown): number {
  return (addr as Deno.NetAddr).port;
}
