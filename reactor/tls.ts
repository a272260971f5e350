/**
 * TLS for the reactor: listeners, client connections, STARTTLS on both sides
 * and SNI.
 *
 * What works on Deno 2.9.6, and which engine does it:
 * - `listenTLS` accepts plain TCP and wraps each socket in a server-side
 *   `node:tls` `TLSSocket` (with ALPN, and with `sni` an `SNICallback` that
 *   picks the certificate for the server name the client asks for). Not
 *   `Deno.listenTls`: it has no SNI resolver (denoland/deno#23233), and a
 *   connection it accepted cannot be closed until its handshake ends (closing
 *   one waits for the handshake task, which holds the socket), so a client
 *   that never finishes would hold it forever. Only with
 *   `handshakeTimeout: Infinity` and no `sni` does the listener run on
 *   `Deno.listenTls` (rustls), which moves bulk data faster.
 * - `connectTLS` puts a client-side `node:tls` socket over a plain TCP
 *   connection (closable while its handshake runs), with ALPN and extra CA
 *   certificates; only with `handshakeTimeout: Infinity` does it run on
 *   `Deno.connectTls`. Either way the handshake is finished (and checked)
 *   before the connection is handed over.
 * - `startTLS` on the client side runs on `Deno.startTls`; on the server side
 *   (`isServer: true`, for SMTP / IMAP STARTTLS) it wraps the connection in a
 *   `node:tls` `TLSSocket` (with SNI and ALPN as for listeners). Either way the
 *   same {@linkcode Connection} object goes on, now encrypted.
 *
 * Every path has a handshake deadline (`handshakeTimeout`, default
 * {@linkcode DEFAULT_HANDSHAKE_TIMEOUT}): a peer that sends nothing, or half a
 * handshake, has its connection closed with a
 * {@linkcode TLSHandshakeTimeoutError} instead of holding a socket forever. A
 * listener finishes each handshake before it hands the connection to its
 * handler, while its accept loop goes on accepting.
 *
 * @module
 */
import { ConnectionWrapper } from "./policies/wrapper.ts";
import tls from "node:tls";
import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import { isIP } from "node:net";
import type { Deferred } from "../deferred/deferred.ts";
import { formatAddress } from "./connection.ts";
import {
  DenoConnection,
  type RawConn,
  type TLSInfo,
  writeAll,
} from "./deno_connection.ts";
import { TLSHandshakeError, TLSHandshakeTimeoutError } from "./errors.ts";
import type {
  Connection,
  ConnectionHandler,
  ConnectTLSOptions,
  ListeningPort,
  ListenTLSOptions,
  TLSCertificate,
  TLSClientOptions,
  TLSServerOptions,
} from "./interfaces.ts";
import type { StreamHost } from "./resources.ts";
import { connectStream } from "./stream_connect.ts";
import { listenStream } from "./stream_port.ts";

export type {
  ConnectTLSOptions,
  ListenTLSOptions,
  TLSCertificate,
  TLSClientOptions,
  TLSServerOptions,
};

/**
 * Milliseconds a TLS handshake may take on any path (listeners, `connectTLS`,
 * `startTLS` on both sides) when `handshakeTimeout` is not given.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_HANDSHAKE_TIMEOUT } from "@spindle/spindle/reactor";
 * console.assert(DEFAULT_HANDSHAKE_TIMEOUT === 10_000);
 * ```
 */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/** Options for `startTLS` as the client. */
export interface StartTLSClientOptions extends TLSClientOptions {
  /** Not the server side. */
  isServer?: false;
  /** The server's name: checked against its certificate and sent as SNI. */
  hostname: string;
}

/** Options for `startTLS` as the server (SMTP / IMAP STARTTLS). */
export interface StartTLSServerOptions extends TLSServerOptions {
  /** The server side. */
  isServer: true;
}

/** Options for `startTLS`. */
export type StartTLSOptions = StartTLSClientOptions | StartTLSServerOptions;

/**
 * Listens for TLS connections on `port`; see the module documentation for
 * which engine serves which options.
 */
export function listenTLS(
  reactor: StreamHost,
  port: number,
  handler: ConnectionHandler,
  options: ListenTLSOptions,
): Deferred<ListeningPort> {
  const hostname = options.interface ?? "0.0.0.0";
  const address = formatAddress({ transport: "tcp", hostname, port });
  const timeout = options.handshakeTimeout;
  if (options.sni === undefined && timeout === Infinity) {
    return listenStream(reactor, {
      open: () =>
        Deno.listenTls({
          hostname,
          port,
          transport: "tcp",
          cert: options.cert,
          key: options.key,
          alpnProtocols: options.alpnProtocols,
          reusePort: options.reusePort,
        }),
      address,
      handler,
      signal: options.signal,
    });
  }
  const server = serverUpgrade(options);
  return listenStream(reactor, {
    open: () =>
      Deno.listen({
        hostname,
        port,
        transport: "tcp",
        reusePort: options.reusePort,
      }),
    address,
    handler,
    signal: options.signal,
    wrap: async (raw) => {
      const conn = new DenoConnection(raw);
      const peer = () => formatAddress(conn.remoteAddr);
      try {
        await underDeadline(conn.upgrade(server), {
          timeout,
          peer,
          abort: () => conn.abort(),
        });
      } catch (error) {
        throw handshakeError(peer(), error);
      }
      return conn;
    },
  });
}

/**
 * Connects to `host:port` over TLS. The Deferred fires once the handshake
 * has succeeded; a certificate that does not check out fails it with
 * {@linkcode TLSHandshakeError}.
 */
export function connectTLS(
  reactor: StreamHost,
  host: string,
  port: number,
  options: ConnectTLSOptions = {},
): Deferred<Connection> {
  const peer = `${host}:${port}`;
  const rustls = options.handshakeTimeout === Infinity;
  return connectStream(reactor, {
    open: (signal) =>
      rustls
        ? Deno.connectTls({
          hostname: host,
          port,
          caCerts: options.caCerts,
          alpnProtocols: options.alpnProtocols,
        })
        : Deno.connect({ hostname: host, port, transport: "tcp", signal }),
    host,
    port,
    timeout: options.timeout,
    handler: options.handler,
    signal: options.signal,
    wrap: async (raw) => {
      const conn = new DenoConnection(raw);
      const handshake = rustls
        ? conn.handshake()
        : conn.upgrade(clientUpgrade({ ...options, hostname: host }));
      try {
        await underDeadline(handshake, {
          timeout: options.handshakeTimeout,
          peer: () => peer,
          abort: () => conn.abort(),
        });
      } catch (error) {
        throw handshakeError(peer, error);
      }
      return conn;
    },
  });
}

/**
 * Starts TLS on a live connection made by a reactor (STARTTLS): as the client
 * (`Deno.startTls`) by default, as the server with `isServer: true`. Stop
 * reading before calling it; once it resolves, the same connection carries
 * encrypted traffic. Resolves with what the handshake settled; a handshake not
 * finished within `handshakeTimeout` closes the connection and rejects with
 * {@linkcode TLSHandshakeTimeoutError}.
 *
 * @example Usage
 * ```ts ignore
 * import { reactor, startTLS } from "@spindle/spindle/reactor";
 * const conn = await reactor.connectTCP("127.0.0.1", 587);
 * // ... say EHLO and STARTTLS, read "220 ready" ...
 * await startTLS(conn, { hostname: "mail.example.org" });
 * ```
 */
export async function startTLS(
  conn: Connection,
  options: StartTLSOptions,
): Promise<TLSInfo> {
  const socket = socketConnection(conn);
  if (!(socket instanceof DenoConnection)) {
    throw new TypeError(
      "startTLS needs a TCP connection made by a reactor (listenTCP / connectTCP)",
    );
  }
  const peer = formatAddress(socket.remoteAddr);
  const upgrade = options.isServer === true
    ? serverUpgrade(options)
    : options.handshakeTimeout === Infinity
    ? rustlsClientUpgrade(options)
    : clientUpgrade(options);
  try {
    return await underDeadline(socket.upgrade(upgrade), {
      timeout: options.handshakeTimeout,
      peer: () => peer,
      abort: () => socket.abort(),
    });
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw handshakeError(peer, error);
  }
}

/**
 * What a TLS handshake on `conn` settled (waiting for it), or `null` when
 * `conn` is not encrypted.
 *
 * @example Usage
 * ```ts
 * import { connectedPair, tlsInfo } from "@spindle/spindle/reactor";
 * const [a, b] = connectedPair();
 * console.assert(await tlsInfo(a) === null);
 * await a.close();
 * await b.close();
 * ```
 */
export function tlsInfo(conn: Connection): Promise<TLSInfo | null> {
  conn = socketConnection(conn);
  return conn instanceof DenoConnection
    ? conn.handshake()
    : Promise.resolve(null);
}

/** A handshake's deadline: how long, who with, and how to close the connection. */
interface HandshakeDeadline {
  /** Milliseconds; default {@linkcode DEFAULT_HANDSHAKE_TIMEOUT}. */
  timeout: number | undefined;
  /** Who the handshake is with, for the error. */
  peer: () => string;
  /** Closes the connection whose handshake ran out of time. */
  abort: () => void;
}

/**
 * `handshake`, or a {@linkcode TLSHandshakeTimeoutError} (and the connection
 * closed, which ends the handshake too) once the deadline has passed.
 */
function underDeadline<T>(
  handshake: Promise<T>,
  deadline: HandshakeDeadline,
): Promise<T> {
  const timeout = deadline.timeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
  if (timeout === Infinity) return handshake;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new TLSHandshakeTimeoutError(deadline.peer(), timeout));
      deadline.abort();
    }, timeout);
    handshake.then((value) => {
      clearTimeout(timer);
      resolve(value);
    }, (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function handshakeError(peer: string, error: unknown): unknown {
  if (error instanceof TLSHandshakeError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new TLSHandshakeError(peer, detail, { cause: error });
}

/** The upgrade that puts a server-side `node:tls` socket over a connection. */
function serverUpgrade(options: TLSServerOptions) {
  const main = tls.createSecureContext({
    cert: options.cert,
    key: options.key,
  });
  const exact = new Map<string, tls.SecureContext>();
  const wildcard = new Map<string, tls.SecureContext>();
  for (const [name, certificate] of Object.entries(options.sni ?? {})) {
    const context = tls.createSecureContext(certificate);
    const lower = name.toLowerCase();
    if (lower.startsWith("*.")) wildcard.set(lower.slice(2), context);
    else exact.set(lower, context);
  }
  const select = (name: string): tls.SecureContext => {
    const lower = name.toLowerCase();
    const dot = lower.indexOf(".");
    return exact.get(lower) ??
      (dot === -1 ? undefined : wildcard.get(lower.slice(dot + 1))) ?? main;
  };
  return (
    current: RawConn,
    _socket: Deno.Conn,
    pending: Uint8Array[],
  ): Promise<{ conn: RawConn; tls: Promise<TLSInfo> }> => {
    let serverName: string | null = null;
    const socket = new tls.TLSSocket(new ConnDuplex(current, pending), {
      isServer: true,
      secureContext: main,
      SNICallback: (name, callback) => {
        serverName = name || null;
        callback(null, select(name));
      },
      ALPNProtocols: options.alpnProtocols,
    });
    return Promise.resolve(secured(socket, "secure", () => serverName));
  };
}

/**
 * The upgrade that puts a client-side `node:tls` socket over a connection,
 * which stays closable while the handshake runs.
 */
function clientUpgrade(options: StartTLSClientOptions) {
  // Deno.connectTls trusts `caCerts` besides the usual roots; node's `ca`
  // replaces the roots, so they are given too.
  const ca = options.caCerts === undefined
    ? undefined
    : [...tls.rootCertificates, ...options.caCerts];
  const { hostname } = options;
  return (
    current: RawConn,
    socket: Deno.Conn,
    pending: Uint8Array[],
  ): Promise<{ conn: RawConn; tls: Promise<TLSInfo> }> => {
    checkClientUpgrade(current, socket, pending);
    const tlsSocket = tls.connect({
      socket: new ConnDuplex(current, []),
      host: hostname,
      // SNI carries names only (RFC 6066 §3), never an address.
      servername: isIP(hostname) === 0 ? hostname : undefined,
      ca,
      ALPNProtocols: options.alpnProtocols,
    });
    return Promise.resolve(
      secured(tlsSocket, "secureConnect", () => hostname),
    );
  };
}

/**
 * The upgrade on `Deno.startTls` (rustls): faster, but the connection cannot
 * be closed until its handshake ends, so it runs only without a deadline.
 */
function rustlsClientUpgrade(options: StartTLSClientOptions) {
  return async (
    current: RawConn,
    socket: Deno.Conn,
    pending: Uint8Array[],
  ): Promise<{ conn: RawConn; socket: Deno.Conn; tls: Promise<TLSInfo> }> => {
    checkClientUpgrade(current, socket, pending);
    const tlsConn = await Deno.startTls(socket as Deno.TcpConn, {
      hostname: options.hostname,
      caCerts: options.caCerts,
      alpnProtocols: options.alpnProtocols,
    });
    const info = tlsConn.handshake().then((hs) => ({
      alpnProtocol: hs.alpnProtocol,
      serverName: options.hostname,
    }));
    return { conn: tlsConn, socket: tlsConn, tls: info };
  };
}

/**
 * Refuses a client-side upgrade of a connection that is already encrypted or
 * not TCP, or that holds bytes from the server: sent before the handshake,
 * they cannot be part of it.
 */
function checkClientUpgrade(
  current: RawConn,
  socket: Deno.Conn,
  pending: Uint8Array[],
): void {
  if (pending.length > 0) {
    throw new TypeError(
      "The server sent bytes before the TLS handshake: they cannot be part of it (a STARTTLS injection?); close the connection",
    );
  }
  if (current !== socket || socket.remoteAddr.transport !== "tcp") {
    throw new TypeError(
      "startTLS: the connection is already encrypted or not TCP",
    );
  }
}

/** A `node:tls` socket as a connection's transport, and its handshake. */
function secured(
  socket: tls.TLSSocket,
  done: "secure" | "secureConnect",
  serverName: () => string | null,
): { conn: RawConn; tls: Promise<TLSInfo> } {
  const info = new Promise<TLSInfo>((resolve, reject) => {
    socket.once(done, () =>
      resolve({
        alpnProtocol: typeof socket.alpnProtocol === "string"
          ? socket.alpnProtocol
          : null,
        serverName: serverName(),
      }));
    const closed = () =>
      reject(new Error("the connection closed during the handshake"));
    socket.once("error", reject);
    socket.once("end", closed);
    socket.once("close", closed);
  });
  return { conn: new TLSSocketConn(socket), tls: info };
}

/** A `node:stream` Duplex over a {@linkcode RawConn}, for `tls.TLSSocket`. */
class ConnDuplex extends Duplex {
  #raw: RawConn;
  #pending: Uint8Array[];
  #buffer = new Uint8Array(64 * 1024);

  constructor(raw: RawConn, pending: Uint8Array[]) {
    super();
    this.#raw = raw;
    this.#pending = pending;
  }

  override _read(): void {
    const first = this.#pending.shift();
    if (first !== undefined) {
      this.push(Buffer.from(first));
      return;
    }
    this.#raw.read(this.#buffer).then(
      (n) =>
        this.push(n === null ? null : Buffer.from(this.#buffer.subarray(0, n))),
      (error) => this.destroy(error),
    );
  }

  override _write(
    chunk: Uint8Array,
    _encoding: string,
    callback: (error?: Error | null) => void,
  ): void {
    writeAll(this.#raw, chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#raw.closeWrite().then(() => callback(), callback);
  }

  override _destroy(
    error: Error | null,
    callback: (error?: Error | null) => void,
  ): void {
    try {
      this.#raw.close();
    } catch {
      // Already closed.
    }
    callback(error);
  }
}

/** Bytes a {@linkcode TLSSocketConn} buffers before pausing its socket. */
const TLS_READ_BUFFER = 64 * 1024;

/** A {@linkcode RawConn} over a `node:tls` socket. */
class TLSSocketConn implements RawConn {
  // A write below the socket's high-water mark resolves at once (see
  // `write`), while node's stream may still queue the chunk itself.
  readonly keepsChunks = true;
  #socket: tls.TLSSocket;
  #chunks: Uint8Array[] = [];
  #bytes = 0;
  #ended = false;
  #error: unknown = undefined;
  #waiter: (() => void) | undefined;

  constructor(socket: tls.TLSSocket) {
    this.#socket = socket;
    socket.on("data", (data: Uint8Array) => {
      this.#chunks.push(data);
      this.#bytes += data.byteLength;
      if (this.#bytes > TLS_READ_BUFFER) socket.pause();
      this.#wake();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#wake();
    });
    socket.on("error", (error: Error) => {
      this.#error = error;
      this.#wake();
    });
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (true) {
      const head = this.#chunks[0];
      if (head !== undefined) {
        const n = Math.min(buffer.byteLength, head.byteLength);
        buffer.set(head.subarray(0, n));
        if (n === head.byteLength) this.#chunks.shift();
        else this.#chunks[0] = head.subarray(n);
        this.#bytes -= n;
        if (this.#bytes <= TLS_READ_BUFFER && this.#socket.isPaused()) {
          this.#socket.resume();
        }
        return n;
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#waiter = resolve);
    }
  }

  write(data: Uint8Array): Promise<number> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#socket.destroyed || this.#socket.writableEnded) {
      return Promise.reject(
        new Deno.errors.BrokenPipe("The TLS connection is closed"),
      );
    }
    // Below the socket's high-water mark the bytes are as good as sent (as
    // with a kernel buffer): waiting for each write's callback would cost a
    // round of the TLS stream machinery per write. Above it, wait for room.
    if (this.#socket.write(data)) return Promise.resolve(data.byteLength);
    return new Promise((resolve, reject) => {
      const socket = this.#socket;
      const settle = () => {
        socket.off("drain", settle);
        socket.off("close", settle);
        socket.off("error", settle);
        if (socket.destroyed) {
          reject(
            this.#error ??
              new Deno.errors.BrokenPipe("The TLS connection is closed"),
          );
        } else resolve(data.byteLength);
      };
      socket.on("drain", settle);
      socket.on("close", settle);
      socket.on("error", settle);
    });
  }

  closeWrite(): Promise<void> {
    return new Promise((resolve) => this.#socket.end(() => resolve()));
  }

  close(): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    // Send close_notify before letting go, so the peer sees a clean end (a
    // rustls peer reports an EOF without it as an error); a peer that does
    // not take the last bytes within a few seconds is cut off.
    const timer = setTimeout(() => socket.destroy(), 5000);
    Deno.unrefTimer(timer as unknown as number);
    socket.end(() => {
      clearTimeout(timer);
      socket.destroy();
    });
  }
}

// A policy's wrapper passes its traffic on to the connection it wraps: the
// socket to upgrade or inspect is underneath.
function socketConnection(conn: Connection): Connection {
  while (conn instanceof ConnectionWrapper) conn = conn.inner;
  return conn;
}
