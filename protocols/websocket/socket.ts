/**
 * {@linkcode SpindleWebSocket}: the standard `WebSocket` API (events,
 * `send`, `close`, `readyState`, `bufferedAmount`, `binaryType`...) over a
 * Spindle connection, for servers (`upgradeWebSocket`) and clients
 * (`connectWebSocket`).
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import { MAX_CONTROL_PAYLOAD } from "./limits.ts";
import {
  CLOSED,
  CLOSING,
  CONNECTING,
  OPEN,
  type SessionOptions,
  WebSocketSession,
} from "./_session.ts";

const encoder = new TextEncoder();

let attachSocket: (
  socket: SpindleWebSocket,
  conn: Connection,
  options: SessionOptions,
) => void;

/**
 * Opens `socket` on `conn`, the opening handshake done: `upgradeWebSocket`
 * and `connectWebSocket` call it (not exported from the module).
 */
export function openSocket(
  socket: SpindleWebSocket,
  conn: Connection,
  options: SessionOptions,
): void {
  attachSocket(socket, conn, options);
}

/** What `send` takes, as `WebSocket.send` does. */
export type WebSocketData =
  | string
  | ArrayBufferLike
  | ArrayBufferView
  | Blob;

/**
 * A `WebSocket`-like socket: the same properties, methods and events as the
 * browser's and Deno's `WebSocket`, so code written for
 * `Deno.upgradeWebSocket` runs unchanged. Made by `upgradeWebSocket`
 * (server side) and `connectWebSocket` (client side), not constructed
 * directly.
 *
 * @example Usage
 * ```ts ignore
 * import { upgradeWebSocket } from "@spindle/spindle/protocols/websocket";
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * await serveHTTP((request, info) => {
 *   const { socket, response } = upgradeWebSocket(request, info);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * }, { listen: "tcp:8080" });
 * ```
 */
export class SpindleWebSocket extends EventTarget {
  /** The state before the connection opens. */
  static readonly CONNECTING: number = CONNECTING;
  /** The state while messages flow. */
  static readonly OPEN: number = OPEN;
  /** The state during the closing handshake. */
  static readonly CLOSING: number = CLOSING;
  /** The state once closed. */
  static readonly CLOSED: number = CLOSED;
  /** The state before the connection opens. */
  readonly CONNECTING: number = CONNECTING;
  /** The state while messages flow. */
  readonly OPEN: number = OPEN;
  /** The state during the closing handshake. */
  readonly CLOSING: number = CLOSING;
  /** The state once closed. */
  readonly CLOSED: number = CLOSED;

  /** The URL of the connection. */
  readonly url: string;
  /** The subprotocol chosen by the server, or `""`. */
  readonly protocol: string;
  /** The extensions agreed (`"permessage-deflate"` or `""`). */
  readonly extensions: string;
  /** How binary messages are given to `message` listeners: `"blob"` (the default, as in Deno) or `"arraybuffer"`. */
  binaryType: BinaryType = "blob";
  /** Called when the connection opens. */
  onopen: ((this: SpindleWebSocket, event: Event) => unknown) | null = null;
  /** Called with each message. */
  onmessage: ((this: SpindleWebSocket, event: MessageEvent) => unknown) | null =
    null;
  /** Called when the connection closes, with the code and reason. */
  onclose: ((this: SpindleWebSocket, event: CloseEvent) => unknown) | null =
    null;
  /** Called when the connection fails. */
  onerror: ((this: SpindleWebSocket, event: Event) => unknown) | null = null;

  #session: WebSocketSession | null = null;
  #origin: string;
  #closing: { code?: number; reason?: string } | null = null;
  #sendOrder: Promise<void> | null = null;

  /** Made by `upgradeWebSocket` and `connectWebSocket`; not for direct use. */
  constructor(init: { url: string; protocol: string; extensions: string }) {
    super();
    this.url = init.url;
    this.protocol = init.protocol;
    this.extensions = init.extensions;
    this.#origin = originOf(init.url);
  }

  /** `CONNECTING`, `OPEN`, `CLOSING` or `CLOSED`. */
  get readyState(): number {
    return this.#session === null
      ? (this.#closing === null ? CONNECTING : CLOSING)
      : this.#session.state;
  }

  /** Bytes accepted by `send` but not yet handed to the network. */
  get bufferedAmount(): number {
    return this.#session?.bufferedAmount ?? 0;
  }

  /**
   * Sends a message: a string as text, bytes or a `Blob` as binary. Throws
   * `InvalidStateError` before the connection opens; after it closes, the
   * message is dropped, as the standard says.
   */
  send(data: WebSocketData): void {
    const session = this.#session;
    if (session === null) {
      throw new DOMException(
        "the WebSocket is not open yet: send from onopen",
        "InvalidStateError",
      );
    }
    if (data instanceof Blob || this.#sendOrder !== null) {
      // A Blob's bytes come later: messages sent meanwhile wait behind it.
      const previous = this.#sendOrder ?? Promise.resolve();
      const next = previous.then(async () => {
        await session.send(await bytesOf(data));
      }).catch(() => {});
      this.#sendOrder = next;
      next.then(() => {
        if (this.#sendOrder === next) this.#sendOrder = null;
      });
      return;
    }
    session.send(typeof data === "string" ? data : toUint8Array(data));
  }

  /**
   * Starts the closing handshake. `code` is 1000 or 3000..4999 (else
   * `InvalidAccessError`); `reason` at most 123 bytes of UTF-8 (else
   * `SyntaxError`).
   */
  close(code?: number, reason?: string): void {
    if (
      code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)
    ) {
      throw new DOMException(
        `close code ${code} may not be sent by an application: use 1000 or 3000..4999`,
        "InvalidAccessError",
      );
    }
    if (
      reason !== undefined &&
      encoder.encode(reason).byteLength > MAX_CONTROL_PAYLOAD - 2
    ) {
      throw new DOMException(
        "the close reason is longer than 123 bytes: shorten it",
        "SyntaxError",
      );
    }
    if (this.#session === null) {
      this.#closing = { code, reason };
      return;
    }
    this.#session.close(code ?? (reason ? 1000 : undefined), reason ?? "");
  }

  #dispatch(event: Event, handler: ((event: never) => unknown) | null): void {
    this.dispatchEvent(event);
    if (handler === null) return;
    try {
      (handler as (event: Event) => unknown).call(this, event);
    } catch (error) {
      reportError(error);
    }
  }

  #message(data: string | Uint8Array): void {
    const value = typeof data === "string"
      ? data
      : this.binaryType === "arraybuffer"
      ? ownBuffer(data)
      : new Blob([data as Uint8Array<ArrayBuffer>]);
    this.#dispatch(
      new MessageEvent("message", { data: value, origin: this.#origin }),
      this.onmessage,
    );
  }

  static {
    attachSocket = (socket, conn, options) => socket.#attach(conn, options);
  }

  #attach(conn: Connection, options: SessionOptions): void {
    const session = new WebSocketSession(conn, options, {
      message: (data) => this.#message(data),
      error: () => this.#dispatch(new Event("error"), this.onerror),
      close: (code, reason, wasClean) =>
        this.#dispatch(
          new CloseEvent("close", { code, reason, wasClean }),
          this.onclose,
        ),
    });
    this.#session = session;
    this.#dispatch(new Event("open"), this.onopen);
    const closing = this.#closing;
    if (closing !== null) session.close(closing.code, closing.reason);
    session.run();
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}

/** `data`'s bytes, without copying (the frame encoder copies them). */
function toUint8Array(data: ArrayBufferLike | ArrayBufferView): Uint8Array {
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return new Uint8Array(data);
}

async function bytesOf(data: WebSocketData): Promise<string | Uint8Array> {
  if (typeof data === "string") return data;
  if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  return toUint8Array(data);
}

/** `data` as an ArrayBuffer of its own (no copy when it spans its buffer). */
function ownBuffer(data: Uint8Array): ArrayBuffer {
  if (
    data.byteOffset === 0 && data.byteLength === data.buffer.byteLength &&
    data.buffer instanceof ArrayBuffer
  ) {
    return data.buffer;
  }
  return data.slice().buffer;
}
