/**
 * The client side: `connectWebSocket` (a `WebSocket`-like socket, open) and
 * `connectWebSocketStream` (the stream shape) over `ws:` and `wss:`, on the
 * reactor's TCP and TLS connections.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type {
  Connection,
  Reactor,
  TLSReactor,
} from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { concatBytes } from "../../reactor/bytes.ts";
import { PERMESSAGE_DEFLATE, WEBSOCKET_VERSION } from "./constants.ts";
import { WebSocketConnectError } from "./errors.ts";
import { acceptKey, splitList } from "./handshake.ts";
import {
  DEFAULT_CLOSE_TIMEOUT,
  MAX_HANDSHAKE_HEAD_BYTES,
  type WebSocketLimits,
} from "./limits.ts";
import { openSocket, SpindleWebSocket } from "./socket.ts";
import {
  openStreams,
  type WebSocketCloseInfo,
  type WebSocketConnection,
} from "./_stream.ts";
import {
  CLIENT_OFFER,
  PerMessageDeflate,
  readDeflateAnswer,
} from "./_deflate.ts";
import type { SessionOptions } from "./_session.ts";

/** Options for {@linkcode connectWebSocket} and {@linkcode connectWebSocketStream}. */
export interface ConnectWebSocketOptions extends WebSocketLimits {
  /** Subprotocols to offer, most preferred first. */
  protocols?: string | string[];
  /** Extra request headers (`Origin`, `Authorization`...). */
  headers?: HeadersInit;
  /** Abandons the handshake when aborted (the promise rejects with its reason). */
  signal?: AbortSignal;
  /** Offer permessage-deflate (RFC 7692). Default true. */
  deflate?: boolean;
  /** Extra CA certificates (PEM) for `wss:`, such as a test's self-signed one. */
  caCerts?: string[];
  /** Milliseconds without a frame before a keepalive ping (and as long for its pong); 0: none. Default 0. */
  pingInterval?: number;
  /** Milliseconds the closing handshake may take. Default {@linkcode DEFAULT_CLOSE_TIMEOUT}. */
  closeTimeout?: number;
  /** The reactor to connect with (and time with). Default: the default reactor. */
  reactor?: Reactor & Partial<TLSReactor> & IReactorTime;
}

interface Handshaken {
  conn: Connection;
  protocol: string;
  extensions: string;
  url: string;
  options: SessionOptions;
}

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

async function handshake(
  url: string | URL,
  options: ConnectWebSocketOptions,
): Promise<Handshaken> {
  const target = new URL(url);
  const scheme = target.protocol.replace(/:$/, "");
  const secure = scheme === "wss" || scheme === "https";
  if (!secure && scheme !== "ws" && scheme !== "http") {
    throw new TypeError(
      `cannot open a WebSocket to ${target.href}: use a ws: or wss: URL`,
    );
  }
  const reactor = options.reactor ?? defaultReactor;
  const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(target.port || (secure ? 443 : 80));
  const signal = options.signal;
  signal?.throwIfAborted();
  let conn: Connection;
  if (secure) {
    if (reactor.connectTLS === undefined) {
      throw new TypeError("this reactor cannot connect over TLS (wss:)");
    }
    conn = await reactor.connectTLS(host, port, {
      caCerts: options.caCerts,
      signal,
    });
  } else {
    conn = await reactor.connectTCP(host, port, { signal });
  }
  const onAbort = () => conn.abort(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await exchange(conn, target, options);
  } catch (error) {
    conn.abort(error);
    throw signal?.aborted ? signal.reason : error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

async function exchange(
  conn: Connection,
  target: URL,
  options: ConnectWebSocketOptions,
): Promise<Handshaken> {
  const key = btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
  );
  const protocols = typeof options.protocols === "string"
    ? [options.protocols]
    : options.protocols ?? [];
  const headers = new Headers(options.headers);
  headers.set("host", target.host);
  headers.set("upgrade", "websocket");
  headers.set("connection", "Upgrade");
  headers.set("sec-websocket-key", key);
  headers.set("sec-websocket-version", WEBSOCKET_VERSION);
  if (protocols.length > 0) {
    headers.set("sec-websocket-protocol", protocols.join(", "));
  }
  const deflate = options.deflate ?? true;
  if (deflate) headers.set("sec-websocket-extensions", CLIENT_OFFER);
  let head = `GET ${target.pathname}${target.search} HTTP/1.1\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  await conn.write(encoder.encode(`${head}\r\n`));
  const { status, fields } = await readHead(conn);
  if (status !== 101) {
    throw new WebSocketConnectError(
      `the server answered ${status} instead of 101 Switching Protocols: it did not accept the WebSocket at ${target.href}`,
      { status },
    );
  }
  const expected = acceptKey(key);
  if (
    !splitList(fields.get("upgrade")).some((p) =>
      p.toLowerCase() === "websocket"
    ) || fields.get("sec-websocket-accept") !== expected
  ) {
    throw new WebSocketConnectError(
      "the server's 101 lacks 'Upgrade: websocket' or the right Sec-WebSocket-Accept: it is no WebSocket server",
      { status },
    );
  }
  const protocol = fields.get("sec-websocket-protocol") ?? "";
  if (protocol !== "" && !protocols.includes(protocol)) {
    throw new WebSocketConnectError(
      `the server chose subprotocol ${
        JSON.stringify(protocol)
      }, which was not offered`,
      { status },
    );
  }
  const parameters = readDeflateAnswer(
    fields.get("sec-websocket-extensions"),
  );
  if (typeof parameters === "string" || (parameters !== null && !deflate)) {
    throw new WebSocketConnectError(
      typeof parameters === "string"
        ? parameters
        : "the server chose permessage-deflate, which was not offered",
      { status },
    );
  }
  const reactor = options.reactor ?? defaultReactor;
  return {
    conn,
    protocol,
    extensions: parameters === null ? "" : PERMESSAGE_DEFLATE,
    url: target.href,
    options: {
      role: "client",
      deflate: parameters === null ? null : new PerMessageDeflate(parameters),
      maxMessageSize: options.maxMessageSize,
      maxFrameSize: options.maxFrameSize,
      idleTimeout: options.pingInterval ?? 0,
      closeTimeout: options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
      clock: reactor,
    },
  };
}

/** Reads the response head; the bytes after it go back to the connection. */
async function readHead(
  conn: Connection,
): Promise<{ status: number; fields: Headers }> {
  let buffered: Uint8Array = new Uint8Array(0);
  while (true) {
    const chunk = await conn.read();
    if (chunk === null) {
      throw new WebSocketConnectError(
        "the server closed the connection during the WebSocket handshake",
      );
    }
    const from = Math.max(0, buffered.byteLength - 3);
    buffered = buffered.byteLength === 0 ? chunk : concatBytes(buffered, chunk);
    const end = headEnd(buffered, from);
    if (end !== -1) {
      // Frames the server sent right after its 101 belong to the session.
      if (end + 4 < buffered.byteLength) {
        conn.unshift(buffered.subarray(end + 4));
      }
      return parseHead(latin1.decode(buffered.subarray(0, end)));
    }
    if (buffered.byteLength > MAX_HANDSHAKE_HEAD_BYTES) {
      throw new WebSocketConnectError(
        `the server's handshake response head is over ${MAX_HANDSHAKE_HEAD_BYTES} bytes`,
      );
    }
  }
}

/** Where CRLF CRLF starts in `bytes` (searching from `from`), or -1. */
function headEnd(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 3 < bytes.byteLength; i++) {
    if (
      bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 &&
      bytes[i + 3] === 10
    ) return i;
  }
  return -1;
}

function parseHead(head: string): { status: number; fields: Headers } {
  const [statusLine = "", ...lines] = head.split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (match === null) {
    throw new WebSocketConnectError(
      `the server's answer is not HTTP: ${
        JSON.stringify(statusLine.slice(0, 80))
      }`,
    );
  }
  const fields = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    try {
      fields.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } catch {
      // A field the Headers class refuses is no WebSocket field.
    }
  }
  return { status: Number(match[1]), fields };
}

/**
 * Opens a WebSocket to `url` (`ws:` or `wss:`) and resolves to the socket,
 * open, with the `WebSocket` API. A failed handshake rejects with
 * `WebSocketConnectError` (with the server's `status`).
 *
 * @example Usage
 * ```ts
 * import { connectWebSocket } from "@spindle/spindle/protocols/websocket";
 * const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * });
 * const socket = await connectWebSocket(`ws://127.0.0.1:${server.addr.port}/`);
 * socket.send("hello");
 * const echoed = await new Promise((resolve) => socket.onmessage = (e) => resolve(e.data));
 * console.assert(echoed === "hello");
 * socket.close();
 * await new Promise((resolve) => socket.onclose = resolve);
 * await server.shutdown();
 * ```
 */
export async function connectWebSocket(
  url: string | URL,
  options: ConnectWebSocketOptions = {},
): Promise<SpindleWebSocket> {
  const done = await handshake(url, options);
  const socket = new SpindleWebSocket(done);
  openSocket(socket, done.conn, done.options);
  return socket;
}

/** What {@linkcode connectWebSocketStream} resolves to: the open streams, and the closing. */
export interface WebSocketStreamClient extends WebSocketConnection {
  /** Resolves with the close code and reason once closed (rejects if it ended abnormally). */
  closed: Promise<WebSocketCloseInfo>;
  /** Starts the closing handshake (code 1000 unless given). */
  close(closeInfo?: WebSocketCloseInfo): void;
}

/**
 * Opens a WebSocket to `url` in the stream shape: a readable and a writable
 * of messages, with backpressure.
 *
 * @example Usage
 * ```ts
 * import { connectWebSocketStream } from "@spindle/spindle/protocols/websocket";
 * const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * });
 * const ws = await connectWebSocketStream(`ws://127.0.0.1:${server.addr.port}/`);
 * const writer = ws.writable.getWriter();
 * await writer.write("hello");
 * const reader = ws.readable.getReader();
 * console.assert((await reader.read()).value === "hello");
 * ws.close();
 * await ws.closed;
 * await server.shutdown();
 * ```
 */
export async function connectWebSocketStream(
  url: string | URL,
  options: ConnectWebSocketOptions = {},
): Promise<WebSocketStreamClient> {
  const done = await handshake(url, options);
  const { connection, closed, session } = openStreams(
    done.conn,
    done.options,
    done,
  );
  return {
    ...connection,
    closed,
    close: (closeInfo = {}) =>
      session.close(closeInfo.closeCode ?? 1000, closeInfo.reason),
  };
}
