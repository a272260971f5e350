/**
 * The WebSocket cores (RFC 6455 §5): {@linkcode FrameDecoderCore} (bytes in,
 * frames out, incrementally, with the masking rule and the limits),
 * {@linkcode encodeFrame}, and {@linkcode MessageCore} (frames in, messages
 * and control frames out: fragmentation, control frames between fragments,
 * UTF-8 validation across fragments, the message size limit).
 *
 * @module
 */
import type { DecoderCore } from "../../reactor/codec.ts";
import { concatChunks, EMPTY_BYTES } from "../../reactor/bytes.ts";
import { CloseCode, Opcode } from "./constants.ts";
import {
  InvalidPayloadError,
  MessageTooBigError,
  WebSocketProtocolError,
} from "./errors.ts";
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  MAX_CONTROL_PAYLOAD,
  type WebSocketLimits,
} from "./limits.ts";
import type { Frame } from "./message.ts";

/** Options for {@linkcode FrameDecoderCore}. */
export interface FrameDecoderOptions extends WebSocketLimits {
  /**
   * Which side decodes: a `"server"` requires masked frames (RFC 6455
   * §5.1), a `"client"` requires unmasked ones.
   */
  role: "server" | "client";
  /** permessage-deflate was negotiated: RSV1 may be set on a message's first frame. */
  deflate?: boolean;
}

/**
 * Bytes in, frames out, incrementally. Checks what a single frame can
 * break: masking, reserved bits, unknown opcodes, control frames that are
 * fragmented or longer than 125 bytes, and the size limit (1009). Payloads
 * come out unmasked, in memory of their own.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FrameDecoderCore, Opcode, type Frame } from "@spindle/spindle/protocols/websocket";
 * const bytes = encodeFrame(Opcode.TEXT, new TextEncoder().encode("hi"), { mask: true });
 * const frames: Frame[] = [];
 * const core = new FrameDecoderCore({ role: "server" });
 * core.decode(bytes.subarray(0, 3), frames);
 * core.decode(bytes.subarray(3), frames);
 * console.assert(new TextDecoder().decode(frames[0]!.payload) === "hi");
 * ```
 */
export class FrameDecoderCore implements DecoderCore<Frame> {
  #parts: Uint8Array[] = [];
  #buffered = 0;
  #server: boolean;
  #deflate: boolean;
  #maxSize: number;
  /** A large frame whose payload is filled in place as bytes come (see `wanted`). */
  #partial: PartialFrame | null = null;

  /** Creates a decoder for `options.role`. */
  constructor(options: FrameDecoderOptions) {
    this.#server = options.role === "server";
    this.#deflate = options.deflate ?? false;
    this.#maxSize = options.maxFrameSize ?? options.maxMessageSize ??
      DEFAULT_MAX_MESSAGE_SIZE;
  }

  /** Decodes the frames `chunk` completes into `out`; throws `WebSocketProtocolError`. */
  decode(chunk: Uint8Array, out: Frame[], max = Infinity): void {
    let taken = 0;
    const partial = this.#partial;
    if (partial !== null) {
      const used = Math.min(
        chunk.byteLength,
        partial.payload.byteLength - partial.filled,
      );
      partial.payload.set(chunk.subarray(0, used), partial.filled);
      chunk = chunk.subarray(used);
      taken = this.filled(used, out);
      if (this.#partial !== null) return;
    }
    if (this.#buffered === 0) {
      // The common case, nothing left over: the frames that the chunk holds
      // whole are read in place, without gathering it into parts.
      let at = 0;
      const end = chunk.byteLength;
      while (
        taken < max && end - at >= 2 && this.#header(chunk, at, end - at)
      ) {
        const start = at + this.#headerLength;
        const stop = start + this.#payloadLength;
        if (stop > end) break;
        out.push(this.#whole(chunk.slice(start, stop)));
        at = stop;
        taken++;
      }
      if (at > 0) chunk = chunk.subarray(at);
    }
    if (chunk.byteLength > 0) {
      this.#parts.push(chunk);
      this.#buffered += chunk.byteLength;
    }
    while (taken < max && this.#buffered >= 2) {
      const frame = this.#frameAt();
      if (frame === null) return;
      out.push(frame);
      taken++;
    }
  }

  /**
   * Where the rest of a large frame's payload goes, so a reader can read
   * straight into it (then call `filled`): `null` unless such a frame was
   * started. Saves a copy of every byte, and the read buffers.
   */
  get wanted(): Uint8Array | null {
    const partial = this.#partial;
    return partial === null ? null : partial.payload.subarray(partial.filled);
  }

  /** `n` bytes were read into `wanted`; appends the frame if that completed it and returns how many frames (0 or 1). */
  filled(n: number, out: Frame[]): number {
    const partial = this.#partial!;
    partial.filled += n;
    if (partial.filled < partial.payload.byteLength) return 0;
    this.#partial = null;
    const { frame, key } = partial;
    if (key !== null) xorMask(frame.payload, key);
    out.push(frame);
    return 1;
  }

  // The header `#header` parsed last: fields rather than an object a frame.
  #b0 = 0;
  #headerLength = 0;
  #payloadLength = 0;
  #masked = false;
  #key = 0;

  /**
   * Parses and checks the frame header at `bytes[at]`, of which `available`
   * bytes are there: false when the header is not all there.
   */
  #header(bytes: Uint8Array, at: number, available: number): boolean {
    const b0 = bytes[at]!;
    const b1 = bytes[at + 1]!;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    this.#check(b0, opcode, (b0 & 0x80) !== 0, masked);
    let length = b1 & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (available < 4) return false;
      length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
      offset = 4;
    } else if (length === 127) {
      if (available < 10) return false;
      if ((bytes[at + 2]! & 0x80) !== 0) {
        throw new WebSocketProtocolError(
          "a frame length has its most significant bit set (RFC 6455 §5.2)",
        );
      }
      const high = ((bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) |
        (bytes[at + 4]! << 8) | bytes[at + 5]!) >>> 0;
      const low = ((bytes[at + 6]! << 24) | (bytes[at + 7]! << 16) |
        (bytes[at + 8]! << 8) | bytes[at + 9]!) >>> 0;
      length = high * 2 ** 32 + low;
      offset = 10;
    }
    if (opcode >= 8 && length > MAX_CONTROL_PAYLOAD) {
      throw new WebSocketProtocolError(
        `a control frame carries ${length} bytes, over the ${MAX_CONTROL_PAYLOAD} RFC 6455 §5.5 allows`,
      );
    }
    if (length > this.#maxSize) {
      throw new MessageTooBigError(length, this.#maxSize);
    }
    if (masked) {
      if (available < offset + 4) return false;
      // The key as one number (the bytes in memory order): no copy per frame.
      const k = at + offset;
      this.#key = bytes[k]! | (bytes[k + 1]! << 8) | (bytes[k + 2]! << 16) |
        (bytes[k + 3]! << 24);
      offset += 4;
    }
    this.#b0 = b0;
    this.#headerLength = offset;
    this.#payloadLength = length;
    this.#masked = masked;
    return true;
  }

  /** The frame of the header parsed last, its payload all there (unmasked here). */
  #whole(payload: Uint8Array): Frame {
    if (this.#masked) xorMask(payload, this.#key);
    const b0 = this.#b0;
    return {
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      opcode: b0 & 0x0f,
      payload,
    };
  }

  /** Reads one frame from the parts if it is all there (or starts a large one). */
  #frameAt(): Frame | null {
    const head = this.#peek(Math.min(14, this.#buffered));
    if (!this.#header(head, 0, head.byteLength)) return null;
    const offset = this.#headerLength;
    const length = this.#payloadLength;
    const whole = this.#buffered >= offset + length;
    if (!whole && (length < DIRECT_MIN || length > DIRECT_MAX)) return null;
    if (whole) {
      this.#skip(offset);
      return this.#whole(this.#take(length));
    }
    const header = head.slice(0, offset);
    this.#skip(offset);
    const b0 = this.#b0;
    this.#startPartial(header, {
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      opcode: b0 & 0x0f,
      payload: new Uint8Array(length),
    }, { key: this.#masked ? this.#key : null });
    return null;
  }

  /** A large frame's payload in memory of its own from its header on: what is buffered moves there. */
  #startPartial(
    header: Uint8Array,
    frame: Frame,
    options: { key: number | null },
  ): void {
    const payload = frame.payload;
    let filled = 0;
    for (const part of this.#parts) {
      payload.set(part, filled);
      filled += part.byteLength;
    }
    this.#parts = [];
    this.#buffered = 0;
    this.#partial = { header, frame, payload, key: options.key, filled };
  }

  #check(b0: number, opcode: number, fin: boolean, masked: boolean): void {
    if (masked !== this.#server) {
      throw new WebSocketProtocolError(
        this.#server
          ? "a client sent an unmasked frame: clients must mask every frame (RFC 6455 §5.1)"
          : "a server sent a masked frame: servers must not mask (RFC 6455 §5.1)",
      );
    }
    const reserved = b0 &
      (this.#deflate && opcode !== 0 && opcode < 8 ? 0x30 : 0x70);
    if (reserved !== 0) {
      throw new WebSocketProtocolError(
        "a frame has reserved bits set that no negotiated extension defines",
      );
    }
    if (opcode >= 8) {
      if (opcode > Opcode.PONG) {
        throw new WebSocketProtocolError(`unknown control opcode ${opcode}`);
      }
      if (!fin) {
        throw new WebSocketProtocolError(
          "a control frame is fragmented (RFC 6455 §5.5)",
        );
      }
    } else if (opcode > Opcode.BINARY) {
      throw new WebSocketProtocolError(`unknown data opcode ${opcode}`);
    }
  }

  /** The first `n` buffered bytes, without consuming them. */
  #peek(n: number): Uint8Array {
    const first = this.#parts[0]!;
    if (first.byteLength >= n) return first.subarray(0, n);
    const bytes = new Uint8Array(n);
    let at = 0;
    for (const part of this.#parts) {
      const count = Math.min(part.byteLength, n - at);
      bytes.set(part.subarray(0, count), at);
      at += count;
      if (at === n) break;
    }
    return bytes;
  }

  #skip(n: number): void {
    this.#buffered -= n;
    while (n > 0) {
      const first = this.#parts[0]!;
      if (first.byteLength <= n) {
        this.#parts.shift();
        n -= first.byteLength;
      } else {
        this.#parts[0] = first.subarray(n);
        n = 0;
      }
    }
  }

  /** Consumes `n` bytes into memory of their own (a copy: the caller may keep or unmask it). */
  #take(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    // #peek copies already when the bytes span chunks.
    const first = this.#parts[0]!;
    const bytes = first.byteLength >= n ? first.slice(0, n) : this.#peek(n);
    this.#skip(n);
    return bytes;
  }

  /**
   * Moves the bytes buffered but not decoded into memory of their own, so
   * the caller may reuse the chunk it gave `decode` (frames decoded already
   * own their payloads).
   */
  detach(): void {
    if (this.#buffered === 0) return;
    this.#parts = [this.#peek(this.#buffered).slice()];
  }

  /** Input ended: an error if it ended inside a frame. */
  end(_out: Frame[]): void {
    const partial = this.#partial;
    const arrived = partial === null
      ? this.#buffered
      : partial.header.byteLength + partial.filled;
    if (arrived > 0) {
      throw new WebSocketProtocolError(
        `the connection ended inside a frame (${arrived} bytes of it arrived)`,
        { code: CloseCode.ABNORMAL },
      );
    }
  }

  /** Hands back the bytes buffered but not decoded. */
  release(): Uint8Array {
    const partial = this.#partial;
    if (partial !== null) {
      // Still masked: unmasking waits for the last byte.
      this.#partial = null;
      return concatChunks(
        [partial.header, partial.payload.subarray(0, partial.filled)],
        partial.header.byteLength + partial.filled,
      );
    }
    const bytes = this.#buffered === 0
      ? EMPTY_BYTES
      : this.#peek(this.#buffered).slice();
    this.#parts = [];
    this.#buffered = 0;
    return bytes;
  }
}

/** A large frame being filled in place: its header (for `release`), the frame to emit, its mask key. */
interface PartialFrame {
  header: Uint8Array;
  frame: Frame;
  payload: Uint8Array;
  key: number | null;
  filled: number;
}

// Frames from 16 KiB to 1 MiB that arrive in pieces get their payload memory
// at once, and the reader reads straight into it: no copy, no read buffers.
// Below, the pieces are few; above, a header alone should not make the
// server allocate much before the bytes come (larger frames are gathered).
const DIRECT_MIN = 16 * 1024;
const DIRECT_MAX = 1024 * 1024;

/**
 * XORs `bytes` in place with the 4-byte mask `key`, its bytes packed
 * little-endian, first byte lowest (RFC 6455 §5.3): a word at a time over
 * the 4-byte-aligned middle (a `Uint32Array` reads words in the platform's
 * byte order), bytes at the ends. Masking is its own inverse.
 */
function xorMask(bytes: Uint8Array, key: number): void {
  const length = bytes.byteLength;
  // Short payloads: a view costs more than the bytes it would save.
  let head = length < WORDWISE_MIN ? length : (4 - bytes.byteOffset % 4) % 4;
  for (let i = 0; i < head; i++) bytes[i]! ^= key >>> ((i & 3) << 3);
  if (head === length) return;
  const words = (length - head) >>> 2;
  // The key as it lines up with the first aligned word: rotated by `head` bytes.
  const rotated = head === 0 ? key : (key >>> (head << 3)) |
    (key << ((4 - head) << 3));
  const word = LITTLE_ENDIAN ? rotated : byteSwap(rotated);
  const view = new Uint32Array(bytes.buffer, bytes.byteOffset + head, words);
  for (let i = 0; i < words; i++) view[i]! ^= word;
  head += words << 2;
  for (let i = head; i < length; i++) bytes[i]! ^= key >>> ((i & 3) << 3);
}

/** Below this many bytes, masking goes byte by byte. */
const WORDWISE_MIN = 32;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function byteSwap(word: number): number {
  return ((word & 0xff) << 24) | ((word & 0xff00) << 8) |
    ((word >>> 8) & 0xff00) | (word >>> 24);
}

// Masks come from a pool of random words refilled 4 KiB at a time: one
// getRandomValues call per 1024 frames instead of one per frame.
const maskPool = new Uint32Array(1024);
let maskAt = maskPool.length;

/** A random mask key, as `xorMask` takes it. */
function nextMask(): number {
  if (maskAt === maskPool.length) {
    crypto.getRandomValues(maskPool);
    maskAt = 0;
  }
  return maskPool[maskAt++]!;
}

// Allocating an ArrayBuffer costs about a microsecond in Deno, as much as
// the rest of an echo's JavaScript: small frames are carved from a shared
// pool that nobody reuses (the transport owns what it is given), as
// reactor/deno_connection.ts does for chunks read.
const FRAME_POOL = 64 * 1024;
const POOLED_FRAME_MAX = 4 * 1024;
let framePool = new ArrayBuffer(0);
let framePoolOffset = 0;

function allocFrame(size: number): Uint8Array {
  if (size > POOLED_FRAME_MAX) return new Uint8Array(size);
  if (framePool.byteLength - framePoolOffset < size) {
    framePool = new ArrayBuffer(FRAME_POOL);
    framePoolOffset = 0;
  }
  const frame = new Uint8Array(framePool, framePoolOffset, size);
  framePoolOffset += size;
  return frame;
}

/** Options for {@linkcode encodeFrame}. */
export interface EncodeFrameOptions {
  /** Mask the payload with a random key: clients must, servers must not. Default false. */
  mask?: boolean;
  /** The last frame of its message. Default true. */
  fin?: boolean;
  /** Set RSV1 (a compressed message's first frame). Default false. */
  rsv1?: boolean;
}

/**
 * Encodes one frame: header, then the payload (masked with a fresh random
 * key when `options.mask`), in memory nobody else writes (small frames are
 * views of a shared pool).
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, Opcode } from "@spindle/spindle/protocols/websocket";
 * const bytes = encodeFrame(Opcode.BINARY, new Uint8Array(200));
 * console.assert(bytes.length === 204 && bytes[1] === 126);
 * ```
 */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  options: EncodeFrameOptions = {},
): Uint8Array {
  const length = payload.byteLength;
  const mask = options.mask ?? false;
  const headerLength = (length < 126 ? 2 : length < 65536 ? 4 : 10) +
    (mask ? 4 : 0);
  const frame = allocFrame(headerLength + length);
  frame[0] = (options.fin === false ? 0 : 0x80) |
    (options.rsv1 ? 0x40 : 0) | opcode;
  let offset = 2;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65536) {
    frame[1] = 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
    offset = 4;
  } else {
    frame[1] = 127;
    const view = new DataView(frame.buffer, frame.byteOffset + 2, 8);
    view.setUint32(0, Math.floor(length / 2 ** 32));
    view.setUint32(4, length >>> 0);
    offset = 10;
  }
  frame.set(payload, headerLength);
  if (mask) {
    frame[1]! |= 0x80;
    const key = nextMask();
    frame[offset] = key;
    frame[offset + 1] = key >>> 8;
    frame[offset + 2] = key >>> 16;
    frame[offset + 3] = key >>> 24;
    xorMask(frame.subarray(headerLength), key);
  }
  return frame;
}

/**
 * What {@linkcode MessageCore} makes of frames: a whole message (`text` or
 * `binary`; `compressed` when RSV1 said so and it is still deflated), or a
 * control frame.
 *
 * @example Usage
 * ```ts
 * import type { WebSocketEvent } from "@spindle/spindle/protocols/websocket";
 * const event: WebSocketEvent = { type: "ping", payload: new Uint8Array() };
 * console.assert(event.type === "ping");
 * ```
 */
export type WebSocketEvent =
  | { type: "text"; data: string }
  | { type: "binary"; data: Uint8Array }
  | { type: "compressed"; binary: boolean; data: Uint8Array }
  | { type: "ping"; payload: Uint8Array }
  | { type: "pong"; payload: Uint8Array }
  | { type: "close"; code: number; reason: string };

/** Options for {@linkcode MessageCore}. */
export type MessageCoreOptions = WebSocketLimits;

const CLOSE_CODES_SENDABLE = new Set([
  1000,
  1001,
  1002,
  1003,
  1007,
  1008,
  1009,
  1010,
  1011,
  1012,
  1013,
  1014,
]);

/**
 * Whether a peer may send `code` in a Close frame: the defined codes other
 * than those reserved for reports (1005, 1006, 1015), and 3000..4999.
 *
 * @example Usage
 * ```ts
 * import { isValidCloseCode } from "@spindle/spindle/protocols/websocket";
 * console.assert(isValidCloseCode(1000) && !isValidCloseCode(1006));
 * ```
 */
export function isValidCloseCode(code: number): boolean {
  return CLOSE_CODES_SENDABLE.has(code) || (code >= 3000 && code <= 4999);
}

/**
 * Frames in, messages out: reassembles fragments, lets control frames
 * through between them, validates UTF-8 across fragments (failing at the
 * first bad fragment), checks Close frames and the message size (1009).
 * A compressed message comes out whole and still deflated.
 *
 * @example Usage
 * ```ts
 * import { MessageCore, Opcode, type WebSocketEvent } from "@spindle/spindle/protocols/websocket";
 * const core = new MessageCore();
 * const out: WebSocketEvent[] = [];
 * const bytes = new TextEncoder().encode("héllo");
 * core.push({ fin: false, rsv1: false, opcode: Opcode.TEXT, payload: bytes.subarray(0, 2) }, out);
 * core.push({ fin: true, rsv1: false, opcode: Opcode.CONTINUATION, payload: bytes.subarray(2) }, out);
 * console.assert(out[0]!.type === "text");
 * ```
 */
export class MessageCore {
  #maxSize: number;
  /** The opcode of the message being reassembled, or -1. */
  #opcode = -1;
  #compressed = false;
  #parts: Uint8Array[] = [];
  #size = 0;
  #utf8: TextDecoder | null = null;
  #text = "";

  /** Creates a core with `options`' limits. */
  constructor(options: MessageCoreOptions = {}) {
    this.#maxSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  }

  /** Takes one frame, appending what it completes to `out`; throws `WebSocketProtocolError`. */
  push(frame: Frame, out: WebSocketEvent[]): void {
    const opcode = frame.opcode;
    if (opcode >= 8) {
      out.push(controlEvent(opcode, frame.payload));
      return;
    }
    if (opcode === Opcode.CONTINUATION) {
      if (this.#opcode === -1) {
        throw new WebSocketProtocolError(
          "a continuation frame came with no message to continue",
        );
      }
    } else {
      if (this.#opcode !== -1) {
        throw new WebSocketProtocolError(
          "a new message started before the fragmented one was finished",
        );
      }
      this.#opcode = opcode;
      this.#compressed = frame.rsv1;
    }
    const payload = frame.payload;
    this.#size += payload.byteLength;
    if (this.#size > this.#maxSize) {
      throw new MessageTooBigError(this.#size, this.#maxSize);
    }
    if (frame.fin && this.#parts.length === 0 && this.#utf8 === null) {
      // The common case: a message in one frame.
      this.#opcode = -1;
      this.#size = 0;
      out.push(this.#whole(opcode, payload));
      return;
    }
    if (this.#opcode === Opcode.TEXT && !this.#compressed) {
      this.#utf8 ??= new TextDecoder("utf-8", { fatal: true });
      this.#text += decodeText(this.#utf8, payload, !frame.fin);
    } else {
      this.#parts.push(payload);
    }
    if (!frame.fin) return;
    const event: WebSocketEvent = this.#utf8 !== null
      ? { type: "text", data: this.#text }
      : this.#whole(
        this.#opcode,
        this.#parts.length === 1
          ? this.#parts[0]!
          : concatChunks(this.#parts, this.#size),
      );
    this.#opcode = -1;
    this.#parts = [];
    this.#size = 0;
    this.#utf8 = null;
    this.#text = "";
    out.push(event);
  }

  #whole(opcode: number, data: Uint8Array): WebSocketEvent {
    if (this.#compressed) {
      this.#compressed = false;
      return { type: "compressed", binary: opcode === Opcode.BINARY, data };
    }
    return opcode === Opcode.TEXT
      ? { type: "text", data: decodeText(UTF8, data, false) }
      : { type: "binary", data };
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes UTF-8 strictly (a `stream` decode keeps a character cut at the
 * end for the next fragment); throws `InvalidPayloadError` (1007).
 *
 * @example Usage
 * ```ts
 * import { decodeText } from "@spindle/spindle/protocols/websocket";
 * const utf8 = new TextDecoder("utf-8", { fatal: true });
 * console.assert(decodeText(utf8, new Uint8Array([0x68, 0x69]), false) === "hi");
 * ```
 */
export function decodeText(
  decoder: TextDecoder,
  bytes: Uint8Array,
  stream: boolean,
): string {
  try {
    return decoder.decode(bytes, { stream });
  } catch (error) {
    throw new InvalidPayloadError("a text message is not valid UTF-8", {
      cause: error,
    });
  }
}

function controlEvent(opcode: number, payload: Uint8Array): WebSocketEvent {
  if (opcode === Opcode.PING) return { type: "ping", payload };
  if (opcode === Opcode.PONG) return { type: "pong", payload };
  if (payload.byteLength === 0) {
    return { type: "close", code: CloseCode.NO_STATUS, reason: "" };
  }
  if (payload.byteLength === 1) {
    throw new WebSocketProtocolError(
      "a Close frame has a one-byte payload: a code takes two",
    );
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) {
    throw new WebSocketProtocolError(
      `a Close frame has code ${code}, which may not be sent (RFC 6455 §7.4)`,
    );
  }
  return {
    type: "close",
    code,
    reason: decodeText(UTF8, payload.subarray(2), false),
  };
}
