/**
 * Every limit and timeout of HTTP/2 in Spindle, with its default, once
 * ({@linkcode H2Limits}). Server and client options extend it.
 *
 * @module
 */

/**
 * The default `maxConcurrentStreams`: 100 open streams a peer may have at once
 * (the floor RFC 9113 §6.5.2 recommends), sent as
 * SETTINGS_MAX_CONCURRENT_STREAMS; a HEADERS frame over it is refused.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_CONCURRENT_STREAMS } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_MAX_CONCURRENT_STREAMS === 100);
 * ```
 */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 100;

/**
 * The default `maxHeaderListSize`: 16 KiB of decoded header fields (names,
 * values and 32 bytes per field, RFC 7541 §4.1), as HTTP/1.1's header limit;
 * sent as SETTINGS_MAX_HEADER_LIST_SIZE. It bounds HPACK bombs and
 * CONTINUATION floods, whose blocks are decoded as they arrive.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_HEADER_LIST_SIZE } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_MAX_HEADER_LIST_SIZE === 16384);
 * ```
 */
export const DEFAULT_MAX_HEADER_LIST_SIZE = 16384;

/**
 * The default `headerTableSize`: the HPACK dynamic table a peer may fill for
 * us to decode with, 4096 bytes (the initial value of RFC 9113 §6.5.2).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_HEADER_TABLE_SIZE } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_HEADER_TABLE_SIZE === 4096);
 * ```
 */
export const DEFAULT_HEADER_TABLE_SIZE = 4096;

/**
 * The largest frame payload we accept, 16384 bytes (the initial
 * SETTINGS_MAX_FRAME_SIZE, RFC 9113 §4.2); a longer frame is a
 * FRAME_SIZE_ERROR.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_FRAME_SIZE } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_MAX_FRAME_SIZE === 16384);
 * ```
 */
export const DEFAULT_MAX_FRAME_SIZE = 16384;

/**
 * The default `streamWindowSize`: 1 MiB that a peer may send on one stream
 * before the body's reader takes it (SETTINGS_INITIAL_WINDOW_SIZE). Larger
 * than RFC 9113's 65,535 so one upload fills a loopback or LAN pipe; the
 * window reopens only as the handler reads, so a slow reader holds at most
 * this much per stream.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_STREAM_WINDOW_SIZE } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_STREAM_WINDOW_SIZE === 1024 * 1024);
 * ```
 */
export const DEFAULT_STREAM_WINDOW_SIZE = 1024 * 1024;

/**
 * The default `connectionWindowSize`: 4 MiB a peer may send over all streams
 * of a connection before their readers take it; at most this much request
 * body is buffered per connection.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_CONNECTION_WINDOW_SIZE } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_CONNECTION_WINDOW_SIZE === 4 * 1024 * 1024);
 * ```
 */
export const DEFAULT_CONNECTION_WINDOW_SIZE = 4 * 1024 * 1024;

/**
 * The default `maxContinuationFrames`: a header block may span at most 32
 * frames (HEADERS and its CONTINUATIONs). Curl, browsers and nghttp2 send one
 * or two; a stream of empty CONTINUATION frames (the 2024 CONTINUATION flood)
 * ends the connection with ENHANCE_YOUR_CALM.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_CONTINUATION_FRAMES } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_MAX_CONTINUATION_FRAMES === 32);
 * ```
 */
export const DEFAULT_MAX_CONTINUATION_FRAMES = 32;

/**
 * The window of the flood counters, 10 s: resets, control frames and empty
 * frames are counted per window ({@linkcode H2Limits}).
 *
 * @example Usage
 * ```ts
 * import { FLOOD_WINDOW } from "@spindle/spindle/protocols/http2";
 * console.assert(FLOOD_WINDOW === 10_000);
 * ```
 */
export const FLOOD_WINDOW = 10_000;

/**
 * The default `maxResetsPerWindow`: 200 streams a peer may reset (or have
 * refused) per {@linkcode FLOOD_WINDOW}. The rapid-reset attack
 * (CVE-2023-44487) opens and cancels streams at once to make the server start
 * handlers it never finishes; past this the connection ends with
 * ENHANCE_YOUR_CALM.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_RESETS_PER_WINDOW } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_MAX_RESETS_PER_WINDOW === 200);
 * ```
 */
export const DEFAULT_MAX_RESETS_PER_WINDOW = 200;

/**
 * The default `maxControlFramesPerWindow`: 1000 PING and SETTINGS frames per
 * {@linkcode FLOOD_WINDOW}. Each asks for an answer, so a flood of them from a
 * client that does not read would fill the server's memory (CVE-2019-9512,
 * -9515); past this the connection ends with ENHANCE_YOUR_CALM.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_CONTROL_FRAMES_PER_WINDOW } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_MAX_CONTROL_FRAMES_PER_WINDOW === 1000);
 * ```
 */
export const DEFAULT_MAX_CONTROL_FRAMES_PER_WINDOW = 1000;

/**
 * The default `maxEmptyFramesPerWindow`: 100 frames per
 * {@linkcode FLOOD_WINDOW} that carry nothing (DATA, HEADERS or CONTINUATION
 * with no payload and no END_STREAM), which cost work and do no good
 * (CVE-2019-9518); past this the connection ends with ENHANCE_YOUR_CALM.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_EMPTY_FRAMES_PER_WINDOW } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_MAX_EMPTY_FRAMES_PER_WINDOW === 100);
 * ```
 */
export const DEFAULT_MAX_EMPTY_FRAMES_PER_WINDOW = 100;

/**
 * The default `stallTimeout`: 30 s a response may wait for the peer to open a
 * closed flow-control window before the connection ends with
 * ENHANCE_YOUR_CALM (a peer that never reads would hold the stream and its
 * handler forever).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_STALL_TIMEOUT } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_STALL_TIMEOUT === 30_000);
 * ```
 */
export const DEFAULT_STALL_TIMEOUT = 30_000;

/**
 * The default `idleTimeout`: 60 s a connection with no open stream stays
 * open before the server sends GOAWAY and closes it (also the time the client
 * preface may take).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_IDLE_TIMEOUT } from "@spindle/spindle/protocols/http2";
 * console.assert(DEFAULT_IDLE_TIMEOUT === 60_000);
 * ```
 */
export const DEFAULT_IDLE_TIMEOUT = 60_000;

/** The limits of an HTTP/2 endpoint; every one is enforced with a typed error. */
export interface H2Limits {
  /** Streams the peer may have open at once. Default {@linkcode DEFAULT_MAX_CONCURRENT_STREAMS} (100). */
  maxConcurrentStreams?: number;
  /** Bytes of one decoded header list. Default {@linkcode DEFAULT_MAX_HEADER_LIST_SIZE} (16384). */
  maxHeaderListSize?: number;
  /** Bytes of the HPACK table the peer may use. Default {@linkcode DEFAULT_HEADER_TABLE_SIZE} (4096). */
  headerTableSize?: number;
  /** Frames of one header block. Default {@linkcode DEFAULT_MAX_CONTINUATION_FRAMES} (32). */
  maxContinuationFrames?: number;
  /** Bytes the peer may send on one stream ahead of its reader. Default {@linkcode DEFAULT_STREAM_WINDOW_SIZE} (1 MiB). */
  streamWindowSize?: number;
  /** Bytes the peer may send on the connection ahead of the readers. Default {@linkcode DEFAULT_CONNECTION_WINDOW_SIZE} (4 MiB). */
  connectionWindowSize?: number;
  /** Streams the peer may reset per 10 s. Default {@linkcode DEFAULT_MAX_RESETS_PER_WINDOW} (200). */
  maxResetsPerWindow?: number;
  /** PING and SETTINGS frames per 10 s. Default {@linkcode DEFAULT_MAX_CONTROL_FRAMES_PER_WINDOW} (1000). */
  maxControlFramesPerWindow?: number;
  /** Empty frames per 10 s. Default {@linkcode DEFAULT_MAX_EMPTY_FRAMES_PER_WINDOW} (100). */
  maxEmptyFramesPerWindow?: number;
  /** Milliseconds a response may wait on a closed window. Default {@linkcode DEFAULT_STALL_TIMEOUT} (30 s). */
  stallTimeout?: number;
  /** Milliseconds a connection may stay without streams. Default {@linkcode DEFAULT_IDLE_TIMEOUT} (60 s). */
  idleTimeout?: number;
  /** Bytes of one request body; over it the stream is reset. Default unlimited. */
  maxBodySize?: number;
}
