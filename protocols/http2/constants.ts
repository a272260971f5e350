/**
 * The fixed numbers of HTTP/2 (RFC 9113): frame types, flags, error codes,
 * settings identifiers, the connection preface and the ALPN id.
 *
 * @module
 */

/**
 * The ALPN protocol id of HTTP/2 over TLS (RFC 9113 §3.2).
 *
 * @example Usage
 * ```ts
 * import { H2_ALPN } from "@spindle/spindle/protocols/http2";
 * console.assert(H2_ALPN === "h2");
 * ```
 */
export const H2_ALPN = "h2";

/**
 * The client connection preface (RFC 9113 §3.4): the 24 bytes every HTTP/2
 * client sends first, before its SETTINGS frame.
 *
 * @example Usage
 * ```ts
 * import { CONNECTION_PREFACE } from "@spindle/spindle/protocols/http2";
 * console.assert(CONNECTION_PREFACE.byteLength === 24);
 * ```
 */
export const CONNECTION_PREFACE: Uint8Array = new TextEncoder().encode(
  "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
);

/**
 * Frame types (RFC 9113 §6).
 *
 * @example Usage
 * ```ts
 * import { FrameType } from "@spindle/spindle/protocols/http2";
 * console.assert(FrameType.HEADERS === 1);
 * ```
 */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

/**
 * Frame flags (RFC 9113 §6); each means something only on some frame types.
 *
 * @example Usage
 * ```ts
 * import { Flag } from "@spindle/spindle/protocols/http2";
 * console.assert(Flag.END_STREAM === 0x1 && Flag.ACK === 0x1);
 * ```
 */
export const Flag = {
  END_STREAM: 0x1,
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

/**
 * Error codes of RST_STREAM and GOAWAY (RFC 9113 §7).
 *
 * @example Usage
 * ```ts
 * import { ErrorCode } from "@spindle/spindle/protocols/http2";
 * console.assert(ErrorCode.ENHANCE_YOUR_CALM === 0xb);
 * ```
 */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

/**
 * Settings identifiers (RFC 9113 §6.5.2, RFC 8441 §3).
 *
 * @example Usage
 * ```ts
 * import { SettingId } from "@spindle/spindle/protocols/http2";
 * console.assert(SettingId.INITIAL_WINDOW_SIZE === 4);
 * ```
 */
export const SettingId = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
  ENABLE_CONNECT_PROTOCOL: 0x8,
} as const;

/**
 * The name of an error code, for messages and logs (`"0x1f"` for one RFC 9113
 * does not define).
 *
 * @example Usage
 * ```ts
 * import { errorCodeName } from "@spindle/spindle/protocols/http2";
 * console.assert(errorCodeName(1) === "PROTOCOL_ERROR");
 * ```
 */
export function errorCodeName(code: number): string {
  for (const [name, value] of Object.entries(ErrorCode)) {
    if (value === code) return name;
  }
  return `0x${code.toString(16)}`;
}
