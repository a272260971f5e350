/**
 * The lexical layer of the zone file parser (RFC 1035 §5.1): entries of
 * tokens (parentheses join lines, comments go, quotes keep spaces), escapes
 * in character-strings, and TTLs with BIND's units.
 *
 * @module
 */
import { ZoneFileError } from "./errors.ts";

/** One field of an entry: its text (escapes kept) and whether it was quoted. */
export interface Token {
  text: string;
  quoted: boolean;
}

/** One logical entry: a line, or lines joined by parentheses. */
export interface Entry {
  line: number;
  ownerOmitted: boolean;
  tokens: Token[];
}

const textEncoder = new TextEncoder();

/** Splits the text into logical entries: parentheses join lines, comments go. */
export function* entries(text: string, fileName: string): Generator<Entry> {
  const lexer = new Lexer(text, fileName);
  for (let entry = lexer.next(); entry !== null; entry = lexer.next()) {
    yield entry;
  }
}

/** Characters that end an unquoted token. */
const DELIMITERS = new Set([" ", "\t", "\r", "\n", ";", "(", ")", '"']);

class Lexer {
  #text: string;
  #fileName: string;
  #i = 0;
  #line = 1;
  #depth = 0;
  #parenLine = 0;

  constructor(text: string, fileName: string) {
    this.#text = text;
    this.#fileName = fileName;
  }

  /** The next entry with tokens, or `null` at the end of the text. */
  next(): Entry | null {
    const text = this.#text;
    let current: Entry | null = null;
    while (this.#i < text.length) {
      const c = text[this.#i]!;
      if (c === "\n") {
        this.#line++;
        this.#i++;
        if (this.#depth > 0 || current === null) continue;
        if (current.tokens.length > 0) return current;
        current = null;
        continue;
      }
      current ??= {
        line: this.#line,
        ownerOmitted: c === " " || c === "\t",
        tokens: [],
      };
      this.#step(c, current);
    }
    if (this.#depth > 0) {
      throw new ZoneFileError(
        this.#fileName,
        this.#parenLine,
        "'(' is never closed: add the missing ')'",
      );
    }
    return current !== null && current.tokens.length > 0 ? current : null;
  }

  /** Consumes what starts with `c` (not a newline) into `entry`. */
  #step(c: string, entry: Entry): void {
    const text = this.#text;
    if (c === " " || c === "\t" || c === "\r") {
      this.#i++;
    } else if (c === ";") {
      while (this.#i < text.length && text[this.#i] !== "\n") this.#i++;
    } else if (c === "(") {
      if (this.#depth === 0) this.#parenLine = this.#line;
      this.#depth++;
      this.#i++;
    } else if (c === ")") {
      if (this.#depth === 0) {
        throw new ZoneFileError(
          this.#fileName,
          this.#line,
          "')' without a matching '('",
        );
      }
      this.#depth--;
      this.#i++;
    } else if (c === '"') {
      entry.tokens.push({ text: this.#quoted(entry.line), quoted: true });
    } else {
      entry.tokens.push({ text: this.#word(), quoted: false });
    }
  }

  /** A quoted string's text, escapes kept; newlines inside it count. */
  #quoted(entryLine: number): string {
    const text = this.#text;
    let s = "";
    this.#i++;
    for (;;) {
      if (this.#i >= text.length) {
        throw new ZoneFileError(
          this.#fileName,
          entryLine,
          "a quoted string is not closed: add the missing '\"'",
        );
      }
      const d = text[this.#i]!;
      if (d === '"') break;
      if (d === "\\" && this.#i + 1 < text.length) {
        s += d + text[this.#i + 1];
        if (text[this.#i + 1] === "\n") this.#line++;
        this.#i += 2;
        continue;
      }
      if (d === "\n") this.#line++;
      s += d;
      this.#i++;
    }
    this.#i++;
    return s;
  }

  /** An unquoted token's text, escapes kept. */
  #word(): string {
    const text = this.#text;
    let s = "";
    while (this.#i < text.length) {
      const d = text[this.#i]!;
      if (DELIMITERS.has(d)) break;
      if (d === "\\" && this.#i + 1 < text.length) {
        s += d + text[this.#i + 1];
        this.#i += 2;
        continue;
      }
      s += d;
      this.#i++;
    }
    return s;
  }
}

/** The bytes of a character-string with its `\X` and `\DDD` escapes resolved. */
export function unescapeBytes(text: string): Uint8Array {
  if (!text.includes("\\")) return textEncoder.encode(text);
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && i + 1 < text.length) {
      const digits = text.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits) && Number(digits) <= 255) {
        bytes.push(Number(digits));
        i += 3;
      } else {
        bytes.push(...textEncoder.encode(text[i + 1]!));
        i += 1;
      }
    } else {
      bytes.push(...textEncoder.encode(c));
    }
  }
  return Uint8Array.from(bytes);
}

const TTL_UNITS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};

/** A TTL such as `3600` or `1h30m` (BIND's units), or `null`. */
export function parseTTL(text: string): number | null {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return value <= 0x7fffffff ? value : null;
  }
  if (!/^(\d+[smhdw])+$/i.test(text)) return null;
  let total = 0;
  for (const [, digits, unit] of text.matchAll(/(\d+)([smhdw])/gi)) {
    total += Number(digits) * TTL_UNITS[unit!.toLowerCase()]!;
  }
  return total <= 0x7fffffff ? total : null;
}
