/**
 * The Telnet stream (RFC 854): data with IAC commands, option
 * negotiations and subnegotiations woven in.
 *
 * @module
 */
import type { DecoderCore } from "../../reactor/codec.ts";
import { EMPTY_BYTES } from "../../reactor/bytes.ts";
import { Telnet } from "./constants.ts";
import { InvalidTelnetStreamError } from "./errors.ts";
import { MAX_SUBNEGOTIATION } from "./limits.ts";

/**
 * One piece of a Telnet stream.
 *
 * @example Usage
 * ```ts
 * import type { TelnetEvent } from "@spindle/spindle/protocols/telnet";
 * const event: TelnetEvent = { type: "negotiate", verb: 251, option: 1 };
 * console.assert(event.type === "negotiate");
 * ```
 */
export type TelnetEvent =
  | {
    /** Application data, IAC IAC unescaped, CR NUL made CR. */
    type: "data";
    data: Uint8Array;
  }
  | {
    /** A command such as AYT, IP, EC, EL, GA, NOP. */
    type: "command";
    command: number;
  }
  | {
    /** WILL, WONT, DO or DONT for an option. */
    type: "negotiate";
    verb: number;
    option: number;
  }
  | {
    /** IAC SB option ... IAC SE, unescaped. */
    type: "subnegotiation";
    option: number;
    data: Uint8Array;
  };

const enum State {
  Data,
  Iac,
  Verb,
  SbOption,
  Sb,
  SbIac,
  Cr,
}

/**
 * The decoder core of a Telnet stream: bytes in, {@linkcode TelnetEvent}s
 * out, incrementally (a command may be split anywhere).
 *
 * @example Usage
 * ```ts
 * import { TelnetDecoderCore, type TelnetEvent } from "@spindle/spindle/protocols/telnet";
 * const out: TelnetEvent[] = [];
 * new TelnetDecoderCore().decode(new Uint8Array([104, 255, 251, 1, 105]), out);
 * console.assert(out.length === 3 && out[1]!.type === "negotiate");
 * ```
 */
export class TelnetDecoderCore implements DecoderCore<TelnetEvent> {
  #state = State.Data;
  #verb = 0;
  #option = 0;
  #sb: number[] = [];

  /** Decodes `chunk` into events. */
  decode(chunk: Uint8Array, out: TelnetEvent[]): void {
    let start = 0;
    const data: number[] = [];
    let plain = true; // no byte of the data run needed rewriting
    const flush = (end: number) => {
      if (plain && end > start) {
        out.push({ type: "data", data: chunk.subarray(start, end) });
      } else if (!plain && data.length > 0) {
        out.push({ type: "data", data: new Uint8Array(data) });
      }
      data.length = 0;
      plain = true;
    };
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      switch (this.#state) {
        case State.Data:
          if (byte === Telnet.IAC) {
            flush(i);
            this.#state = State.Iac;
          } else if (byte === 13) {
            if (plain) data.push(...chunk.subarray(start, i));
            plain = false;
            data.push(13);
            this.#state = State.Cr;
          } else if (!plain) data.push(byte);
          continue;
        case State.Cr:
          // CR NUL is a bare CR (RFC 854); CR LF and anything else pass.
          this.#state = State.Data;
          if (byte === 0) {
            if (plain) data.push(...chunk.subarray(start, i));
            plain = false;
            continue;
          }
          i--;
          continue;
        case State.Iac:
          start = i + 1;
          if (byte === Telnet.IAC) {
            plain = false;
            data.push(255);
            this.#state = State.Data;
          } else if (byte >= Telnet.WILL) {
            this.#verb = byte;
            this.#state = State.Verb;
          } else if (byte === Telnet.SB) {
            this.#state = State.SbOption;
          } else if (byte >= Telnet.SE) {
            out.push({ type: "command", command: byte });
            this.#state = State.Data;
          } else {
            throw new InvalidTelnetStreamError(`IAC ${byte} is no command`);
          }
          continue;
        case State.Verb:
          out.push({ type: "negotiate", verb: this.#verb, option: byte });
          this.#state = State.Data;
          start = i + 1;
          continue;
        case State.SbOption:
          this.#option = byte;
          this.#sb = [];
          this.#state = State.Sb;
          continue;
        case State.Sb:
          if (byte === Telnet.IAC) this.#state = State.SbIac;
          else this.#push(byte);
          continue;
        case State.SbIac:
          if (byte === Telnet.SE) {
            out.push({
              type: "subnegotiation",
              option: this.#option,
              data: new Uint8Array(this.#sb),
            });
            this.#state = State.Data;
            start = i + 1;
          } else {
            this.#push(byte);
            this.#state = State.Sb;
          }
          continue;
      }
    }
    if (this.#state === State.Data || this.#state === State.Cr) {
      flush(chunk.length);
    } else {
      flush(start);
    }
  }

  #push(byte: number): void {
    if (this.#sb.length >= MAX_SUBNEGOTIATION) {
      throw new InvalidTelnetStreamError(
        `a subnegotiation ran past ${MAX_SUBNEGOTIATION} bytes`,
      );
    }
    this.#sb.push(byte);
  }

  /** The end of input; a command cut short is dropped. */
  end(_out: TelnetEvent[]): void {}

  /** Nothing is buffered between chunks but the parser's state. */
  release(): Uint8Array {
    return EMPTY_BYTES;
  }
}

/**
 * `data` as Telnet sends it: each IAC doubled, and a LF without its CR as
 * CR LF when `crlf` is true (the network virtual terminal's line end).
 *
 * @example Usage
 * ```ts
 * import { encodeTelnetData } from "@spindle/spindle/protocols/telnet";
 * console.assert(encodeTelnetData(new Uint8Array([255, 1])).length === 3);
 * ```
 */
export function encodeTelnetData(
  data: Uint8Array,
  options: { crlf?: boolean } = {},
): Uint8Array {
  // A LF gets its CR unless it has one already.
  const bare = (i: number) =>
    options.crlf === true && data[i] === 10 && (i === 0 || data[i - 1] !== 13);
  let extra = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 255 || bare(i)) extra++;
  }
  if (extra === 0) return data;
  const out = new Uint8Array(data.length + extra);
  let at = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 255) out[at++] = 255;
    else if (bare(i)) out[at++] = 13;
    out[at++] = data[i]!;
  }
  return out;
}
