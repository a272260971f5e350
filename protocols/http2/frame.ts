/**
 * The HTTP/2 frame layer (RFC 9113 §4, §6): an incremental decoder core that
 * cuts bytes into frames, and the encoders of every frame the endpoints send.
 *
 * @module
 */
import type { DecoderCore, EncoderCore } from "../../reactor/codec.ts";
import { EMPTY_BYTES } from "../../reactor/bytes.ts";
import { ErrorCode, Flag, FrameType } from "./constants.ts";
import { H2ConnectionError } from "./errors.ts";
import { DEFAULT_MAX_FRAME_SIZE } from "./limits.ts";

/** The length of a frame header (RFC 9113 §4.1). */
export const FRAME_HEADER_LENGTH = 9;

/**
 * One frame: its type, flags, stream and payload (padding still in it; see
 * {@linkcode unpad}). The payload may be a view of the bytes read.
 */
export interface Frame {
  /** The frame type ({@linkcode FrameType}); unknown types are kept, to be ignored. */
  type: number;
  /** The flags byte. */
  flags: number;
  /** The stream identifier (31 bits); 0 for the connection. */
  streamId: number;
  /** The payload. */
  payload: Uint8Array;
}

/** Options for {@linkcode FrameDecoderCore}. */
export interface FrameDecoderOptions {
  /** The largest payload accepted (our SETTINGS_MAX_FRAME_SIZE). Default 16384. */
  maxFrameSize?: number;
}

/**
 * Cuts a byte stream into frames, incrementally. A payload longer than
 * `maxFrameSize` is a FRAME_SIZE_ERROR (RFC 9113 §4.2); the decoder holds at
 * most one frame's bytes.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, type Frame, FrameDecoderCore, FrameType } from "@spindle/spindle/protocols/http2";
 * const core = new FrameDecoderCore();
 * const frames: Frame[] = [];
 * core.decode(encodeFrame(FrameType.PING, 0, 0, new Uint8Array(8)), frames);
 * console.assert(frames[0]!.type === FrameType.PING);
 * ```
 */
export class FrameDecoderCore implements DecoderCore<Frame> {
  #maxFrameSize: number;
  #pending: Uint8Array = EMPTY_BYTES;

  /** Creates a decoder with `options.maxFrameSize`. */
  constructor(options: FrameDecoderOptions = {}) {
    this.#maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  }

  /** Decodes the frames `chunk` completes into `out` (at most `max`), keeping the rest. */
  decode(chunk: Uint8Array, out: Frame[], max = Infinity): void {
    let bytes = chunk;
    if (this.#pending.byteLength > 0) {
      bytes = new Uint8Array(this.#pending.byteLength + chunk.byteLength);
      bytes.set(this.#pending);
      bytes.set(chunk, this.#pending.byteLength);
    }
    let at = 0;
    let taken = 0;
    while (bytes.byteLength - at >= FRAME_HEADER_LENGTH && taken < max) {
      const length = (bytes[at]! << 16) | (bytes[at + 1]! << 8) |
        bytes[at + 2]!;
      if (length > this.#maxFrameSize) {
        throw new H2ConnectionError(
          ErrorCode.FRAME_SIZE_ERROR,
          `a frame of ${length} bytes is over SETTINGS_MAX_FRAME_SIZE (${this.#maxFrameSize})`,
        );
      }
      const end = at + FRAME_HEADER_LENGTH + length;
      if (end > bytes.byteLength) break;
      out.push({
        type: bytes[at + 3]!,
        flags: bytes[at + 4]!,
        streamId: readUint31(bytes, at + 5),
        payload: bytes.subarray(at + FRAME_HEADER_LENGTH, end),
      });
      at = end;
      taken++;
    }
    // What is left is copied: the chunk's buffer may be reused by the reader.
    this.#pending = at === bytes.byteLength ? EMPTY_BYTES : bytes.slice(at);
  }

  /** The end of input: an error if it cut a frame. */
  end(_out: Frame[]): void {
    if (this.#pending.byteLength > 0) {
      throw new H2ConnectionError(
        ErrorCode.PROTOCOL_ERROR,
        "the connection ended in the middle of a frame",
      );
    }
  }

  /** The bytes buffered but not decoded. */
  release(): Uint8Array {
    const rest = this.#pending;
    this.#pending = EMPTY_BYTES;
    return rest;
  }
}

/**
 * Encodes frames (the {@linkcode EncoderCore} of {@linkcode encodeFrame}).
 *
 * @example Usage
 * ```ts
 * import { FrameEncoderCore, FrameType } from "@spindle/spindle/protocols/http2";
 * const bytes = new FrameEncoderCore().encode({
 *   type: FrameType.PING, flags: 0, streamId: 0, payload: new Uint8Array(8),
 * });
 * console.assert(bytes.byteLength === 17);
 * ```
 */
export class FrameEncoderCore implements EncoderCore<Frame> {
  /** Encodes one frame. */
  encode(frame: Frame): Uint8Array {
    return encodeFrame(frame.type, frame.flags, frame.streamId, frame.payload);
  }
}

/** Reads a 31-bit big-endian number (the reserved bit ignored). */
export function readUint31(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! & 0x7f) << 24 | bytes[at + 1]! << 16 |
    bytes[at + 2]! << 8 | bytes[at + 3]!) >>> 0;
}

/** Reads a 32-bit big-endian number. */
export function readUint32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24 | bytes[at + 1]! << 16 | bytes[at + 2]! << 8 |
    bytes[at + 3]!) >>> 0;
}

function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}

/** Writes a frame header for `length` payload bytes into `out` at `at`. */
export function writeFrameHeader(
  out: Uint8Array,
  at: number,
  header: { length: number; type: number; flags: number; streamId: number },
): void {
  out[at] = header.length >>> 16;
  out[at + 1] = header.length >>> 8;
  out[at + 2] = header.length;
  out[at + 3] = header.type;
  out[at + 4] = header.flags;
  writeUint32(out, at + 5, header.streamId & 0x7fffffff);
}

/**
 * Encodes one frame: header and payload.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FrameType } from "@spindle/spindle/protocols/http2";
 * const ping = encodeFrame(FrameType.PING, 0, 0, new Uint8Array(8));
 * console.assert(ping.byteLength === 9 + 8 && ping[3] === FrameType.PING);
 * ```
 */
export function encodeFrame(
  type: number,
  flags: number,
  streamId: number,
  payload: Uint8Array = EMPTY_BYTES,
): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_LENGTH + payload.byteLength);
  writeFrameHeader(out, 0, {
    length: payload.byteLength,
    type,
    flags,
    streamId,
  });
  out.set(payload, FRAME_HEADER_LENGTH);
  return out;
}

/**
 * Encodes a SETTINGS frame with `settings` (identifier, value) pairs, or an
 * acknowledgement (`ack`, no settings).
 *
 * @example Usage
 * ```ts
 * import { encodeSettings, SettingId } from "@spindle/spindle/protocols/http2";
 * const frame = encodeSettings([[SettingId.MAX_CONCURRENT_STREAMS, 100]]);
 * console.assert(frame.byteLength === 9 + 6);
 * ```
 */
export function encodeSettings(
  settings: Iterable<readonly [number, number]>,
  ack = false,
): Uint8Array {
  const list = ack ? [] : [...settings];
  const payload = new Uint8Array(list.length * 6);
  list.forEach(([id, value], i) => {
    payload[i * 6] = id >>> 8;
    payload[i * 6 + 1] = id;
    writeUint32(payload, i * 6 + 2, value);
  });
  return encodeFrame(FrameType.SETTINGS, ack ? Flag.ACK : 0, 0, payload);
}

/**
 * Parses a SETTINGS payload into (identifier, value) pairs; a length that is
 * not a multiple of 6 is a FRAME_SIZE_ERROR (RFC 9113 §6.5).
 *
 * @example Usage
 * ```ts
 * import { encodeSettings, parseSettings } from "@spindle/spindle/protocols/http2";
 * const frame = encodeSettings([[3, 100]]);
 * console.assert(parseSettings(frame.subarray(9))[0]![1] === 100);
 * ```
 */
export function parseSettings(payload: Uint8Array): Array<[number, number]> {
  if (payload.byteLength % 6 !== 0) {
    throw new H2ConnectionError(
      ErrorCode.FRAME_SIZE_ERROR,
      `a SETTINGS frame of ${payload.byteLength} bytes, not a multiple of 6`,
    );
  }
  const out: Array<[number, number]> = [];
  for (let at = 0; at < payload.byteLength; at += 6) {
    out.push([
      (payload[at]! << 8) | payload[at + 1]!,
      readUint32(payload, at + 2),
    ]);
  }
  return out;
}

/**
 * Encodes a WINDOW_UPDATE frame granting `increment` bytes on `streamId` (0:
 * the connection).
 *
 * @example Usage
 * ```ts
 * import { encodeWindowUpdate } from "@spindle/spindle/protocols/http2";
 * console.assert(encodeWindowUpdate(0, 65535).byteLength === 13);
 * ```
 */
export function encodeWindowUpdate(
  streamId: number,
  increment: number,
): Uint8Array {
  const payload = new Uint8Array(4);
  writeUint32(payload, 0, increment & 0x7fffffff);
  return encodeFrame(FrameType.WINDOW_UPDATE, 0, streamId, payload);
}

/**
 * Encodes an RST_STREAM frame for `streamId` with error `code`.
 *
 * @example Usage
 * ```ts
 * import { encodeRstStream, ErrorCode } from "@spindle/spindle/protocols/http2";
 * console.assert(encodeRstStream(1, ErrorCode.CANCEL).byteLength === 13);
 * ```
 */
export function encodeRstStream(streamId: number, code: number): Uint8Array {
  const payload = new Uint8Array(4);
  writeUint32(payload, 0, code);
  return encodeFrame(FrameType.RST_STREAM, 0, streamId, payload);
}

/**
 * Encodes a GOAWAY frame: the last stream processed, the error `code`, and
 * debug text (for people, never parsed).
 *
 * @example Usage
 * ```ts
 * import { encodeGoAway, ErrorCode } from "@spindle/spindle/protocols/http2";
 * console.assert(encodeGoAway(0, ErrorCode.NO_ERROR).byteLength === 17);
 * ```
 */
export function encodeGoAway(
  lastStreamId: number,
  code: number,
  debug = "",
): Uint8Array {
  const text = new TextEncoder().encode(debug);
  const payload = new Uint8Array(8 + text.byteLength);
  writeUint32(payload, 0, lastStreamId & 0x7fffffff);
  writeUint32(payload, 4, code);
  payload.set(text, 8);
  return encodeFrame(FrameType.GOAWAY, 0, 0, payload);
}

/**
 * The payload of a DATA, HEADERS or PUSH_PROMISE frame without its padding
 * (RFC 9113 §6.1): padding that does not fit is a PROTOCOL_ERROR.
 *
 * @example Usage
 * ```ts
 * import { type Frame, unpad } from "@spindle/spindle/protocols/http2";
 * const frame: Frame = { type: 0, flags: 0x8, streamId: 1, payload: new Uint8Array([2, 7, 0, 0]) };
 * console.assert(unpad(frame).byteLength === 1);
 * ```
 */
export function unpad(frame: Frame): Uint8Array {
  const payload = frame.payload;
  if ((frame.flags & Flag.PADDED) === 0) return payload;
  const padding = payload[0];
  if (padding === undefined || padding >= payload.byteLength) {
    throw new H2ConnectionError(
      ErrorCode.PROTOCOL_ERROR,
      `a padded frame on stream ${frame.streamId} has more padding than payload`,
    );
  }
  return payload.subarray(1, payload.byteLength - padding);
}
