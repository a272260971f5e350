/**
 * IMAP's grammar, both ways: {@linkcode IMAPFrameDecoderCore} cuts the bytes
 * of a connection into commands (or responses), each a line with its
 * literals, and {@linkcode parseIMAPTokens} reads one into atoms, strings and
 * lists; {@linkcode imapString} writes a string back.
 *
 * @module
 */
import { concatBytes, EMPTY_BYTES } from "../../reactor/bytes.ts";
import type { DecoderCore } from "../../reactor/codec.ts";
import { IMAPLiteralTooLargeError, IMAPParseError } from "./errors.ts";
import {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_LINE_LENGTH,
  DEFAULT_MAX_LITERAL_SIZE,
  type IMAPLimits,
} from "./limits.ts";

/**
 * One unit of IMAP's framing, as {@linkcode IMAPFrameDecoderCore} cuts it:
 *
 * - `line`: a whole command or response, its text parts and literals in
 *   order (a literal always follows the text part whose `{N}` announced it);
 * - `continue`: a synchronising literal of `size` bytes was announced; a
 *   server now sends its continuation request (`+ ...`), and the literal
 *   follows;
 * - `refused`: a synchronising literal over `maxLiteralSize` was announced;
 *   its command (`text`, up to the literal) is dropped, and the client,
 *   which waits for a continuation that never comes, gets a tagged NO;
 * - `literal` and `chunk`, only while
 *   {@linkcode IMAPFrameDecoderCore.streamLiterals} is set: a literal of
 *   `size` bytes begins after `parts` (its line so far), and its bytes
 *   follow as `chunk` frames (`last` on the final one; none for an empty
 *   literal), each a view valid until the next `decode` call. The line's
 *   `line` frame then holds an empty literal in its place.
 *
 * @example Usage
 * ```ts
 * import type { IMAPFrame } from "@spindle/spindle/protocols/imap";
 * const frame: IMAPFrame = { kind: "line", parts: ["a1 NOOP"] };
 * console.assert(frame.kind === "line");
 * ```
 */
export type IMAPFrame =
  | { kind: "line"; parts: (string | Uint8Array)[] }
  | { kind: "continue"; size: number }
  | { kind: "refused"; text: string; size: number }
  | { kind: "literal"; parts: (string | Uint8Array)[]; size: number }
  | { kind: "chunk"; bytes: Uint8Array; last: boolean };

/**
 * Options of {@linkcode IMAPFrameDecoderCore}.
 *
 * @example Usage
 * ```ts
 * import type { IMAPFrameDecoderOptions } from "@spindle/spindle/protocols/imap";
 * const options: IMAPFrameDecoderOptions = { server: true, maxLiteralSize: 1 << 20 };
 * console.assert(options.server);
 * ```
 */
export interface IMAPFrameDecoderOptions extends IMAPLimits {
  /**
   * Whether it reads a client's commands (true: synchronising literals are
   * announced with `continue` frames and refused when too large) or a
   * server's responses (false, the default: a literal over the limit throws).
   */
  server?: boolean;
}

const LF = 10;
const CR = 13;
// A literal's announcement at the end of a line: {N}, {N+} (LITERAL+) or
// ~{N} (BINARY's literal8).
const LITERAL = /~?\{(\d{1,19})(\+?)\}$/;
const utf8 = new TextDecoder();

/**
 * Cuts IMAP bytes into frames (see {@linkcode IMAPFrame}): lines with their
 * literals, incrementally. Lines are limited to `maxLineLength` bytes
 * (literals not counted, all the lines of one command together) and
 * literals to `maxLiteralSize`; a literal over it is refused before any of
 * it is read. Text is read as UTF-8 (IMAP4rev2, RFC 9051 §4.3).
 *
 * @example A command with a synchronising literal
 * ```ts
 * import { IMAPFrameDecoderCore, type IMAPFrame } from "@spindle/spindle/protocols/imap";
 * const core = new IMAPFrameDecoderCore({ server: true });
 * const out: IMAPFrame[] = [];
 * core.decode(new TextEncoder().encode("a1 LOGIN {5}\r\n"), out);
 * console.assert(out[0]?.kind === "continue");
 * core.decode(new TextEncoder().encode("alice pw\r\n"), out);
 * console.assert(out[1]?.kind === "line");
 * ```
 */
export class IMAPFrameDecoderCore implements DecoderCore<IMAPFrame> {
  readonly #server: boolean;
  readonly #maxLine: number;
  readonly #maxLiteral: number;
  #pending: Uint8Array = EMPTY_BYTES;
  #parts: (string | Uint8Array)[] = [];
  #textLength = 0;
  #literal: Uint8Array | null = null;
  #filled = 0;
  // The bytes left of a literal handed out as chunks, or -1.
  #streaming = -1;

  /**
   * Whether literals announced from now on are handed out as they arrive
   * (`literal`, then `chunk` frames) rather than whole in their line: a
   * client sets it while a command that streams bodies is in flight.
   */
  streamLiterals = false;

  /** A core with the limits of `options`. */
  constructor(options: IMAPFrameDecoderOptions = {}) {
    this.#server = options.server ?? false;
    this.#maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.#maxLiteral = options.maxLiteralSize ?? DEFAULT_MAX_LITERAL_SIZE;
  }

  /** Decodes the frames `chunk` completes; see {@linkcode DecoderCore.decode}. */
  decode(chunk: Uint8Array, out: IMAPFrame[], max = Infinity): void {
    let buf = this.#pending.length === 0
      ? chunk
      : concatBytes(this.#pending, chunk);
    let pos = 0;
    let produced = 0;
    while (pos < buf.length && produced < max) {
      if (this.#streaming >= 0) {
        const n = Math.min(this.#streaming, buf.length - pos);
        this.#streaming -= n;
        const last = this.#streaming === 0;
        if (last) this.#streaming = -1;
        out.push({ kind: "chunk", bytes: buf.subarray(pos, pos + n), last });
        pos += n;
        produced++;
        continue;
      }
      const literal = this.#literal;
      if (literal !== null) {
        const n = Math.min(literal.length - this.#filled, buf.length - pos);
        literal.set(buf.subarray(pos, pos + n), this.#filled);
        this.#filled += n;
        pos += n;
        if (this.#filled === literal.length) {
          this.#parts.push(literal);
          this.#literal = null;
        }
        continue;
      }
      const lf = buf.indexOf(LF, pos);
      if (lf < 0) break;
      const end = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
      this.#textLength += end - pos;
      if (this.#textLength > this.#maxLine) this.#lineTooLong();
      const text = utf8.decode(buf.subarray(pos, end));
      pos = lf + 1;
      const match = LITERAL.exec(text);
      if (match === null) {
        this.#parts.push(text);
        out.push({ kind: "line", parts: this.#parts });
        this.#reset();
        produced++;
        continue;
      }
      const size = Number(match[1]);
      const sync = match[2] === "";
      const before = text.slice(0, match.index);
      if (size > this.#maxLiteral) {
        if (!this.#server || !sync) {
          throw new IMAPLiteralTooLargeError(size, this.#maxLiteral);
        }
        const parts = [...this.#parts, before];
        out.push({
          kind: "refused",
          text: parts.filter((p) => typeof p === "string").join(""),
          size,
        });
        this.#reset();
        produced++;
        continue;
      }
      this.#parts.push(before);
      if (this.streamLiterals) {
        out.push({ kind: "literal", parts: [...this.#parts], size });
        produced++;
        this.#parts.push(EMPTY_BYTES);
        if (size > 0) this.#streaming = size;
        continue;
      }
      this.#literal = new Uint8Array(size);
      this.#filled = 0;
      if (size === 0) {
        this.#parts.push(this.#literal);
        this.#literal = null;
      }
      if (sync && this.#server) {
        out.push({ kind: "continue", size });
        produced++;
      }
    }
    const rest = buf.subarray(pos);
    if (
      this.#literal === null && this.#streaming < 0 &&
      this.#textLength + rest.length > this.#maxLine
    ) {
      this.#lineTooLong();
    }
    // Keep a copy: the caller may reuse the chunk's memory.
    this.#pending = rest.length === 0 ? EMPTY_BYTES : rest.slice();
    buf = EMPTY_BYTES;
  }

  /** Throws when the input ended inside a line or literal. */
  end(_out: IMAPFrame[]): void {
    if (
      this.#pending.length > 0 || this.#parts.length > 0 || this.#literal ||
      this.#streaming >= 0
    ) {
      throw new IMAPParseError(
        "the connection ended in the middle of an IMAP command or response: the peer stopped sending",
      );
    }
  }

  /** Hands back the bytes not decoded yet (at STARTTLS: the server drops them). */
  release(): Uint8Array {
    const rest = this.#pending;
    this.#pending = EMPTY_BYTES;
    this.#reset();
    return rest;
  }

  #reset(): void {
    this.#parts = [];
    this.#textLength = 0;
    this.#literal = null;
    this.#streaming = -1;
  }

  #lineTooLong(): never {
    throw new IMAPParseError(
      `an IMAP line is longer than ${this.#maxLine} bytes (maxLineLength): send shorter commands, or raise the limit`,
    );
  }
}

/**
 * One item of an IMAP command or response: an atom (`NIL`, `\Seen`,
 * `BODY[HEADER]<0.100>`, a number or sequence set), a quoted string, a
 * literal (its bytes), or a parenthesised list.
 *
 * @example Usage
 * ```ts
 * import type { IMAPToken } from "@spindle/spindle/protocols/imap";
 * const flags: IMAPToken = { type: "list", items: [{ type: "atom", value: "\\Seen" }] };
 * console.assert(flags.type === "list");
 * ```
 */
export type IMAPToken =
  | { type: "atom"; value: string }
  | { type: "string"; value: string }
  | { type: "literal"; bytes: Uint8Array }
  | { type: "list"; items: IMAPToken[] };

/**
 * Reads the parts of one `line` frame into tokens, under the depth and item
 * limits of `limits`. An atom that holds `[` runs to its `]`, spaces and
 * parentheses included, as in `BODY[HEADER.FIELDS (FROM TO)]<0.512>`.
 * Throws {@linkcode IMAPParseError} on a string or list left open, a `)`
 * too many, or a limit broken.
 *
 * @example Usage
 * ```ts
 * import { parseIMAPTokens } from "@spindle/spindle/protocols/imap";
 * const tokens = parseIMAPTokens(["a1 FETCH 1:* (FLAGS BODY[HEADER.FIELDS (FROM)])"]);
 * console.assert(tokens.length === 4 && tokens[3]?.type === "list");
 * ```
 */
export function parseIMAPTokens(
  parts: readonly (string | Uint8Array)[],
  limits: IMAPLimits = {},
): IMAPToken[] {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxItems = limits.maxItems ?? DEFAULT_MAX_ITEMS;
  const top: IMAPToken[] = [];
  const stack: IMAPToken[][] = [top];
  let items = 0;
  const add = (token: IMAPToken) => {
    if (++items > maxItems) {
      throw new IMAPParseError(
        `an IMAP command or response has more than ${maxItems} items (maxItems): send fewer`,
      );
    }
    stack[stack.length - 1]!.push(token);
  };
  for (const part of parts) {
    if (typeof part !== "string") {
      add({ type: "literal", bytes: part });
      continue;
    }
    let i = 0;
    const n = part.length;
    while (i < n) {
      const c = part.charCodeAt(i);
      if (c === 0x20) {
        i++;
      } else if (c === 0x28) { // (
        if (stack.length > maxDepth) {
          throw new IMAPParseError(
            `IMAP lists are nested deeper than ${maxDepth} (maxDepth): nest less`,
          );
        }
        const list: IMAPToken[] = [];
        add({ type: "list", items: list });
        stack.push(list);
        i++;
      } else if (c === 0x29) { // )
        if (stack.length === 1) {
          throw new IMAPParseError(
            "an IMAP line closes a list it never opened (a ')' too many): fix the parentheses",
          );
        }
        stack.pop();
        i++;
      } else if (c === 0x22) { // "
        let value = "";
        let j = i + 1;
        for (;;) {
          if (j >= n) {
            throw new IMAPParseError(
              "an IMAP quoted string is not closed: end it with '\"'",
            );
          }
          const d = part[j]!;
          if (d === '"') break;
          if (d === "\\") {
            const next = part[j + 1];
            if (next !== '"' && next !== "\\") {
              throw new IMAPParseError(
                "an IMAP quoted string escapes something other than '\"' or '\\': use a literal for such text",
              );
            }
            value += next;
            j += 2;
          } else {
            value += d;
            j++;
          }
        }
        add({ type: "string", value });
        i = j + 1;
      } else {
        let j = i;
        while (j < n) {
          const d = part.charCodeAt(j);
          if (d === 0x5b) { // [ runs to its ]
            const close = part.indexOf("]", j);
            if (close < 0) {
              throw new IMAPParseError(
                "an IMAP atom opens '[' and never closes it: end it with ']'",
              );
            }
            j = close + 1;
            continue;
          }
          if (d === 0x20 || d === 0x28 || d === 0x29 || d === 0x22) break;
          if (d < 0x20 || d === 0x7f) {
            throw new IMAPParseError(
              "an IMAP line holds a control character outside a literal: send such bytes in a literal",
            );
          }
          j++;
        }
        add({ type: "atom", value: part.slice(i, j) });
        i = j;
      }
    }
  }
  if (stack.length !== 1) {
    throw new IMAPParseError(
      "an IMAP line leaves a list open (a '(' without its ')'): close it",
    );
  }
  return top;
}

/**
 * `value` as an IMAP string: quoted when it can be (no CR, LF or NUL, under
 * 1000 characters), a literal otherwise. `null` is `NIL`.
 *
 * @example Usage
 * ```ts
 * import { imapString } from "@spindle/spindle/protocols/imap";
 * console.assert(imapString('say "hi"') === '"say \\"hi\\""');
 * console.assert(imapString("two\r\nlines") === "{10}\r\ntwo\r\nlines");
 * console.assert(imapString(null) === "NIL");
 * ```
 */
export function imapString(value: string | null): string {
  if (value === null) return "NIL";
  if (value.length < 1000 && !/[\r\n\0]/.test(value)) {
    return `"${value.replace(/["\\]/g, "\\$&")}"`;
  }
  return `{${new TextEncoder().encode(value).length}}\r\n${value}`;
}
