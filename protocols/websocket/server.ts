/**
 * The server side: `upgradeWebSocket` (the shape of
 * `Deno.upgradeWebSocket`) and `webSocketStream` (the stream shape), both
 * on the HTTP server's `info.upgrade()`.
 *
 * @module
 */
import type { ServeHandlerInfo } from "../http/handler.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { PERMESSAGE_DEFLATE } from "./constants.ts";
import { WebSocketHandshakeError } from "./errors.ts";
import { acceptKey, checkUpgradeRequest, splitList } from "./handshake.ts";
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  type WebSocketLimits,
} from "./limits.ts";
import { openSocket, SpindleWebSocket } from "./socket.ts";
import {
  openStreams,
  type WebSocketCloseInfo,
  type WebSocketConnection,
} from "./_stream.ts";
import { acceptDeflate, PerMessageDeflate } from "./_deflate.ts";
import type { SessionOptions } from "./_session.ts";

/** Options for {@linkcode upgradeWebSocket} and {@linkcode webSocketStream}. */
export interface UpgradeWebSocketOptions extends WebSocketLimits {
  /**
   * The subprotocol to choose when the client offers it (in
   * `Sec-WebSocket-Protocol`); not chosen otherwise, as in Deno.
   */
  protocol?: string;
  /**
   * Seconds without a frame from the client before a ping is sent, and as
   * long again for any answer before closing with 1001; 0 for no pings.
   * In seconds, unlike Spindle's other durations, because it is
   * `Deno.upgradeWebSocket`'s option and code written for Deno passes it
   * unchanged. Default {@linkcode DEFAULT_IDLE_TIMEOUT} (120).
   */
  idleTimeout?: number;
  /**
   * Agree to permessage-deflate when the client offers it (RFC 7692).
   * Default true.
   */
  deflate?: boolean;
  /**
   * Checks the `Origin` header (`null` when absent): return false to refuse
   * the handshake with 403. Default: every origin is accepted.
   */
  checkOrigin?: (origin: string | null) => boolean;
  /** Milliseconds the closing handshake may take. Default {@linkcode DEFAULT_CLOSE_TIMEOUT}. */
  closeTimeout?: number;
  /** Where the keepalive and closing timers run (a fake `Clock` in tests). Default: the default reactor. */
  clock?: IReactorTime;
}

/** What {@linkcode upgradeWebSocket} returns, as `Deno.upgradeWebSocket` does. */
export interface WebSocketUpgrade {
  /** The socket; it opens once the response is sent. */
  socket: SpindleWebSocket;
  /** The response to return from the handler (101 Switching Protocols). */
  response: Response;
}

interface Accepted {
  response: Response;
  protocol: string;
  extensions: string;
  url: string;
  connection: Promise<import("../../reactor/interfaces.ts").Connection>;
  options: SessionOptions;
}

function accept(
  request: Request,
  info: ServeHandlerInfo,
  options: UpgradeWebSocketOptions,
): Accepted {
  // Over HTTP/2 (RFC 8441) the stream is the channel: no key to answer.
  const h2 = info.protocol === "websocket";
  const key = h2 ? "" : checkUpgradeRequest(request);
  if (options.checkOrigin?.(request.headers.get("origin")) === false) {
    throw new WebSocketHandshakeError(
      403,
      `the origin ${
        JSON.stringify(request.headers.get("origin"))
      } may not open a WebSocket here`,
    );
  }
  const headers: Record<string, string> = h2 ? {} : {
    upgrade: "websocket",
    "sec-websocket-accept": acceptKey(key),
  };
  const offered = splitList(request.headers.get("sec-websocket-protocol"));
  const protocol =
    options.protocol !== undefined && offered.includes(options.protocol)
      ? options.protocol
      : "";
  if (protocol !== "") headers["sec-websocket-protocol"] = protocol;
  const deflate = options.deflate === false
    ? null
    : acceptDeflate(request.headers.get("sec-websocket-extensions"));
  if (deflate !== null) headers["sec-websocket-extensions"] = deflate.response;
  // A graceful server shutdown closes the socket with 1001 (going away).
  const shutdown = new AbortController();
  const { response, connection } = info.upgrade({
    headers,
    onShutdown: () => shutdown.abort(),
  });
  const idleTimeout = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
  return {
    response,
    connection,
    protocol,
    extensions: deflate === null ? "" : PERMESSAGE_DEFLATE,
    url: request.url.replace(/^http/, "ws"),
    options: {
      role: "server",
      deflate: deflate === null
        ? null
        : new PerMessageDeflate(deflate.parameters),
      maxMessageSize: options.maxMessageSize,
      maxFrameSize: options.maxFrameSize,
      idleTimeout: idleTimeout * 1000,
      closeTimeout: options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
      clock: options.clock ?? defaultReactor,
      shutdown: shutdown.signal,
    },
  };
}

/**
 * Upgrades `request` to a WebSocket, as `Deno.upgradeWebSocket` does: returns
 * the socket and the response to return from the handler, so `Deno.serve`
 * WebSocket code runs on `serveHTTP` unchanged. A request that is no valid
 * handshake throws `WebSocketHandshakeError`, whose `response()` is the
 * answer (400; 426 for another version; 403 when `checkOrigin` refuses).
 *
 * @example Usage
 * ```ts
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * import { upgradeWebSocket } from "@spindle/spindle/protocols/websocket";
 * await using server = await serveHTTP((request, info) => {
 *   const { socket, response } = upgradeWebSocket(request, info);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * }, { listen: "tcp:0:interface=127.0.0.1" });
 * const { port } = server.addr as Deno.NetAddr;
 * const client = new WebSocket(`ws://127.0.0.1:${port}/`);
 * await new Promise((resolve) => client.onopen = resolve);
 * client.send("hello");
 * const echoed = await new Promise((resolve) => client.onmessage = (e) => resolve(e.data));
 * console.assert(echoed === "hello");
 * client.close();
 * await new Promise((resolve) => client.onclose = resolve);
 * ```
 */
export function upgradeWebSocket(
  request: Request,
  info: ServeHandlerInfo,
  options: UpgradeWebSocketOptions = {},
): WebSocketUpgrade {
  const accepted = accept(request, info, options);
  const socket = new SpindleWebSocket(accepted);
  accepted.connection.then((conn) =>
    openSocket(socket, conn, accepted.options)
  );
  return { socket, response: accepted.response };
}

/**
 * What {@linkcode webSocketStream} returns: the server side of the
 * `WebSocketStream` proposal, plus the response to return.
 */
export interface WebSocketStreamUpgrade {
  /** The response to return from the handler (101 Switching Protocols). */
  response: Response;
  /** Resolves once the connection is open: the message streams and what was agreed. */
  opened: Promise<WebSocketConnection>;
  /** Resolves with the close code and reason once closed (rejects if it ended abnormally). */
  closed: Promise<WebSocketCloseInfo>;
  /** Starts the closing handshake (code 1000 unless given). */
  close(closeInfo?: WebSocketCloseInfo): void;
}

/**
 * Upgrades `request` to a WebSocket in the stream shape: `opened` resolves to
 * a readable and a writable of messages (strings for text, `Uint8Array`s
 * for binary), with backpressure to the socket both ways. Handshake errors
 * as for {@linkcode upgradeWebSocket}.
 *
 * @example Echo, types kept
 * ```ts
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * import { webSocketStream } from "@spindle/spindle/protocols/websocket";
 * await using server = await serveHTTP((request, info) => {
 *   const { response, opened } = webSocketStream(request, info);
 *   opened.then(({ readable, writable }) => readable.pipeTo(writable));
 *   return response;
 * }, { listen: "tcp:0:interface=127.0.0.1" });
 * const { port } = server.addr as Deno.NetAddr;
 * const client = new WebSocket(`ws://127.0.0.1:${port}/`);
 * await new Promise((resolve) => client.onopen = resolve);
 * client.send("hello");
 * const echoed = await new Promise((resolve) => client.onmessage = (e) => resolve(e.data));
 * console.assert(echoed === "hello");
 * client.close();
 * await new Promise((resolve) => client.onclose = resolve);
 * ```
 */
export function webSocketStream(
  request: Request,
  info: ServeHandlerInfo,
  options: UpgradeWebSocketOptions = {},
): WebSocketStreamUpgrade {
  const accepted = accept(request, info, options);
  const closed = Promise.withResolvers<WebSocketCloseInfo>();
  closed.promise.catch(() => {});
  let pendingClose: WebSocketCloseInfo | undefined;
  let close = (closeInfo: WebSocketCloseInfo = {}) => {
    pendingClose = closeInfo;
  };
  const opened = accepted.connection.then((conn) => {
    const streams = openStreams(conn, accepted.options, accepted);
    streams.closed.then(closed.resolve, closed.reject);
    close = (closeInfo = {}) =>
      streams.session.close(closeInfo.closeCode ?? 1000, closeInfo.reason);
    if (pendingClose !== undefined) close(pendingClose);
    return streams.connection;
  });
  return {
    response: accepted.response,
    opened,
    closed: closed.promise,
    close: (closeInfo) => close(closeInfo),
  };
}
