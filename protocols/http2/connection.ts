/**
 * The HTTP/2 connection engine shared by the server and the client: the
 * preface and SETTINGS exchange, frame dispatch with the rules of RFC 9113
 * (stream states, CONTINUATION, flow control at both levels), PING, GOAWAY,
 * RST_STREAM, the flood counters, and one batched writer.
 *
 * Frames are handled synchronously as they are decoded, in the connection's
 * read loop; handlers and body readers run beside it. What the peer may make
 * us hold is bounded: DATA by the flow-control windows, header blocks by
 * `maxHeaderListSize` and `maxContinuationFrames`, everything else by the
 * flood counters.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import { BaseConnection } from "../../reactor/connection.ts";
import { concatChunks } from "../../reactor/bytes.ts";
import type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
import { Deadline } from "../../reactor/deadline.ts";
import { getLogger } from "../../log/mod.ts";
import {
  CONNECTION_PREFACE,
  ErrorCode,
  Flag,
  FrameType,
  SettingId,
} from "./constants.ts";
import {
  FlowControlStallError,
  H2ConnectionError,
  H2GoAwayError,
  H2StreamError,
  H2StreamResetError,
  HeaderListTooLargeError,
} from "./errors.ts";
import {
  encodeFrame,
  encodeGoAway,
  encodeRstStream,
  encodeSettings,
  encodeWindowUpdate,
  type Frame,
  FRAME_HEADER_LENGTH,
  FrameDecoderCore,
  parseSettings,
  readUint31,
  readUint32,
  unpad,
  writeFrameHeader,
} from "./frame.ts";
import { HPACKDecoder, HPACKEncoder } from "./hpack.ts";
import {
  DEFAULT_CONNECTION_WINDOW_SIZE,
  DEFAULT_HEADER_TABLE_SIZE,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_MAX_CONTINUATION_FRAMES,
  DEFAULT_MAX_CONTROL_FRAMES_PER_WINDOW,
  DEFAULT_MAX_EMPTY_FRAMES_PER_WINDOW,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_MAX_HEADER_LIST_SIZE,
  DEFAULT_MAX_RESETS_PER_WINDOW,
  DEFAULT_STALL_TIMEOUT,
  DEFAULT_STREAM_WINDOW_SIZE,
  FLOOD_WINDOW,
  type H2Limits,
} from "./limits.ts";
import { InboundWindow, INITIAL_WINDOW, MAX_WINDOW } from "./_flow.ts";
import { H2Stream, type StreamHost } from "./_stream.ts";

const logger = getLogger("spindle.http2");

/** Bytes queued for writing past which senders of DATA wait for the socket. */
const WRITE_HIGH_WATER = 64 * 1024;

/** Bytes of one pooled write buffer: a batch up to this size is not allocated. */
const OUT_BUFFER_SIZE = 128 * 1024;
/** Write buffers kept for reuse between batches, shared by all connections. */
const MAX_POOLED_OUT_BUFFERS = 32;
const outBuffers: Uint8Array[] = [];

/** The limits with their defaults filled in. */
export type ResolvedLimits = Required<H2Limits>;

/** Fills in the defaults of `limits`. */
export function resolveLimits(limits: H2Limits): ResolvedLimits {
  return {
    maxConcurrentStreams: limits.maxConcurrentStreams ??
      DEFAULT_MAX_CONCURRENT_STREAMS,
    maxHeaderListSize: limits.maxHeaderListSize ??
      DEFAULT_MAX_HEADER_LIST_SIZE,
    headerTableSize: limits.headerTableSize ?? DEFAULT_HEADER_TABLE_SIZE,
    maxContinuationFrames: limits.maxContinuationFrames ??
      DEFAULT_MAX_CONTINUATION_FRAMES,
    streamWindowSize: limits.streamWindowSize ?? DEFAULT_STREAM_WINDOW_SIZE,
    connectionWindowSize: limits.connectionWindowSize ??
      DEFAULT_CONNECTION_WINDOW_SIZE,
    maxResetsPerWindow: limits.maxResetsPerWindow ??
      DEFAULT_MAX_RESETS_PER_WINDOW,
    maxControlFramesPerWindow: limits.maxControlFramesPerWindow ??
      DEFAULT_MAX_CONTROL_FRAMES_PER_WINDOW,
    maxEmptyFramesPerWindow: limits.maxEmptyFramesPerWindow ??
      DEFAULT_MAX_EMPTY_FRAMES_PER_WINDOW,
    stallTimeout: limits.stallTimeout ?? DEFAULT_STALL_TIMEOUT,
    idleTimeout: limits.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
    maxBodySize: limits.maxBodySize ?? Infinity,
  };
}

/** A header block being received: HEADERS, then CONTINUATIONs. */
interface PendingBlock {
  streamId: number;
  endStream: boolean;
  parts: Uint8Array[];
  bytes: number;
  frames: number;
}

/** A counter of frames per {@linkcode FLOOD_WINDOW}. */
class FloodCounter {
  #count = 0;
  #start = -Infinity;
  #limit: number;
  #what: string;
  constructor(limit: number, what: string) {
    this.#limit = limit;
    this.#what = what;
  }
  add(now: number): void {
    if (now - this.#start >= FLOOD_WINDOW) {
      this.#start = now;
      this.#count = 0;
    }
    if (++this.#count > this.#limit) {
      throw new H2ConnectionError(
        ErrorCode.ENHANCE_YOUR_CALM,
        `more than ${this.#limit} ${this.#what} in ${FLOOD_WINDOW / 1000} s`,
      );
    }
  }
}

/**
 * One HTTP/2 connection; the server and the client extend it with what a
 * new header block means to them.
 */
export abstract class H2Connection implements StreamHost {
  protected readonly conn: Connection;
  protected readonly limits: ResolvedLimits;
  protected readonly clock: IReactorTime;
  protected readonly streams: Map<number, H2Stream> = new Map();
  protected readonly encoder: HPACKEncoder = new HPACKEncoder();
  /** The highest stream id the peer opened (server) or we processed (client). */
  protected lastPeerStream = 0;
  /** Set once GOAWAY was sent or received: no new streams. */
  protected goingAway = false;
  /** Set once the connection is closing: nothing more is written. */
  protected closing = false;
  /** The peer's SETTINGS. */
  protected peerMaxConcurrentStreams = Infinity;
  protected peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  protected peerInitialWindow = INITIAL_WINDOW;
  protected peerMaxHeaderListSize = Infinity;
  protected peerEnableConnect = false;
  /** Streams opened by the peer and not yet closed. */
  protected peerStreamCount = 0;

  #isServer: boolean;
  #decoder: FrameDecoderCore;
  #hpack: HPACKDecoder;
  #inbound: InboundWindow;
  #sendWindow = INITIAL_WINDOW;
  #block: PendingBlock | null = null;
  #sawSettings = false;
  #resets: FloodCounter;
  #control: FloodCounter;
  #empty: FloodCounter;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #drained: Array<() => void> = [];
  #room: Array<() => void> = [];
  #blocked = new Set<H2Stream>();
  #stallTimer: DelayedCall | null = null;
  #deadline: Deadline<"idle">;
  #done!: () => void;
  /** Resolves when the connection has closed. */
  readonly done: Promise<void> = new Promise((resolve) => this.#done = resolve);

  constructor(
    conn: Connection,
    limits: ResolvedLimits,
    clock: IReactorTime,
    isServer: boolean,
  ) {
    this.conn = conn;
    this.limits = limits;
    this.clock = clock;
    this.#isServer = isServer;
    this.#decoder = new FrameDecoderCore();
    this.#hpack = new HPACKDecoder({
      maxTableSize: limits.headerTableSize,
      maxHeaderListSize: limits.maxHeaderListSize,
    });
    this.#inbound = new InboundWindow(limits.connectionWindowSize);
    this.#resets = new FloodCounter(
      limits.maxResetsPerWindow,
      "reset or refused streams (rapid reset)",
    );
    this.#control = new FloodCounter(
      limits.maxControlFramesPerWindow,
      "PING and SETTINGS frames",
    );
    this.#empty = new FloodCounter(
      limits.maxEmptyFramesPerWindow,
      "empty frames",
    );
    this.#deadline = new Deadline(clock, () => this.#onIdle(), {
      tickCap: limits.idleTimeout,
    });
  }

  /** A complete header block that opens stream `id` (server: a request). */
  protected abstract onOpen(id: number, fields: string[], end: boolean): void;
  /** A complete header block on an open stream (server: trailers; client: a response). */
  protected abstract onHeaders(
    stream: H2Stream,
    fields: string[],
    end: boolean,
  ): void;
  /** A stream was removed (both sides closed, or reset). */
  protected onStreamClosed(_stream: H2Stream): void {}
  /** The peer sent GOAWAY. */
  protected onGoAway(_error: H2GoAwayError): void {}

  /** Runs the connection until it closes; never rejects. */
  async run(): Promise<void> {
    try {
      this.#start();
      if (this.#isServer) await this.#readPreface();
      while (!this.closing) {
        const chunk = await this.conn.read();
        if (chunk === null || this.closing) break;
        this.#decodeChunk(chunk);
      }
    } catch (error) {
      this.#failed(error);
    } finally {
      this.#finish();
    }
  }

  /** Sends our SETTINGS (and the client preface) and opens the connection window. */
  #start(): void {
    const limits = this.limits;
    const settings: Array<[number, number]> = [
      [SettingId.MAX_CONCURRENT_STREAMS, limits.maxConcurrentStreams],
      [SettingId.INITIAL_WINDOW_SIZE, limits.streamWindowSize],
      [SettingId.MAX_HEADER_LIST_SIZE, limits.maxHeaderListSize],
    ];
    if (limits.headerTableSize !== DEFAULT_HEADER_TABLE_SIZE) {
      settings.push([SettingId.HEADER_TABLE_SIZE, limits.headerTableSize]);
    }
    if (!this.#isServer) {
      this.send(CONNECTION_PREFACE);
      settings.push([SettingId.ENABLE_PUSH, 0]);
    } else {
      // RFC 8441: clients may open WebSockets (`:protocol`) on a stream.
      settings.push([SettingId.ENABLE_CONNECT_PROTOCOL, 1]);
    }
    this.send(encodeSettings(settings));
    const extra = limits.connectionWindowSize - INITIAL_WINDOW;
    if (extra > 0) this.send(encodeWindowUpdate(0, extra));
    this.#deadline.arm("idle", limits.idleTimeout);
  }

  async #readPreface(): Promise<void> {
    let got = new Uint8Array(0);
    while (got.byteLength < CONNECTION_PREFACE.byteLength) {
      const chunk = await this.conn.read();
      if (chunk === null) {
        throw new H2ConnectionError(
          ErrorCode.PROTOCOL_ERROR,
          "the connection ended before the client preface",
        );
      }
      const next = new Uint8Array(got.byteLength + chunk.byteLength);
      next.set(got);
      next.set(chunk, got.byteLength);
      got = next;
    }
    for (let i = 0; i < CONNECTION_PREFACE.byteLength; i++) {
      if (got[i] !== CONNECTION_PREFACE[i]) {
        throw new H2ConnectionError(
          ErrorCode.PROTOCOL_ERROR,
          "the client preface is wrong: start with PRI * HTTP/2.0",
        );
      }
    }
    const rest = got.subarray(CONNECTION_PREFACE.byteLength);
    if (rest.byteLength > 0) this.#decodeChunk(rest);
  }

  #frames: Frame[] = [];

  #decodeChunk(chunk: Uint8Array): void {
    const frames = this.#frames;
    frames.length = 0;
    this.#decoder.decode(chunk, frames);
    for (let i = 0; i < frames.length && !this.closing; i++) {
      this.#onFrame(frames[i]!);
    }
    frames.length = 0;
  }

  #onFrame(frame: Frame): void {
    if (!this.#sawSettings) {
      if (frame.type !== FrameType.SETTINGS || (frame.flags & Flag.ACK)) {
        throw new H2ConnectionError(
          ErrorCode.PROTOCOL_ERROR,
          "the first frame is not SETTINGS (RFC 9113 §3.4)",
        );
      }
      this.#sawSettings = true;
    }
    const block = this.#block;
    try {
      if (block !== null) {
        if (
          frame.type !== FrameType.CONTINUATION ||
          frame.streamId !== block.streamId
        ) {
          throw new H2ConnectionError(
            ErrorCode.PROTOCOL_ERROR,
            "a header block was interrupted by another frame (RFC 9113 §6.10)",
          );
        }
        return this.#continuation(frame, block);
      }
      switch (frame.type) {
        case FrameType.DATA:
          return this.#data(frame);
        case FrameType.HEADERS:
          return this.#headers(frame);
        case FrameType.PRIORITY:
          return this.#priority(frame);
        case FrameType.RST_STREAM:
          return this.#rstStream(frame);
        case FrameType.SETTINGS:
          return this.#settings(frame);
        case FrameType.PUSH_PROMISE:
          throw new H2ConnectionError(
            ErrorCode.PROTOCOL_ERROR,
            this.#isServer
              ? "a client sent PUSH_PROMISE (RFC 9113 §8.4)"
              : "PUSH_PROMISE, though SETTINGS_ENABLE_PUSH is 0",
          );
        case FrameType.PING:
          return this.#ping(frame);
        case FrameType.GOAWAY:
          return this.#goAway(frame);
        case FrameType.WINDOW_UPDATE:
          return this.#windowUpdate(frame);
        case FrameType.CONTINUATION:
          throw new H2ConnectionError(
            ErrorCode.PROTOCOL_ERROR,
            "a CONTINUATION frame without a header block before it",
          );
        default:
          // Unknown frame types are ignored (RFC 9113 §4.1).
          return;
      }
    } catch (error) {
      if (!(error instanceof H2StreamError)) throw error;
      this.resetStream(error.streamId, error.code, error);
    }
  }

  /** The stream `id` refers to, or why not: a connection error for an idle stream. */
  #known(id: number, what: string): H2Stream | undefined {
    const stream = this.streams.get(id);
    if (stream === undefined && this.#isIdle(id)) {
      throw new H2ConnectionError(
        ErrorCode.PROTOCOL_ERROR,
        `${what} on stream ${id}, which was never opened`,
      );
    }
    return stream;
  }

  /** Whether stream `id` is idle: never opened by either side. */
  #isIdle(id: number): boolean {
    const peerOpens = (id % 2 === 1) === this.#isServer;
    return peerOpens ? id > this.lastPeerStream : id > this.lastLocalStream;
  }

  /** The highest stream id we opened (client). */
  protected lastLocalStream = 0;

  #data(frame: Frame): void {
    const id = frame.streamId;
    if (id === 0) {
      throw new H2ConnectionError(
        ErrorCode.PROTOCOL_ERROR,
        "a DATA frame on stream 0",
      );
    }
    const length = frame.payload.byteLength;
    // The whole frame counts, padding included (RFC 9113 §6.9.1).
    if (!this.#inbound.receive(length)) {
      throw new H2ConnectionError(
        ErrorCode.FLOW_CONTROL_ERROR,
        "the peer sent more DATA than the connection window allows",
      );
    }
    const end = (frame.flags & Flag.END_STREAM) !== 0;
    if (length === 0 && !end) this.#empty.add(this.clock.now());
    const stream = this.#known(id, "DATA");
    if (stream === undefined || stream.remoteClosed) {
      // Its credit goes back to the connection: the stream is gone.
      this.#grantConnection(length);
      throw new H2StreamError(
        ErrorCode.STREAM_CLOSED,
        id,
        "DATA on a stream the peer had closed",
      );
    }
    const data = unpad(frame);
    if (!stream.inbound.receive(length)) {
      this.#grantConnection(length);
      throw new H2StreamError(
        ErrorCode.FLOW_CONTROL_ERROR,
        id,
        "the peer sent more DATA than the stream window allows",
      );
    }
    // Padding is granted back at once: no reader will take it.
    const padding = length - data.byteLength;
    if (padding > 0) this.taken(stream, padding);
    stream.received += data.byteLength;
    if (
      stream.expectedLength >= 0 && stream.received > stream.expectedLength
    ) {
      this.#grantConnection(data.byteLength);
      throw new H2StreamError(
        ErrorCode.PROTOCOL_ERROR,
        id,
        `more DATA than the content-length of ${stream.expectedLength} (RFC 9113 §8.1.1)`,
      );
    }
    if (stream.received > this.limits.maxBodySize) {
      this.#grantConnection(data.byteLength);
      throw new H2StreamError(
        ErrorCode.CANCEL,
        id,
        `a body over ${this.limits.maxBodySize} bytes (maxBodySize)`,
      );
    }
    if (data.byteLength > 0) stream.push(data);
    if (end) this.#endRemote(stream, new Headers());
  }

  /** The peer finished sending on `stream`, with `trailers`. */
  #endRemote(stream: H2Stream, trailers: Headers): void {
    if (
      stream.expectedLength >= 0 && stream.received !== stream.expectedLength
    ) {
      throw new H2StreamError(
        ErrorCode.PROTOCOL_ERROR,
        stream.id,
        `${stream.received} bytes of DATA, not the content-length of ${stream.expectedLength} (RFC 9113 §8.1.1)`,
      );
    }
    stream.closeRemote();
    stream.end(trailers);
    if (stream.state === "closed") this.#remove(stream);
  }

  #headers(frame: Frame): void {
    const id = frame.streamId;
    if (id === 0) {
      throw new H2ConnectionError(
        ErrorCode.PROTOCOL_ERROR,
        "a HEADERS frame on stream 0",
      );
    }
    let payload = unpad(frame);
    if (frame.flags & Flag.PRIORITY) {
      if (payload.byteLength < 5) {
        throw new H2ConnectionError(
          ErrorCode.FRAME_SIZE_ERROR,
          "a HEADERS frame too short for its priority fields",
        );
      }
      if (readUint31(payload, 0) === id) {
        throw new H2StreamError(
          ErrorCode.PROTOCOL_ERROR,
          id,
          "a stream that depends on itself (RFC 9113 §5.3.1)",
        );
      }
      payload = payload.subarray(5);
    }
    const block: PendingBlock = {
      streamId: id,
      endStream: (frame.flags & Flag.END_STREAM) !== 0,
      parts: [payload],
      bytes: payload.byteLength,
      frames: 1,
    };
    if (frame.flags & Flag.END_HEADERS) {
      this.#blockDone(block);
    } else {
      if (payload.byteLength === 0) this.#empty.add(this.clock.now());
      this.#block = block;
    }
  }

  #continuation(frame: Frame, block: PendingBlock): void {
    const payload = frame.payload;
    const end = (frame.flags & Flag.END_HEADERS) !== 0;
    if (payload.byteLength === 0 && !end) this.#empty.add(this.clock.now());
    block.frames++;
    block.bytes += payload.byteLength;
    if (block.frames > this.limits.maxContinuationFrames) {
      throw new H2ConnectionError(
        ErrorCode.ENHANCE_YOUR_CALM,
        `a header block of more than ${this.limits.maxContinuationFrames} frames (maxContinuationFrames): a CONTINUATION flood`,
      );
    }
    // An encoded block is rarely larger than the list it decodes to; one
    // over the list limit plus room for framing is refused unread.
    if (block.bytes > this.limits.maxHeaderListSize + 1024) {
      throw new HeaderListTooLargeError(this.limits.maxHeaderListSize);
    }
    block.parts.push(payload.slice());
    if (end) {
      this.#block = null;
      this.#blockDone(block);
    }
  }

  #blockDone(block: PendingBlock): void {
    const bytes = block.parts.length === 1
      ? block.parts[0]!
      : concatChunks(block.parts);
    // Decoded even for a stream we will refuse: the table must stay in step.
    const fields = this.#hpack.decode(bytes);
    const id = block.streamId;
    const stream = this.streams.get(id);
    if (stream !== undefined) {
      if (stream.remoteClosed) {
        throw new H2StreamError(
          ErrorCode.STREAM_CLOSED,
          id,
          "HEADERS on a stream the peer had closed",
        );
      }
      this.onHeaders(stream, fields, block.endStream);
      return;
    }
    const peerOpens = (id % 2 === 1) === this.#isServer;
    if (!peerOpens || id <= this.lastPeerStream) {
      if (!peerOpens && !this.#isIdle(id)) return; // a stream we reset
      throw new H2ConnectionError(
        ErrorCode.PROTOCOL_ERROR,
        peerOpens
          ? `HEADERS reopening stream ${id}: stream ids must grow (RFC 9113 §5.1.1)`
          : `HEADERS opening stream ${id}, an id the peer may not use`,
      );
    }
    this.lastPeerStream = id;
    // After our GOAWAY, new streams are ignored (RFC 9113 §6.8).
    if (this.goingAway) return;
    if (this.peerStreamCount >= this.limits.maxConcurrentStreams) {
      this.#resets.add(this.clock.now());
      this.send(encodeRstStream(id, ErrorCode.REFUSED_STREAM));
      return;
    }
    this.onOpen(id, fields, block.endStream);
  }

  /** Registers a stream the peer opened (the server's request) or we opened. */
  protected addStream(id: number, peer: boolean): H2Stream {
    const stream = new H2Stream(
      id,
      this,
      this.peerInitialWindow,
      this.limits.streamWindowSize,
    );
    this.streams.set(id, stream);
    if (peer) this.peerStreamCount++;
    if (this.streams.size === 1) this.#deadline.suspend();
    return stream;
  }

  /** The peer's trailers or final END_STREAM HEADERS on `stream`. */
  protected endWithTrailers(stream: H2Stream, trailers: Headers): void {
    this.#endRemote(stream, trailers);
  }

  #priority(frame: Frame): void {
    if (frame.streamId === 0) {
      throw new H2ConnectionError(
        ErrorCode.PROTOCOL_ERROR,
        "a PRIORITY frame on stream 0",
      );
    }
    if (frame.payload.byteLength !== 5) {
      throw new H2StreamError(
        ErrorCode.FRAME_SIZE_ERROR,
        frame.streamId,
        "a PRIORITY frame that is not 5 bytes",
      );
    }
    if (readUint31(frame.payload, 0) === frame.streamId) {
      throw new H2StreamError(
        ErrorCode.PROTOCOL_ERROR,
        frame.streamId,
        "a stream that depends on itself (RFC 9113 §5.3.1)",
      );
    }
    // Priorities are deprecated (RFC 9113 §5.3.2): nothing else to do.
  }

  #rstStream(frame: Frame): void {
    const id = frame.streamId;
    if (id === 0) {
      throw new H2ConnectionError(
        ErrorCode.PROTOCOL_ERROR,
        "an RST_STREAM frame on stream 0",
      );
    }
    if (frame.payload.byteLength !== 4) {
      throw new H2ConnectionError(
        ErrorCode.FRAME_SIZE_ERROR,
        "an RST_STREAM frame that is not 4 bytes",
      );
    }
    const stream = this.#known(id, "RST_STREAM");
    if (stream === undefined) return;
    this.#resets.add(this.clock.now());
    const error = new H2StreamResetError(readUint32(frame.payload, 0));
    this.#close(stream, error);
  }

  #settings(frame: Frame): void {
    if (frame.streamId !== 0) {
      throw new H2ConnectionError(
        ErrorCode.PROTOCOL_ERROR,
        "a SETTINGS frame on a stream",
      );
    }
    this.#control.add(this.clock.now());
    if (frame.flags & Flag.ACK) {
      if (frame.payload.byteLength !== 0) {
        throw new H2ConnectionError(
          ErrorCode.FRAME_SIZE_ERROR,
          "a SETTINGS acknowledgement with a payload",
        );
      }
      return;
    }
    for (const [id, value] of parseSettings(frame.payload)) {
      switch (id) {
        case SettingId.HEADER_TABLE_SIZE:
          this.encoder.setMaxTableSize(value);
          break;
        case SettingId.ENABLE_PUSH:
          if (value > 1 || (!this.#isServer && value !== 0)) {
            throw new H2ConnectionError(
              ErrorCode.PROTOCOL_ERROR,
              `SETTINGS_ENABLE_PUSH of ${value}`,
            );
          }
          break;
        case SettingId.MAX_CONCURRENT_STREAMS:
          this.peerMaxConcurrentStreams = value;
          break;
        case SettingId.INITIAL_WINDOW_SIZE:
          this.#setInitialWindow(value);
          break;
        case SettingId.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > 0xffffff) {
            throw new H2ConnectionError(
              ErrorCode.PROTOCOL_ERROR,
              `SETTINGS_MAX_FRAME_SIZE of ${value}, outside 16384..16777215`,
            );
          }
          this.peerMaxFrameSize = value;
          break;
        case SettingId.MAX_HEADER_LIST_SIZE:
          this.peerMaxHeaderListSize = value;
          break;
        case SettingId.ENABLE_CONNECT_PROTOCOL:
          this.peerEnableConnect = value === 1;
          break;
          // Unknown settings are ignored (RFC 9113 §6.5.2).
      }
    }
    this.send(encodeSettings([], true));
  }

  #setInitialWindow(value: number): void {
    if (value > MAX_WINDOW) {
      throw new H2ConnectionError(
        ErrorCode.FLOW_CONTROL_ERROR,
        `SETTINGS_INITIAL_WINDOW_SIZE of ${value}, over 2^31-1`,
      );
    }
    const delta = value - this.peerInitialWindow;
    this.peerInitialWindow = value;
    for (const stream of this.streams.values()) {
      stream.sendWindow += delta;
      if (stream.sendWindow > MAX_WINDOW) {
        throw new H2ConnectionError(
          ErrorCode.FLOW_CONTROL_ERROR,
          "SETTINGS_INITIAL_WINDOW_SIZE overflows a stream's window",
        );
      }
    }
    if (delta > 0) this.#wakeSenders();
  }

  #ping(frame: Frame): void {
    if (frame.streamId !== 0) {
      throw new H2ConnectionError(
        ErrorCode.PROTOCOL_ERROR,
        "a PING frame on a stream",
      );
    }
    if (frame.payload.byteLength !== 8) {
      throw new H2ConnectionError(
        ErrorCode.FRAME_SIZE_ERROR,
        "a PING frame that is not 8 bytes",
      );
    }
    if (frame.flags & Flag.ACK) return;
    this.#control.add(this.clock.now());
    this.send(encodeFrame(FrameType.PING, Flag.ACK, 0, frame.payload));
  }

  #goAway(frame: Frame): void {
    if (frame.streamId !== 0) {
      throw new H2ConnectionError(
        ErrorCode.PROTOCOL_ERROR,
        "a GOAWAY frame on a stream",
      );
    }
    if (frame.payload.byteLength < 8) {
      throw new H2ConnectionError(
        ErrorCode.FRAME_SIZE_ERROR,
        "a GOAWAY frame shorter than 8 bytes",
      );
    }
    const error = new H2GoAwayError(
      readUint32(frame.payload, 4),
      readUint31(frame.payload, 0),
    );
    if (error.code !== ErrorCode.NO_ERROR) {
      logger.debug("the peer sent GOAWAY: {reason}", { reason: error.message });
    }
    this.goingAway = true;
    this.onGoAway(error);
    if (this.streams.size === 0) this.closeConnection();
  }

  #windowUpdate(frame: Frame): void {
    if (frame.payload.byteLength !== 4) {
      throw new H2ConnectionError(
        ErrorCode.FRAME_SIZE_ERROR,
        "a WINDOW_UPDATE frame that is not 4 bytes",
      );
    }
    const increment = readUint31(frame.payload, 0);
    const id = frame.streamId;
    if (id === 0) {
      if (increment === 0) {
        throw new H2ConnectionError(
          ErrorCode.PROTOCOL_ERROR,
          "a WINDOW_UPDATE of 0 for the connection",
        );
      }
      this.#sendWindow += increment;
      if (this.#sendWindow > MAX_WINDOW) {
        throw new H2ConnectionError(
          ErrorCode.FLOW_CONTROL_ERROR,
          "a WINDOW_UPDATE that takes the connection window over 2^31-1",
        );
      }
      this.#wakeSenders();
      return;
    }
    const stream = this.#known(id, "WINDOW_UPDATE");
    if (increment === 0) {
      throw new H2StreamError(
        ErrorCode.PROTOCOL_ERROR,
        id,
        "a WINDOW_UPDATE of 0",
      );
    }
    if (stream === undefined) return;
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) {
      throw new H2StreamError(
        ErrorCode.FLOW_CONTROL_ERROR,
        id,
        "a WINDOW_UPDATE that takes the window over 2^31-1",
      );
    }
    const wake = stream.wakeSender;
    stream.wakeSender = null;
    wake?.();
  }

  /** The reader of `stream`'s body took `n` bytes: grant them back, in batches. */
  taken(stream: H2Stream, n: number): void {
    this.#grantConnection(n);
    if (stream.remoteClosed || this.closing) return;
    const grant = stream.inbound.take(n);
    if (grant > 0) this.send(encodeWindowUpdate(stream.id, grant));
  }

  #grantConnection(n: number): void {
    if (n === 0 || this.closing) return;
    const grant = this.#inbound.take(n);
    if (grant > 0) this.send(encodeWindowUpdate(0, grant));
  }

  #wakeSenders(): void {
    for (const stream of this.#blocked) {
      const wake = stream.wakeSender;
      stream.wakeSender = null;
      wake?.();
    }
  }

  // ---- Sending ----

  /** Queues bytes for the socket; they go out in one write with whatever else is queued this turn. */
  protected send(bytes: Uint8Array): void {
    if (this.closing) return;
    this.#queue.push(bytes);
    this.#queued += bytes.byteLength;
    if (!this.#writing) {
      this.#writing = true;
      queueMicrotask(() => this.#flush());
    }
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const parts = this.#queue;
      const size = this.#queued;
      this.#queue = [];
      this.#queued = 0;
      try {
        if (parts.length === 1) await this.conn.write(parts[0]!);
        else if (
          size <= OUT_BUFFER_SIZE && this.conn instanceof BaseConnection &&
          !this.conn.writeBorrowedCopies
        ) {
          // A batch is copied into a pooled buffer lent to the socket: a fresh
          // one per write (64 KiB responses: 4 DATA frames and their headers)
          // cost more in zeroing, page faults and GC than the copy itself.
          // A transport that keeps chunks after its write resolves (node:tls,
          // an HTTP/2 tunnel) would copy a lent buffer again, so it is given
          // the fresh concatenation below instead.
          const buffer = outBuffers.pop() ?? new Uint8Array(OUT_BUFFER_SIZE);
          let at = 0;
          for (const part of parts) {
            buffer.set(part, at);
            at += part.byteLength;
          }
          try {
            await this.conn.writeBorrowed(buffer.subarray(0, at));
          } finally {
            if (outBuffers.length < MAX_POOLED_OUT_BUFFERS) {
              outBuffers.push(buffer);
            }
          }
        } else await this.conn.write(concatChunks(parts, size));
      } catch {
        this.#queue.length = 0;
        this.closing = true;
        this.conn.abort();
        break;
      }
      // Senders wait for room, not for an empty queue: under load the queue
      // is never empty, and waking them all at once only makes bursts.
      if (this.#queued < WRITE_HIGH_WATER) this.#wakeRoom();
    }
    this.#writing = false;
    this.#wakeRoom();
    const drained = this.#drained;
    this.#drained = [];
    for (const resolve of drained) resolve();
  }

  #wakeRoom(): void {
    const room = this.#room;
    this.#room = [];
    for (const resolve of room) resolve();
  }

  /** Resolves once less than `WRITE_HIGH_WATER` bytes wait for the socket. */
  #roomToWrite(): Promise<void> {
    return new Promise((resolve) => this.#room.push(resolve));
  }

  /** Resolves once what is queued now has been written. */
  protected flushed(): Promise<void> {
    if (!this.#writing) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Sends a header block for `stream`, cut into HEADERS and CONTINUATION frames. */
  protected sendHeaders(
    stream: H2Stream,
    fields: readonly string[],
    end: boolean,
  ): void {
    const block = this.encoder.encode(fields);
    const max = this.peerMaxFrameSize;
    let at = 0;
    let type: number = FrameType.HEADERS;
    do {
      const piece = block.subarray(at, at + max);
      at += piece.byteLength;
      let flags = at >= block.byteLength ? Flag.END_HEADERS : 0;
      if (type === FrameType.HEADERS && end) flags |= Flag.END_STREAM;
      this.send(encodeFrame(type, flags, stream.id, piece));
      type = FrameType.CONTINUATION;
    } while (at < block.byteLength);
    if (end) this.endLocal(stream);
  }

  /**
   * Sends `data` on `stream` as DATA frames, as the windows allow: waits for
   * WINDOW_UPDATE while either is closed (at most `stallTimeout`), and for
   * the socket while much is queued. Rejects when the stream is reset.
   */
  protected async sendData(
    stream: H2Stream,
    data: Uint8Array,
    end: boolean,
  ): Promise<void> {
    if (data.byteLength === 0 && !end) return;
    let at = 0;
    // Until the last piece is queued: an empty `data` still sends its
    // END_STREAM (after any wait for room), so the loop cannot test `at`.
    while (true) {
      if (stream.abort.signal.aborted || this.closing) {
        throw stream.abort.signal.reason ??
          new H2StreamResetError(ErrorCode.CANCEL);
      }
      const room = Math.min(
        stream.sendWindow,
        this.#sendWindow,
        this.peerMaxFrameSize,
        data.byteLength - at,
      );
      if (room <= 0 && data.byteLength > at) {
        await this.#waitForWindow(stream);
        continue;
      }
      if (this.#queued >= WRITE_HIGH_WATER) {
        await this.#roomToWrite();
        continue;
      }
      const piece = data.subarray(at, at + room);
      at += piece.byteLength;
      stream.sendWindow -= piece.byteLength;
      this.#sendWindow -= piece.byteLength;
      const last = end && at >= data.byteLength;
      const header = new Uint8Array(FRAME_HEADER_LENGTH);
      writeFrameHeader(header, 0, {
        length: piece.byteLength,
        type: FrameType.DATA,
        flags: last ? Flag.END_STREAM : 0,
        streamId: stream.id,
      });
      this.send(header);
      if (piece.byteLength > 0) this.send(piece);
      if (last) this.endLocal(stream);
      if (at >= data.byteLength) return;
    }
  }

  #waitForWindow(stream: H2Stream): Promise<void> {
    this.#blocked.add(stream);
    this.#stallTimer ??= this.clock.callLater(
      this.limits.stallTimeout,
      () => this.#onStall(),
    );
    return new Promise<void>((resolve) => {
      stream.wakeSender = resolve;
    }).finally(() => {
      this.#blocked.delete(stream);
      // Any window opening is progress: the stall clock starts again.
      this.#stallTimer?.cancel();
      this.#stallTimer = null;
    });
  }

  #onStall(): void {
    this.#stallTimer = null;
    if (this.#blocked.size === 0) return;
    this.#failed(new FlowControlStallError(this.limits.stallTimeout));
  }

  /** We sent END_STREAM on `stream`. */
  protected endLocal(stream: H2Stream): void {
    stream.closeLocal();
    if (stream.state === "closed") this.#remove(stream);
  }

  /** Resets stream `id` with `code` (RST_STREAM) and forgets it. */
  resetStream(id: number, code: number, reason?: unknown): void {
    this.send(encodeRstStream(id, code));
    const stream = this.streams.get(id);
    if (stream === undefined) return;
    if (reason !== undefined) {
      logger.debug("reset stream {id}: {reason}", { id, reason });
    }
    this.#close(
      stream,
      reason instanceof Error ? reason : new H2StreamResetError(code),
    );
  }

  /** Ends `stream` early: its body and its sender fail with `error`. */
  #close(stream: H2Stream, error: Error): void {
    stream.state = "closed";
    stream.fail(error);
    stream.discard();
    if (!stream.abort.signal.aborted) stream.abort.abort(error);
    stream.requestAbort?.abort();
    const wake = stream.wakeSender;
    stream.wakeSender = null;
    wake?.();
    this.#remove(stream);
  }

  #remove(stream: H2Stream): void {
    if (!this.streams.delete(stream.id)) return;
    const peerOpened = (stream.id % 2 === 1) === this.#isServer;
    if (peerOpened) this.peerStreamCount--;
    this.onStreamClosed(stream);
    if (this.streams.size === 0) {
      if (this.goingAway) {
        this.closeConnection();
      } else {
        this.#deadline.arm("idle", this.limits.idleTimeout);
      }
    }
  }

  /** Sends GOAWAY with NO_ERROR: streams in flight finish, then the connection closes. */
  goAwayGracefully(): void {
    if (this.goingAway || this.closing) {
      if (this.streams.size === 0) this.closeConnection();
      return;
    }
    this.goingAway = true;
    this.send(encodeGoAway(this.lastPeerStream, ErrorCode.NO_ERROR));
    if (this.streams.size === 0) this.closeConnection();
  }

  #onIdle(): void {
    if (this.streams.size > 0 || this.closing) return;
    this.goingAway = true;
    this.send(encodeGoAway(this.lastPeerStream, ErrorCode.NO_ERROR, "idle"));
    this.closeConnection();
  }

  /** A connection error: GOAWAY with its code, then close. */
  #failed(error: unknown): void {
    if (this.closing) return;
    if (error instanceof H2ConnectionError) {
      logger.debug("closing an HTTP/2 connection: {reason}", {
        reason: error.message,
      });
      this.goingAway = true;
      this.send(
        encodeGoAway(this.lastPeerStream, error.code, error.message),
      );
      this.#abortStreams(error);
      this.closeConnection();
      return;
    }
    this.closing = true;
    this.#abortStreams(error);
    this.conn.abort(error);
  }

  #abortStreams(error: unknown): void {
    const reason = error instanceof Error ? error : new Error(String(error));
    for (const stream of [...this.streams.values()]) {
      this.#close(stream, reason);
    }
  }

  /** Flushes what is queued and closes the socket. */
  protected closeConnection(): void {
    if (this.closing) return;
    this.#deadline.cancel();
    const queued = this.flushed();
    this.closing = true;
    queued.then(() => this.conn.close()).catch(() => {});
  }

  #finish(): void {
    this.#deadline.cancel();
    this.#stallTimer?.cancel();
    this.#stallTimer = null;
    if (!this.closing) this.closeConnection();
    this.#abortStreams(
      new H2StreamResetError(ErrorCode.CANCEL),
    );
    this.conn.closed.catch(() => {}).finally(() => this.#done());
  }
}
