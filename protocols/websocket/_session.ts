/**
 * One WebSocket connection after the opening handshake, for either side:
 * the read loop (frames → messages → the owner's handlers), sending, ping
 * and pong, the keepalive ping, and the closing handshake with its timeout.
 * The `WebSocket`-like socket and the stream shape are two faces over it.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { Deadline } from "../../reactor/deadline.ts";
import { getLogger } from "../../log/mod.ts";
import { EMPTY_BYTES } from "../../reactor/bytes.ts";
import { ACCEPTED } from "../../reactor/connection.ts";
import {
  decodeText,
  encodeFrame,
  FrameDecoderCore,
  MessageCore,
  type WebSocketEvent,
} from "./codec.ts";
import { CloseCode, Opcode } from "./constants.ts";
import { WebSocketProtocolError } from "./errors.ts";
import { DEFAULT_MAX_MESSAGE_SIZE, type WebSocketLimits } from "./limits.ts";
import type { Frame, WebSocketMessage } from "./message.ts";
import type { PerMessageDeflate } from "./_deflate.ts";

const logger = getLogger("spindle.websocket");
const encoder = new TextEncoder();
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A connection that can read into a buffer given: the reactor's do. */
interface DirectReads {
  readInto(buffer: Uint8Array): Promise<number | null>;
}

function ignore(): void {}

/** The session's read buffer for small frames (as the reactor's first one). */
const SCRATCH_SIZE = 4 * 1024;

/** What the session tells its owner. */
export interface SessionHandlers {
  /** A whole message; a returned promise holds the read loop (backpressure). */
  message(data: WebSocketMessage): void | Promise<void>;
  /** The connection failed (before `close`). */
  error(error: unknown): void;
  /** The connection is closed: once, last. */
  close(code: number, reason: string, wasClean: boolean): void;
}

/** How a session runs. */
export interface SessionOptions extends WebSocketLimits {
  /** Which side we are: a client masks, a server requires masks. */
  role: "server" | "client";
  /** The negotiated permessage-deflate, or null. */
  deflate: PerMessageDeflate | null;
  /** Milliseconds without a frame before a keepalive ping (and as long for its pong); 0: none. */
  idleTimeout: number;
  /** Milliseconds the closing handshake may take. */
  closeTimeout: number;
  /** Where the timers run. */
  clock: IReactorTime;
  /** Aborted when the server shuts down gracefully: the session closes with 1001. */
  shutdown?: AbortSignal;
}

/** The socket states of the WebSocket API. */
export const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;

type TimerKind = "idle" | "pong" | "close";

/** One open WebSocket connection; see the module doc. */
export class WebSocketSession {
  state: number = OPEN;
  #conn: Connection;
  #options: SessionOptions;
  #handlers: SessionHandlers;
  #mask: boolean;
  #deflate: PerMessageDeflate | null;
  #deadline: Deadline<TimerKind> | null;
  /** Sends wait here in order while compression runs (deflate only). */
  #sendChain: Promise<void> = Promise.resolve();
  #queued = 0;
  #sentClose = false;
  #received: { code: number; reason: string } | null = null;
  #finished = false;

  constructor(
    conn: Connection,
    options: SessionOptions,
    handlers: SessionHandlers,
  ) {
    this.#conn = conn;
    this.#options = options;
    this.#handlers = handlers;
    this.#mask = options.role === "client";
    this.#deflate = options.deflate;
    const needsTimer = options.idleTimeout > 0 || options.closeTimeout > 0;
    this.#deadline = needsTimer
      ? new Deadline(options.clock, (kind) => this.#onTimeout(kind))
      : null;
    if (options.idleTimeout > 0) {
      this.#deadline!.arm("idle", options.idleTimeout);
    }
  }

  /** Bytes accepted by `send` but not yet handed to the transport. */
  get bufferedAmount(): number {
    const conn = this.#conn as Partial<{ bufferedAmount: number }>;
    return this.#queued + (conn.bufferedAmount ?? 0);
  }

  /** Runs the read loop until the connection closes. */
  async run(): Promise<void> {
    const shutdown = this.#options.shutdown;
    if (shutdown !== undefined) {
      if (shutdown.aborted) this.#goAway();
      else shutdown.addEventListener("abort", this.#goAway, { once: true });
    }
    const decoder = new FrameDecoderCore({
      role: this.#options.role,
      deflate: this.#deflate !== null,
      maxMessageSize: this.#options.maxMessageSize,
      maxFrameSize: this.#options.maxFrameSize,
    });
    const messages = new MessageCore(this.#options);
    const frames: Frame[] = [];
    const events: WebSocketEvent[] = [];
    // The reactor's connections read into a buffer given (not over HTTP/2).
    const reader = this.#conn as Connection & Partial<DirectReads>;
    const readInto = reader.readInto?.bind(reader) ?? null;
    // Small frames are read into a buffer of the session's own, reused: the
    // decoder copies each payload out anyway, so a chunk per read (and the
    // connection's copy into it) would be waste. Once a read fills it (bulk
    // input), reads go back to the connection's large chunks.
    let scratch = readInto === null ? null : new Uint8Array(SCRATCH_SIZE);
    try {
      while (!this.#finished) {
        // A large frame begun: its bytes are read straight into its payload.
        const wanted = readInto === null ? null : decoder.wanted;
        let chunk: Uint8Array | null;
        let direct = 0;
        let reused = false;
        if (wanted === null) {
          if (scratch === null) chunk = await this.#conn.read();
          else {
            const n = await readInto!(scratch);
            chunk = n === null ? null : scratch.subarray(0, n);
            reused = true;
            if (n === scratch.byteLength) scratch = null;
          }
        } else {
          const n = await readInto!(wanted);
          chunk = n === null ? null : EMPTY_BYTES;
          direct = n ?? 0;
        }
        if (this.#finished) return;
        if (chunk === null) {
          decoder.end(frames);
          break;
        }
        if (this.#received !== null) continue; // After the peer's Close: nothing more counts.
        if (this.#deadline?.kind === "idle") this.#deadline.touch();
        else if (this.#deadline?.kind === "pong") {
          this.#deadline.arm("idle", this.#options.idleTimeout);
        }
        // Frames before a broken one are served first.
        let broken: unknown = null;
        try {
          if (wanted !== null) decoder.filled(direct, frames);
          else {
            decoder.decode(chunk, frames);
            if (reused) decoder.detach();
          }
        } catch (error) {
          broken = error;
        }
        for (let i = 0; i < frames.length && !this.#finished; i++) {
          messages.push(frames[i]!, events);
          for (let j = 0; j < events.length; j++) {
            const pending = this.#handle(events[j]!);
            if (pending !== undefined) await pending;
          }
          events.length = 0;
          if (this.#received !== null) break;
        }
        frames.length = 0;
        if (broken !== null) throw broken;
      }
      if (!this.#finished) this.#ended();
    } catch (error) {
      this.#fail(error);
    }
  }

  #handle(event: WebSocketEvent): void | Promise<void> {
    switch (event.type) {
      case "text":
      case "binary":
        if (this.#sentClose) return; // Closing: data is no longer delivered.
        return this.#handlers.message(event.data);
      case "compressed":
        return this.#inflated(event.data, event.binary);
      case "ping":
        if (!this.#sentClose) {
          this.#write(
            encodeFrame(Opcode.PONG, event.payload, { mask: this.#mask }),
          );
        }
        return;
      case "pong":
        return;
      case "close":
        this.#closeReceived(event.code, event.reason);
    }
  }

  async #inflated(data: Uint8Array, binary: boolean): Promise<void> {
    const limit = this.#options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    const bytes = await this.#deflate!.inflate(data, limit);
    if (this.#sentClose || this.#finished) return;
    const message = binary ? bytes : decodeText(UTF8, bytes, false);
    await this.#handlers.message(message);
  }

  /** Sends a message; resolves when the transport accepted it (backpressure). */
  send(data: WebSocketMessage): Promise<void> {
    if (this.state !== OPEN) return Promise.resolve();
    const binary = typeof data !== "string";
    const payload = binary ? data : encoder.encode(data);
    const opcode = binary ? Opcode.BINARY : Opcode.TEXT;
    const deflate = this.#deflate;
    if (deflate === null || !deflate.compresses) {
      return this.#write(encodeFrame(opcode, payload, { mask: this.#mask }));
    }
    this.#queued += payload.byteLength;
    const sent = this.#sendChain.then(async () => {
      const compressed = await deflate.compress(payload);
      this.#queued -= payload.byteLength;
      await this.#write(
        encodeFrame(opcode, compressed, { mask: this.#mask, rsv1: true }),
      );
    });
    this.#sendChain = sent.catch(() => {});
    return sent;
  }

  /** Sends a ping with `payload` (at most 125 bytes). */
  ping(payload: Uint8Array = new Uint8Array(0)): void {
    if (this.state !== OPEN) return;
    this.#write(encodeFrame(Opcode.PING, payload, { mask: this.#mask }));
  }

  /** Starts the closing handshake with `code` and `reason` (checked by the caller). */
  close(code?: number, reason = ""): void {
    if (this.state !== OPEN) return;
    this.state = CLOSING;
    this.#sendClose(code, reason);
    this.#deadline?.arm("close", this.#options.closeTimeout);
  }

  #sendClose(code: number | undefined, reason: string): void {
    if (this.#sentClose) return;
    this.#sentClose = true;
    let payload = new Uint8Array(0);
    if (code !== undefined && code !== CloseCode.NO_STATUS) {
      const text = encoder.encode(reason);
      payload = new Uint8Array(2 + text.byteLength);
      payload[0] = code >>> 8;
      payload[1] = code & 0xff;
      payload.set(text, 2);
    }
    const frame = encodeFrame(Opcode.CLOSE, payload, { mask: this.#mask });
    // After the messages already sent, compressed or not.
    if (this.#deflate !== null) {
      this.#sendChain = this.#sendChain.then(() => this.#write(frame));
    } else {
      this.#write(frame);
    }
  }

  #closeReceived(code: number, reason: string): void {
    this.#received = { code, reason };
    if (!this.#sentClose) {
      // The server echoes the client's code (RFC 6455 §5.5.1).
      this.state = CLOSING;
      this.#sendClose(code, "");
    }
    if (this.#options.role === "server") {
      // The server closes the TCP connection first (RFC 6455 §7.1.1).
      this.#sendChain.then(() => this.#conn.close()).catch(() => {});
      this.#finish(code, reason, true);
    } else {
      // The client waits for the server's TCP close, for closeTimeout at most.
      this.#deadline?.arm("close", this.#options.closeTimeout);
    }
  }

  /** The input ended. */
  #ended(): void {
    const received = this.#received;
    this.#sendChain.then(() => this.#conn.close()).catch(() => {});
    if (received !== null) this.#finish(received.code, received.reason, true);
    else this.#finish(CloseCode.ABNORMAL, "", false);
  }

  #fail(error: unknown): void {
    if (this.#finished) return;
    if (
      error instanceof WebSocketProtocolError &&
      error.code !== CloseCode.ABNORMAL
    ) {
      logger.debug("closing a WebSocket connection with {code}: {reason}", {
        code: error.code,
        reason: error.message,
      });
      this.state = CLOSING;
      this.#sendClose(error.code, "");
      this.#handlers.error(error);
      this.#sendChain.then(() => this.#conn.close()).catch(() => {});
      this.#finish(error.code, error.message, false);
      return;
    }
    this.#handlers.error(error);
    this.#conn.abort(error);
    this.#finish(CloseCode.ABNORMAL, "", false);
  }

  #onTimeout(kind: TimerKind): void {
    if (this.#finished) return;
    if (kind === "idle") {
      this.#write(
        encodeFrame(Opcode.PING, new Uint8Array(0), { mask: this.#mask }),
      );
      this.#deadline!.arm("pong", this.#options.idleTimeout);
    } else if (kind === "pong") {
      logger.debug(
        "no pong within {ms} ms of a keepalive ping: closing with 1001",
        {
          ms: this.#options.idleTimeout,
        },
      );
      this.state = CLOSING;
      this.#sendClose(CloseCode.GOING_AWAY, "no pong");
      this.#sendChain.then(() => this.#conn.close()).catch(() => {});
      this.#finish(CloseCode.GOING_AWAY, "no pong", false);
    } else {
      this.#conn.abort();
      const received = this.#received;
      if (received !== null) this.#finish(received.code, received.reason, true);
      else this.#finish(CloseCode.ABNORMAL, "", false);
    }
  }

  /** Writes a frame; a failed write means the connection is gone, which reading reports. */
  #write(frame: Uint8Array): Promise<void> {
    const written = this.#conn.write(frame);
    // The reactor's shared "accepted" promise never rejects: a handler on
    // it would cost a promise per message.
    if (written !== ACCEPTED) written.catch(ignore);
    return written;
  }

  /** The server is shutting down: the closing handshake with 1001 (going away). */
  #goAway = (): void =>
    this.close(CloseCode.GOING_AWAY, "server shutting down");

  /** Aborts the connection at once (the server shutting down hard). */
  abort(): void {
    this.#conn.abort();
  }

  #finish(code: number, reason: string, wasClean: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    this.state = CLOSED;
    this.#deadline?.cancel();
    this.#options.shutdown?.removeEventListener("abort", this.#goAway);
    this.#deflate?.close();
    this.#handlers.close(code, reason, wasClean);
  }
}
