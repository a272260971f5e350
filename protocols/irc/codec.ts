/**
 * The IRC message codec: the grammar of RFC 1459/2812 as the modern IRC
 * documents describe it, with IRCv3 message tags, as plain functions over
 * strings ({@linkcode parseMessage}, {@linkcode formatMessage}), as
 * incremental cores over bytes ({@linkcode IRCDecoderCore},
 * {@linkcode IRCEncoderCore}) and as streams.
 *
 * Text is UTF-8; a line that is not valid UTF-8 is decoded as Latin-1 (the
 * Windows-1252 superset that the Encoding Standard names `latin1`), as IRC
 * clients do for the older clients still sending it, never thrown.
 *
 * @module
 */
import {
  type Codec,
  type DecoderCore,
  decoderCore,
  type EncoderCore,
  encoderCore,
} from "../../reactor/codec.ts";
import { EMPTY_BYTES } from "../../reactor/bytes.ts";
import { DecoderStream } from "../../reactor/decoder_stream.ts";
import { EncoderStream } from "../../reactor/encoder_stream.ts";
import { LineDecoderCore } from "../basic/line.ts";
import {
  IRCLineTooLongError,
  IRCParseError,
  IRCTagsTooLongError,
} from "./errors.ts";
import {
  type IRCCodecLimits,
  MAX_LINE_BYTES,
  MAX_TAG_BYTES,
} from "./limits.ts";
import type { IRCMessage } from "./message.ts";

const SPACE = 32;
const COLON = 58;
const AT = 64;

const TAG_ESCAPES: Record<string, string> = {
  ":": ";",
  s: " ",
  "\\": "\\",
  r: "\r",
  n: "\n",
};

/**
 * Unescapes an IRCv3 tag value: `\:` is `;`, `\s` a space, `\\` a
 * backslash, `\r` and `\n` CR and LF; a backslash before another character
 * is dropped, and a lone one at the end too (IRCv3 message-tags, "Escaping
 * values").
 *
 * @example Usage
 * ```ts
 * import { unescapeTagValue } from "@spindle/spindle/protocols/irc";
 * console.assert(unescapeTagValue("a\\sb\\:c") === "a b;c");
 * ```
 */
export function unescapeTagValue(value: string): string {
  if (!value.includes("\\")) return value;
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = value[++i];
    if (next === undefined) break;
    out += TAG_ESCAPES[next] ?? next;
  }
  return out;
}

/**
 * Escapes a tag value for the wire: the inverse of
 * {@linkcode unescapeTagValue}.
 *
 * @example Usage
 * ```ts
 * import { escapeTagValue } from "@spindle/spindle/protocols/irc";
 * console.assert(escapeTagValue("a b;c") === "a\\sb\\:c");
 * ```
 */
export function escapeTagValue(value: string): string {
  return value.replace(/[;\s\\]/g, (c) => {
    switch (c) {
      case ";":
        return "\\:";
      case " ":
        return "\\s";
      case "\\":
        return "\\\\";
      case "\r":
        return "\\r";
      case "\n":
        return "\\n";
      default:
        return c;
    }
  });
}

function parseTags(text: string): Record<string, string> | undefined {
  let tags: Record<string, string> | undefined;
  for (const tag of text.split(";")) {
    if (tag === "") continue;
    tags ??= {};
    const eq = tag.indexOf("=");
    if (eq < 0) tags[tag] = "";
    else tags[tag.slice(0, eq)] = unescapeTagValue(tag.slice(eq + 1));
  }
  return tags;
}

/**
 * Parses one IRC line (without its CR LF) into a message. Spaces between
 * parts may repeat; a command is upper-cased.
 *
 * @throws {IRCParseError} When the line has no command.
 *
 * @example Usage
 * ```ts
 * import { parseMessage } from "@spindle/spindle/protocols/irc";
 * import { assertEquals } from "@spindle/spindle/trial";
 * assertEquals(parseMessage("@time=2026-12-05T11:00:00Z :alice!a@h PRIVMSG #chat :hi there"), {
 *   tags: { time: "2026-12-05T11:00:00Z" },
 *   source: "alice!a@h",
 *   command: "PRIVMSG",
 *   params: ["#chat", "hi there"],
 * });
 * ```
 */
export function parseMessage(line: string): IRCMessage {
  const n = line.length;
  let i = 0;
  let tags: Record<string, string> | undefined;
  if (line.charCodeAt(0) === AT) {
    const space = line.indexOf(" ");
    if (space < 0) throw noCommand(line);
    tags = parseTags(line.slice(1, space));
    i = space + 1;
  }
  while (line.charCodeAt(i) === SPACE) i++;
  let source: string | undefined;
  if (line.charCodeAt(i) === COLON) {
    const space = line.indexOf(" ", i);
    if (space < 0) throw noCommand(line);
    source = line.slice(i + 1, space);
    i = space + 1;
    while (line.charCodeAt(i) === SPACE) i++;
  }
  let end = line.indexOf(" ", i);
  if (end < 0) end = n;
  if (end === i) throw noCommand(line);
  const command = line.slice(i, end).toUpperCase();
  const params: string[] = [];
  i = end;
  while (i < n) {
    while (line.charCodeAt(i) === SPACE) i++;
    if (i >= n) break;
    if (line.charCodeAt(i) === COLON) {
      params.push(line.slice(i + 1));
      break;
    }
    end = line.indexOf(" ", i);
    if (end < 0) end = n;
    params.push(line.slice(i, end));
    i = end;
  }
  const message: IRCMessage = { command, params };
  if (tags !== undefined) message.tags = tags;
  if (source !== undefined) message.source = source;
  return message;
}

function noCommand(line: string): IRCParseError {
  return new IRCParseError(
    `an IRC line needs a command after its tags and source: got ${
      JSON.stringify(line.slice(0, 80))
    }`,
  );
}

// CR, LF and NUL end or break a line: a parameter holding one would smuggle a
// second command onto the wire.
const FORBIDDEN = /[\r\n\0]/;

/**
 * Formats a message as one IRC line, without the CR LF. The last parameter
 * is sent as a trailing one (`:`) when it must be: empty, holding a space or
 * starting with `:`.
 *
 * @throws {TypeError} When a parameter holds CR, LF or NUL, or one before the
 * last holds a space, is empty or starts with `:`.
 *
 * @example Usage
 * ```ts
 * import { formatMessage } from "@spindle/spindle/protocols/irc";
 * const line = formatMessage({ command: "PRIVMSG", params: ["#chat", "hi there"] });
 * console.assert(line === "PRIVMSG #chat :hi there");
 * ```
 */
export function formatMessage(message: IRCMessage): string {
  let line = "";
  const tags = message.tags;
  if (tags !== undefined) {
    const parts: string[] = [];
    for (const key in tags) {
      const value = tags[key]!;
      parts.push(value === "" ? key : `${key}=${escapeTagValue(value)}`);
    }
    if (parts.length > 0) line = `@${parts.join(";")} `;
  }
  if (message.source !== undefined) line += `:${message.source} `;
  line += message.command;
  const params = message.params;
  const last = params.length - 1;
  for (let p = 0; p <= last; p++) {
    const param = params[p]!;
    if (FORBIDDEN.test(param)) {
      throw new TypeError(
        `an IRC parameter cannot hold CR, LF or NUL: ${JSON.stringify(param)}`,
      );
    }
    if (p === last) {
      line += param === "" || param.includes(" ") ||
          param.charCodeAt(0) === COLON
        ? ` :${param}`
        : ` ${param}`;
    } else if (
      param === "" || param.includes(" ") || param.charCodeAt(0) === COLON
    ) {
      throw new TypeError(
        `only the last IRC parameter may be empty, hold spaces or start with ":": ${
          JSON.stringify(param)
        }`,
      );
    } else {
      line += ` ${param}`;
    }
  }
  return line;
}

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const latin1 = new TextDecoder("latin1");

/**
 * Decodes a line's bytes: UTF-8, or Latin-1 when they are not valid UTF-8.
 *
 * @example Usage
 * ```ts
 * import { decodeText } from "@spindle/spindle/protocols/irc";
 * console.assert(decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9])) === "café");
 * ```
 */
export function decodeText(bytes: Uint8Array): string {
  // Decoding without `fatal` is several times faster; only text that came
  // out with U+FFFD is checked again.
  const text = utf8.decode(bytes);
  if (!text.includes("\uFFFD")) return text;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/**
 * The incremental core that decodes IRC lines into messages: lines end in LF
 * (CR LF or a bare LF, as servers accept), empty lines are skipped, and each
 * line's tags and the rest are held to their limits.
 *
 * @example Usage
 * ```ts
 * import { IRCDecoderCore, type IRCMessage } from "@spindle/spindle/protocols/irc";
 * const core = new IRCDecoderCore();
 * const out: IRCMessage[] = [];
 * core.decode(new TextEncoder().encode("PING :x\r\nPI"), out);
 * core.decode(new TextEncoder().encode("NG y\n"), out);
 * console.assert(out.length === 2 && out[1]!.params[0] === "y");
 * ```
 */
export class IRCDecoderCore implements DecoderCore<IRCMessage> {
  #lines: LineDecoderCore<true>;
  #maxLineBytes: number;
  #maxTagBytes: number;
  #batch: Uint8Array[] = [];

  /** Creates the core; see {@linkcode IRCCodecLimits}. */
  constructor(options: IRCCodecLimits = {}) {
    this.#maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.#maxTagBytes = options.maxTagBytes ?? MAX_TAG_BYTES;
    this.#lines = new LineDecoderCore({
      binary: true,
      delimiter: "\n",
      // Tags (with their "@" and space) plus the line, less its CR LF.
      maxLength: this.#maxTagBytes + this.#maxLineBytes - 2,
    });
  }

  /** Appends the messages `chunk` completes to `out` (at most `max`). */
  decode(chunk: Uint8Array, out: IRCMessage[], max: number = Infinity): void {
    const batch = this.#batch;
    let input = chunk;
    let produced = 0;
    // An empty line yields no message: decode on, so that a message behind it
    // is not left waiting for more input.
    while (produced < max) {
      batch.length = 0;
      this.#lines.decode(input, batch, max - produced);
      input = EMPTY_BYTES;
      if (batch.length === 0) return;
      for (const line of batch) {
        const message = this.#message(line);
        if (message !== null) {
          out.push(message);
          produced++;
        }
      }
    }
  }

  /** Decodes a last line that had no line ending. */
  end(out: IRCMessage[]): void {
    const batch = this.#batch;
    batch.length = 0;
    this.#lines.end(batch);
    for (const line of batch) {
      const message = this.#message(line);
      if (message !== null) out.push(message);
    }
  }

  /** Returns the bytes not yet decoded, and forgets them. */
  release(): Uint8Array {
    return this.#lines.release();
  }

  #message(line: Uint8Array): IRCMessage | null {
    let start = 0;
    if (line[0] === AT) {
      const space = line.indexOf(SPACE);
      const tagBytes = space < 0 ? line.length : space + 1;
      if (tagBytes > this.#maxTagBytes) {
        throw new IRCTagsTooLongError(tagBytes, this.#maxTagBytes);
      }
      start = tagBytes;
    }
    const end = line.length;
    while (start < end && line[start] === SPACE) start++;
    if (start === end) return null;
    // NUL and CR cannot be in a message (RFC 2812 §2.3.1); a parameter
    // holding one could not be sent on again.
    if (line.includes(0) || line.includes(13)) {
      throw new IRCParseError(
        "an IRC line holds a NUL or a CR before its end: send text without them",
      );
    }
    const bytes = line.length - start + 2;
    if (bytes > this.#maxLineBytes) {
      throw new IRCLineTooLongError(bytes, this.#maxLineBytes);
    }
    return parseMessage(decodeText(line));
  }
}

const encoder = new TextEncoder();

/**
 * The core that encodes messages as IRC lines, CR LF included, held to the
 * line and tag limits.
 *
 * @example Usage
 * ```ts
 * import { IRCEncoderCore } from "@spindle/spindle/protocols/irc";
 * const bytes = new IRCEncoderCore().encode({ command: "NICK", params: ["alice"] });
 * console.assert(new TextDecoder().decode(bytes) === "NICK alice\r\n");
 * ```
 */
export class IRCEncoderCore
  implements EncoderCore<IRCMessage, Uint8Array<ArrayBuffer>> {
  #maxLineBytes: number;
  #maxTagBytes: number;

  /** Creates the core; see {@linkcode IRCCodecLimits}. */
  constructor(options: IRCCodecLimits = {}) {
    this.#maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.#maxTagBytes = options.maxTagBytes ?? MAX_TAG_BYTES;
  }

  /**
   * Encodes one message.
   *
   * @throws {IRCLineTooLongError} When the line is over the limit.
   * @throws {IRCTagsTooLongError} When its tags are.
   */
  encode(message: IRCMessage): Uint8Array<ArrayBuffer> {
    const bytes = encoder.encode(`${formatMessage(message)}\r\n`);
    let tagBytes = 0;
    if (bytes[0] === AT) {
      tagBytes = bytes.indexOf(SPACE) + 1;
      if (tagBytes > this.#maxTagBytes) {
        throw new IRCTagsTooLongError(tagBytes, this.#maxTagBytes);
      }
    }
    if (bytes.length - tagBytes > this.#maxLineBytes) {
      throw new IRCLineTooLongError(
        bytes.length - tagBytes,
        this.#maxLineBytes,
      );
    }
    return bytes;
  }
}

/**
 * The IRC framing as a codec: fresh cores for each connection.
 *
 * @example Usage
 * ```ts
 * import { IRCCodec, type IRCMessage } from "@spindle/spindle/protocols/irc";
 * const codec = new IRCCodec();
 * const out: IRCMessage[] = [];
 * codec.createDecoder().decode(codec.createEncoder().encode({ command: "PING", params: ["x"] }), out);
 * console.assert(out[0]!.command === "PING");
 * ```
 */
export class IRCCodec implements Codec<IRCMessage, IRCMessage> {
  #options: IRCCodecLimits;

  /** Creates the codec; the limits apply to every core it makes. */
  constructor(options: IRCCodecLimits = {}) {
    this.#options = options;
  }

  /** A new decoder core. */
  createDecoder(): IRCDecoderCore {
    return new IRCDecoderCore(this.#options);
  }

  /** A new encoder core. */
  createEncoder(): IRCEncoderCore {
    return new IRCEncoderCore(this.#options);
  }
}

/**
 * A `TransformStream` from bytes to IRC messages. On a Spindle connection's
 * readable, `pipeThrough` runs its core in the read loop.
 *
 * @example Usage
 * ```ts
 * import { IRCDecoder } from "@spindle/spindle/protocols/irc";
 * const bytes = new TextEncoder().encode(":s 001 alice :Welcome\r\n");
 * const [message] = await Array.fromAsync(ReadableStream.from([bytes]).pipeThrough(new IRCDecoder()));
 * console.assert(message!.command === "001");
 * ```
 */
export class IRCDecoder extends DecoderStream<IRCMessage> {
  /** The core this transform runs. */
  declare readonly [decoderCore]: IRCDecoderCore;

  /** Creates the transform; see {@linkcode IRCCodecLimits}. */
  constructor(options: IRCCodecLimits = {}) {
    super(new IRCDecoderCore(options));
  }
}

/**
 * A `TransformStream` from IRC messages to bytes.
 *
 * @example Usage
 * ```ts
 * import { IRCEncoder } from "@spindle/spindle/protocols/irc";
 * const text = await new Response(
 *   ReadableStream.from([{ command: "QUIT", params: ["bye"] }]).pipeThrough(new IRCEncoder()),
 * ).text();
 * console.assert(text === "QUIT bye\r\n");
 * ```
 */
export class IRCEncoder
  extends EncoderStream<IRCMessage, Uint8Array<ArrayBuffer>> {
  /** The core this transform runs. */
  declare readonly [encoderCore]: IRCEncoderCore;

  /** Creates the transform; see {@linkcode IRCCodecLimits}. */
  constructor(options: IRCCodecLimits = {}) {
    super(new IRCEncoderCore(options));
  }
}
