/**
 * The stream shape over a session (the `WebSocketStream` proposal's
 * `opened` value): a readable of messages, a writable of messages, with
 * backpressure both ways.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";
import type { WebSocketMessage } from "./message.ts";
import { type SessionOptions, WebSocketSession } from "./_session.ts";

/** What `opened` resolves to: the message streams, and what was agreed. */
export interface WebSocketConnection {
  /** Messages from the peer: strings (text) and `Uint8Array`s (binary). */
  readable: ReadableStream<WebSocketMessage>;
  /** Messages to the peer; closing it starts the closing handshake (1000). */
  writable: WritableStream<WebSocketMessage>;
  /** The subprotocol chosen, or `""`. */
  protocol: string;
  /** The extensions agreed (`"permessage-deflate"` or `""`). */
  extensions: string;
}

/** What `closed` resolves to: the code and reason of the closing handshake. */
export interface WebSocketCloseInfo {
  /** The close code (1006 when the connection ended without one). */
  closeCode?: number;
  /** The reason, `""` when none. */
  reason?: string;
}

/** How many messages the readable holds before reading from the socket pauses. */
const READABLE_HIGH_WATER_MARK = 16;

/** The streams over a new session on `conn`, and when it closes. */
export function openStreams(
  conn: Connection,
  options: SessionOptions,
  agreed: { protocol: string; extensions: string },
): {
  connection: WebSocketConnection;
  closed: Promise<WebSocketCloseInfo>;
  session: WebSocketSession;
} {
  let controller!: ReadableStreamDefaultController<WebSocketMessage>;
  let wake: (() => void) | null = null;
  const closed = Promise.withResolvers<WebSocketCloseInfo>();
  let done = false;
  const session = new WebSocketSession(conn, options, {
    message(data) {
      controller.enqueue(data);
      if ((controller.desiredSize ?? 1) > 0) return;
      return new Promise<void>((resolve) => wake = resolve);
    },
    error(error) {
      controller.error(error);
    },
    close(closeCode, reason, wasClean) {
      done = true;
      wake?.();
      if (wasClean) {
        try {
          controller.close();
        } catch {
          // Errored already.
        }
        closed.resolve({ closeCode, reason });
      } else {
        const error = new DOMException(
          `the WebSocket connection closed abnormally (${closeCode}${
            reason ? `: ${reason}` : ""
          })`,
          "NetworkError",
        );
        try {
          controller.error(error);
        } catch {
          // Errored already.
        }
        closed.reject(error);
      }
    },
  });
  closed.promise.catch(() => {});
  const readable = new ReadableStream<WebSocketMessage>({
    start(c) {
      controller = c;
    },
    pull() {
      wake?.();
      wake = null;
    },
    cancel() {
      session.close(1000, "");
    },
  }, { highWaterMark: READABLE_HIGH_WATER_MARK });
  const writable = new WritableStream<WebSocketMessage>({
    write(message) {
      if (done) throw new TypeError("the WebSocket connection is closed");
      return session.send(message);
    },
    close() {
      session.close(1000, "");
    },
    abort() {
      session.close(1000, "");
    },
  });
  session.run();
  return {
    connection: { readable, writable, ...agreed },
    closed: closed.promise,
    session,
  };
}
