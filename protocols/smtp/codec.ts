/**
 * SMTP's cores (ARCHITECTURE.md, "The shape of a protocol folder"): the
 * server's input, which switches between command lines, DATA (with
 * dot-unstuffing) and BDAT chunks, and the client's replies.
 *
 * @module
 */
import type { DecoderCore } from "../../reactor/codec.ts";
import { EMPTY_BYTES } from "../../reactor/bytes.ts";
import { SMTPProtocolError } from "./errors.ts";
import { MAX_LINE_LENGTH, MAX_REPLY_LINES } from "./limits.ts";

/**
 * What the server reads: a command line (CRLF stripped), a line that was too
 * long (skipped), a piece of message data (dot-unstuffed for DATA, verbatim
 * for BDAT), or the end of the message data.
 *
 * @example Usage
 * ```ts
 * import type { SMTPServerInput } from "@spindle/spindle/protocols/smtp";
 * const input: SMTPServerInput = { kind: "command", line: "NOOP" };
 * console.assert(input.kind === "command");
 * ```
 */
export type SMTPServerInput =
  | { readonly kind: "command"; readonly line: string }
  | { readonly kind: "lineTooLong" }
  | { readonly kind: "data"; readonly bytes: Uint8Array }
  | { readonly kind: "end" };

const LINE_TOO_LONG: SMTPServerInput = { kind: "lineTooLong" };
const END: SMTPServerInput = { kind: "end" };
const CR = 13;
const LF = 10;
const DOT = 46;

/**
 * The server's input core. It reads command lines until told
 * {@linkcode SMTPServerCore.startData} (after a `354`: message bytes until the
 * CRLF `.` CRLF, dot-unstuffed) or {@linkcode SMTPServerCore.startChunk}
 * (after `BDAT n`: exactly `n` bytes), then goes back to lines. Only CRLF
 * ends a line of data: a bare LF followed by a dot is data, so a message
 * cannot smuggle an end of data past a server that reads lines otherwise
 * (the SMTP smuggling class, CVE-2023-51766).
 *
 * @example Dot-unstuffing a message
 * ```ts
 * import { SMTPServerCore, type SMTPServerInput } from "@spindle/spindle/protocols/smtp";
 * const core = new SMTPServerCore();
 * core.startData();
 * const out: SMTPServerInput[] = [];
 * core.decode(new TextEncoder().encode("a\r\n..b\r\n.\r\nQUIT\r\n"), out);
 * const text = out.map((m) => m.kind === "data" ? new TextDecoder().decode(m.bytes) : `<${m.kind}>`);
 * console.assert(text.join("|") === "a\r\n|.b\r\n|<end>|<command>");
 * ```
 */
export class SMTPServerCore implements DecoderCore<SMTPServerInput> {
  #buf: Uint8Array = EMPTY_BYTES;
  #pos = 0;
  #mode: "command" | "discard" | "data" | "chunk" = "command";
  // DATA: at the start of a line (after CRLF); the last byte given out was CR.
  #lineStart = true;
  #prevCR = false;
  #remaining = 0;
  #maxLine: number;
  #text = new TextDecoder();

  /** A core for command lines of at most `maxLineLength` bytes, CRLF included. */
  constructor(maxLineLength: number = MAX_LINE_LENGTH) {
    this.#maxLine = maxLineLength;
  }

  /** Reads message data next, up to the CRLF `.` CRLF that ends it. */
  startData(): void {
    this.#mode = "data";
    this.#lineStart = true;
    this.#prevCR = false;
  }

  /** Reads a BDAT chunk of `size` bytes next (then an `end`). */
  startChunk(size: number): void {
    this.#mode = "chunk";
    this.#remaining = size;
  }

  /** Decodes what `chunk` completes; see {@linkcode SMTPServerInput}. */
  decode(chunk: Uint8Array, out: SMTPServerInput[], max = Infinity): void {
    if (chunk.length > 0) {
      if (this.#pos >= this.#buf.length) {
        this.#buf = chunk;
      } else {
        const rest = this.#buf.subarray(this.#pos);
        const joined = new Uint8Array(rest.length + chunk.length);
        joined.set(rest);
        joined.set(chunk, rest.length);
        this.#buf = joined;
      }
      this.#pos = 0;
    }
    for (let n = 0; n < max && this.#step(out); n++);
  }

  /** Nothing to add at the end of input: the server sees the end itself. */
  end(_out: SMTPServerInput[]): void {}

  /** The bytes not decoded yet (dropped after STARTTLS). */
  release(): Uint8Array {
    const rest = this.#buf.subarray(this.#pos);
    this.#buf = EMPTY_BYTES;
    this.#pos = 0;
    return rest;
  }

  #step(out: SMTPServerInput[]): boolean {
    switch (this.#mode) {
      case "command":
        return this.#command(out);
      case "discard": {
        const lf = this.#buf.indexOf(LF, this.#pos);
        if (lf < 0) {
          this.#pos = this.#buf.length;
          return false;
        }
        this.#pos = lf + 1;
        this.#mode = "command";
        return this.#command(out);
      }
      case "data":
        return this.#data(out);
      case "chunk":
        return this.#chunk(out);
    }
  }

  #command(out: SMTPServerInput[]): boolean {
    const buf = this.#buf;
    const pos = this.#pos;
    const lf = buf.indexOf(LF, pos);
    if (lf < 0) {
      if (buf.length - pos <= this.#maxLine) return false;
      this.#pos = buf.length;
      this.#mode = "discard";
      out.push(LINE_TOO_LONG);
      return true;
    }
    this.#pos = lf + 1;
    if (lf + 1 - pos > this.#maxLine) {
      out.push(LINE_TOO_LONG);
      return true;
    }
    const end = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    out.push({
      kind: "command",
      line: this.#text.decode(buf.subarray(pos, end)),
    });
    return true;
  }

  #data(out: SMTPServerInput[]): boolean {
    const buf = this.#buf;
    const len = buf.length;
    let pos = this.#pos;
    if (pos >= len) return false;
    if (this.#lineStart && buf[pos] === DOT) {
      if (pos + 1 >= len) return false;
      if (buf[pos + 1] === CR) {
        if (pos + 2 >= len) return false;
        if (buf[pos + 2] === LF) {
          this.#pos = pos + 3;
          this.#mode = "command";
          out.push(END);
          return true;
        }
      }
      // A stuffed dot (RFC 5321 §4.5.2): dropped.
      pos++;
      this.#lineStart = false;
      this.#prevCR = false;
      if (pos >= len) {
        this.#pos = pos;
        return false;
      }
    }
    // Give out everything up to a CRLF followed by a dot (or by the end of
    // what is here, where a dot may come next).
    let end = len;
    this.#lineStart = false;
    for (let from = pos;;) {
      const lf = buf.indexOf(LF, from);
      if (lf < 0) break;
      const crlf = lf > pos ? buf[lf - 1] === CR : this.#prevCR;
      if (crlf && (lf + 1 >= len || buf[lf + 1] === DOT)) {
        end = lf + 1;
        this.#lineStart = true;
        break;
      }
      from = lf + 1;
    }
    this.#prevCR = buf[end - 1] === CR;
    this.#pos = end;
    out.push({ kind: "data", bytes: buf.subarray(pos, end) });
    return true;
  }

  #chunk(out: SMTPServerInput[]): boolean {
    if (this.#remaining === 0) {
      this.#mode = "command";
      out.push(END);
      return true;
    }
    const available = this.#buf.length - this.#pos;
    if (available === 0) return false;
    const take = Math.min(available, this.#remaining);
    out.push({
      kind: "data",
      bytes: this.#buf.subarray(this.#pos, this.#pos + take),
    });
    this.#pos += take;
    this.#remaining -= take;
    return true;
  }
}

/**
 * A reply from an SMTP server: its code, the enhanced status code of its
 * first line (`""` when it has none) and its text lines (code and enhanced
 * code stripped).
 *
 * @example Usage
 * ```ts
 * import type { SMTPReply } from "@spindle/spindle/protocols/smtp";
 * const reply: SMTPReply = { code: 250, enhancedCode: "2.0.0", lines: ["Ok"] };
 * console.assert(reply.lines[0] === "Ok");
 * ```
 */
export interface SMTPReply {
  /** The three-digit code. */
  readonly code: number;
  /** The enhanced status code (RFC 2034), or `""`. */
  readonly enhancedCode: string;
  /** The text of each line. */
  readonly lines: readonly string[];
}

const REPLY_LINE = /^([2-5][0-9][0-9])(?:([ -])(.*))?$/s;
const ENHANCED = /^([245]\.[0-9]{1,3}\.[0-9]{1,3}) ?/;

/**
 * The client's core: reply lines in, whole (multi-line) replies out. Fails
 * with {@linkcode SMTPProtocolError} on a line that is no reply line, a
 * continuation with another code, a line over `MAX_LINE_LENGTH` or a reply
 * over `MAX_REPLY_LINES` lines.
 *
 * @example Usage
 * ```ts
 * import { SMTPReplyCore, type SMTPReply } from "@spindle/spindle/protocols/smtp";
 * const out: SMTPReply[] = [];
 * new SMTPReplyCore().decode(new TextEncoder().encode("250-mx\r\n250 SIZE 10\r\n"), out);
 * console.assert(out[0]?.lines.length === 2);
 * ```
 */
export class SMTPReplyCore implements DecoderCore<SMTPReply> {
  #lines = new SMTPServerCore(MAX_LINE_LENGTH);
  #pending: string[] = [];
  #code = 0;
  #enhanced = "";
  #inputs: SMTPServerInput[] = [];

  /** Decodes the replies `chunk` completes. */
  decode(chunk: Uint8Array, out: SMTPReply[], max = Infinity): void {
    let produced = 0;
    let first = true;
    while (produced < max) {
      const inputs = this.#inputs;
      inputs.length = 0;
      this.#lines.decode(first ? chunk : EMPTY_BYTES, inputs, 1);
      first = false;
      const input = inputs[0];
      if (input === undefined) return;
      if (input.kind !== "command") {
        throw new SMTPProtocolError(
          `the server sent a reply line over ${MAX_LINE_LENGTH} bytes: it is not a working SMTP server`,
        );
      }
      const match = REPLY_LINE.exec(input.line);
      const code = Number(match?.[1]);
      if (match === null || (this.#pending.length > 0 && code !== this.#code)) {
        throw new SMTPProtocolError(
          `the server sent ${
            JSON.stringify(input.line.slice(0, 80))
          }, which is not an SMTP reply line: it is not an SMTP server, or a broken one`,
        );
      }
      let text = match[3] ?? "";
      const enhanced = ENHANCED.exec(text);
      if (enhanced !== null && enhanced[1]![0] === match[1]![0]) {
        if (this.#pending.length === 0) this.#enhanced = enhanced[1]!;
        text = text.slice(enhanced[0].length);
      }
      this.#code = code;
      this.#pending.push(text);
      if (this.#pending.length > MAX_REPLY_LINES) {
        throw new SMTPProtocolError(
          `the server sent a reply of over ${MAX_REPLY_LINES} lines: it is not a working SMTP server`,
        );
      }
      if (match[2] !== "-") {
        out.push({ code, enhancedCode: this.#enhanced, lines: this.#pending });
        this.#pending = [];
        this.#enhanced = "";
        produced++;
      }
    }
  }

  /** Fails when the input ended inside a multi-line reply. */
  end(_out: SMTPReply[]): void {
    if (this.#pending.length > 0) {
      throw new SMTPProtocolError(
        "the server closed the connection in the middle of a reply",
      );
    }
  }

  /** The bytes not decoded yet. */
  release(): Uint8Array {
    return this.#lines.release();
  }
}
