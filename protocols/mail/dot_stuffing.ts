/**
 * {@linkcode DotStuffer}: the dot-stuffing of SMTP's DATA (RFC 5321 §4.5.2)
 * and POP3's multi-line replies (RFC 1939 §3), which end with a line holding
 * one dot.
 *
 * @module
 */

const DOT = 46;
const LF = 10;
const END_AT_LINE_START = new TextEncoder().encode(".\r\n");
const END_MID_LINE = new TextEncoder().encode("\r\n.\r\n");

/**
 * Doubles each dot that starts a line, across chunks, and ends the text with
 * the lone-dot line (after a CRLF of its own if the text did not end with a
 * line end). The bytes are otherwise sent as they are.
 *
 * @example Usage
 * ```ts
 * import { DotStuffer } from "@spindle/spindle/protocols/mail";
 * const stuffer = new DotStuffer();
 * const text = new TextDecoder();
 * const out = text.decode(stuffer.stuff(new TextEncoder().encode(".a\r\nb\r\n"))) +
 *   text.decode(stuffer.end());
 * console.assert(out === "..a\r\nb\r\n.\r\n");
 * ```
 */
export class DotStuffer {
  #lineStart = true;

  /** `chunk` with each dot at a line start doubled. */
  stuff(chunk: Uint8Array): Uint8Array {
    let dots = 0;
    for (let i = chunk.indexOf(DOT); i >= 0; i = chunk.indexOf(DOT, i + 1)) {
      if (i === 0 ? this.#lineStart : chunk[i - 1] === LF) dots++;
    }
    let out = chunk;
    if (dots > 0) {
      out = new Uint8Array(chunk.length + dots);
      let o = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i]!;
        if (c === DOT && (i === 0 ? this.#lineStart : chunk[i - 1] === LF)) {
          out[o++] = DOT;
        }
        out[o++] = c;
      }
    }
    if (chunk.length > 0) this.#lineStart = chunk[chunk.length - 1] === LF;
    return out;
  }

  /** The terminating `.` line (with a CRLF before it when the text needs one). */
  end(): Uint8Array {
    return this.#lineStart ? END_AT_LINE_START : END_MID_LINE;
  }
}
