/**
 * CTCP, the Client-To-Client Protocol inside PRIVMSG and NOTICE texts:
 * `\x01TAG data\x01` pieces, with the quoting of the old CTCP specification
 * that Twisted's `twisted.words.protocols.irc` implements (the X-level
 * quoting inside a piece, and the low-level quoting of a whole line).
 *
 * @module
 */
import { CTCP_DELIMITER } from "./constants.ts";

/**
 * One CTCP request or reply: `ACTION waves`, `VERSION`, `PING 123`.
 *
 * @example Usage
 * ```ts
 * import type { CTCPMessage } from "@spindle/spindle/protocols/irc";
 * const action: CTCPMessage = { tag: "ACTION", data: "waves" };
 * console.assert(action.tag === "ACTION");
 * ```
 */
export interface CTCPMessage {
  /** The request, upper-case by custom: `ACTION`, `VERSION`, `PING`, `TIME`, `CLIENTINFO`. */
  tag: string;
  /** What follows the tag, `""` for none. */
  data: string;
}

/**
 * A text split into its plain parts and its CTCP pieces.
 *
 * @example Usage
 * ```ts
 * import { ctcpExtract, type CTCPExtracted } from "@spindle/spindle/protocols/irc";
 * const parts: CTCPExtracted = ctcpExtract("\x01ACTION waves\x01");
 * console.assert(parts.normal.length === 0);
 * ```
 */
export interface CTCPExtracted {
  /** The text outside CTCP pieces, each non-empty run of it. */
  normal: string[];
  /** The CTCP pieces, in order. */
  extended: CTCPMessage[];
}

const X_QUOTE = "\\";

/**
 * The low-level quoting of CTCP: NUL, LF, CR and `\x10` become `\x10`
 * escapes, so any bytes survive a line. Twisted's `IRCClient` quotes every
 * line it sends this way; most clients today do not, so Spindle applies it
 * only when asked.
 *
 * @example Usage
 * ```ts
 * import { lowDequote, lowQuote } from "@spindle/spindle/protocols/irc";
 * console.assert(lowDequote(lowQuote("a\nb")) === "a\nb");
 * console.assert(lowQuote("a\nb") === "a\x10nb");
 * ```
 */
export function lowQuote(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex -- control characters are what it matches
    /[\x10\0\n\r]/g,
    (c) =>
      c === "\0"
        ? "\x100"
        : c === "\n"
        ? "\x10n"
        : c === "\r"
        ? "\x10r"
        : "\x10\x10",
  );
}

/**
 * Undoes {@linkcode lowQuote}; an unknown escape keeps the character after
 * `\x10`.
 *
 * @example Usage
 * ```ts
 * import { lowDequote } from "@spindle/spindle/protocols/irc";
 * console.assert(lowDequote("a\x100b") === "a\0b");
 * ```
 */
export function lowDequote(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex -- control characters are what it matches
    /\x10([\s\S]?)/g,
    (_, c: string) =>
      c === "0" ? "\0" : c === "n" ? "\n" : c === "r" ? "\r" : c,
  );
}

/**
 * The X-level quoting inside a CTCP piece: `\` becomes `\\` and the CTCP
 * delimiter `\x01` becomes `\a`.
 *
 * @example Usage
 * ```ts
 * import { ctcpQuote } from "@spindle/spindle/protocols/irc";
 * console.assert(ctcpQuote("a\x01b") === "a\\ab");
 * ```
 */
export function ctcpQuote(text: string): string {
  // deno-lint-ignore no-control-regex -- control characters are what it matches
  return text.replace(/[\\\x01]/g, (c) => c === "\\" ? "\\\\" : "\\a");
}

/**
 * Undoes {@linkcode ctcpQuote}; an unknown escape keeps the character after
 * the backslash.
 *
 * @example Usage
 * ```ts
 * import { ctcpDequote } from "@spindle/spindle/protocols/irc";
 * console.assert(ctcpDequote("a\\ab\\\\") === "a\x01b\\");
 * ```
 */
export function ctcpDequote(text: string): string {
  if (!text.includes(X_QUOTE)) return text;
  return text.replace(/\\([\s\S]?)/g, (_, c: string) => c === "a" ? "\x01" : c);
}

/**
 * Splits a PRIVMSG or NOTICE text into its plain parts and CTCP pieces. A
 * last piece without its closing `\x01` counts, as clients send ACTIONs
 * that way.
 *
 * @example Usage
 * ```ts
 * import { ctcpExtract } from "@spindle/spindle/protocols/irc";
 * import { assertEquals } from "@spindle/spindle/trial";
 * assertEquals(ctcpExtract("hi \x01PING 42\x01"), {
 *   normal: ["hi "],
 *   extended: [{ tag: "PING", data: "42" }],
 * });
 * ```
 */
export function ctcpExtract(text: string): CTCPExtracted {
  const normal: string[] = [];
  const extended: CTCPMessage[] = [];
  if (!text.includes(CTCP_DELIMITER)) {
    if (text !== "") normal.push(text);
    return { normal, extended };
  }
  const chunks = text.split(CTCP_DELIMITER);
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    if (i % 2 === 0) {
      if (chunk !== "") normal.push(chunk);
      continue;
    }
    if (chunk === "") continue;
    const piece = ctcpDequote(chunk);
    const space = piece.indexOf(" ");
    extended.push(
      space < 0
        ? { tag: piece, data: "" }
        : { tag: piece.slice(0, space), data: piece.slice(space + 1) },
    );
  }
  return { normal, extended };
}

/**
 * Builds the text of CTCP pieces, each quoted and between `\x01`s.
 *
 * @example Usage
 * ```ts
 * import { ctcpStringify } from "@spindle/spindle/protocols/irc";
 * console.assert(ctcpStringify([{ tag: "ACTION", data: "waves" }]) === "\x01ACTION waves\x01");
 * ```
 */
export function ctcpStringify(messages: CTCPMessage[]): string {
  let text = "";
  for (const { tag, data } of messages) {
    const piece = data === "" ? tag : `${tag} ${data}`;
    text += `${CTCP_DELIMITER}${ctcpQuote(piece)}${CTCP_DELIMITER}`;
  }
  return text;
}
