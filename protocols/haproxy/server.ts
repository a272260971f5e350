/**
 * The receiving side: {@linkcode readProxyHeader} takes the PROXY header off
 * a connection, and {@linkcode proxied} wraps a connection handler so that
 * each connection is served with the client's real address as its
 * `remoteAddr` (the proxy's stays available through
 * {@linkcode proxyInfoOf}).
 *
 * @module
 */
import type {
  Address,
  Connection,
  ConnectionFactory,
  ConnectionHandler,
  Reactor,
} from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { concatBytes, EMPTY_BYTES } from "../../reactor/bytes.ts";
import { formatAddress } from "../../reactor/connection.ts";
import { getLogger } from "../../log/mod.ts";
import { decodeProxyHeader } from "./codec.ts";
import {
  ProxyHeaderError,
  ProxyHeaderTimeoutError,
  UntrustedProxyError,
} from "./errors.ts";
import {
  DEFAULT_HEADER_TIMEOUT,
  DEFAULT_TRUSTED,
  type ProxyLimits,
} from "./limits.ts";
import type { ProxyHeader } from "./message.ts";
import {
  inAddressRanges,
  parseAddressRanges,
} from "../../reactor/address_ranges.ts";

const logger = getLogger("spindle.haproxy");

/** Options for {@linkcode readProxyHeader}. */
export interface ReadProxyHeaderOptions extends ProxyLimits {
  /** Milliseconds the whole header may take. Default {@linkcode DEFAULT_HEADER_TIMEOUT}. */
  headerTimeout?: number;
  /** Where the deadline runs. */
  clock: IReactorTime;
}

/**
 * Reads the PROXY header (v1 or v2) off `conn`, putting back the bytes
 * after it. Rejects with `ProxyHeaderError` (missing, malformed, or the
 * connection ended first) or `ProxyHeaderTimeoutError` (the connection is
 * aborted).
 *
 * @example Usage
 * ```ts
 * import { readProxyHeader, sendProxyHeader } from "@spindle/spindle/protocols/haproxy";
 * import { Clock, connectedPair } from "@spindle/spindle/reactor";
 * const [proxy, backend] = connectedPair();
 * await sendProxyHeader(proxy, {
 *   source: { transport: "tcp", hostname: "192.0.2.1", port: 5000 },
 *   destination: { transport: "tcp", hostname: "192.0.2.2", port: 80 },
 * });
 * const header = await readProxyHeader(backend, { clock: new Clock() });
 * console.assert(header.source?.hostname === "192.0.2.1");
 * await proxy.close();
 * await backend.close();
 * ```
 */
export async function readProxyHeader(
  conn: Connection,
  options: ReadProxyHeaderOptions,
): Promise<ProxyHeader> {
  const timeout = options.headerTimeout ?? DEFAULT_HEADER_TIMEOUT;
  let timedOut = false;
  const timer = options.clock.callLater(timeout, () => {
    timedOut = true;
    conn.abort(new ProxyHeaderTimeoutError(timeout));
  });
  let buffered = EMPTY_BYTES;
  try {
    while (true) {
      let chunk: Uint8Array | null;
      try {
        chunk = await conn.read();
      } catch (error) {
        if (timedOut) throw new ProxyHeaderTimeoutError(timeout);
        throw error;
      }
      if (chunk === null) {
        throw new ProxyHeaderError(
          buffered.byteLength === 0
            ? "the connection ended before sending a PROXY header"
            : "the connection ended inside its PROXY header",
        );
      }
      buffered = buffered.byteLength === 0
        ? chunk
        : concatBytes(buffered, chunk);
      const decoded = decodeProxyHeader(buffered, options);
      if (decoded !== null) {
        if (decoded.length < buffered.byteLength) {
          conn.unshift(buffered.subarray(decoded.length));
        }
        return decoded.header;
      }
    }
  } finally {
    if (timer.active()) timer.cancel();
  }
}

/** What a proxied connection knows of the proxy. */
export interface ProxyInfo {
  /** The header the proxy sent. */
  readonly header: ProxyHeader;
  /** The proxy's address: where the TCP connection really came from. */
  readonly proxyAddr: Address;
}

const infos = new WeakMap<object, ProxyInfo>();

/**
 * The PROXY header and the proxy's address of a connection served through
 * {@linkcode proxied} (or the `haproxy:` endpoint), looked up by the
 * connection or by its `remoteAddr` object (so an HTTP handler can pass
 * `info.remoteAddr`); `undefined` for other connections.
 *
 * @example Usage
 * ```ts
 * import { proxyInfoOf } from "@spindle/spindle/protocols/haproxy";
 * import type { ServeHandlerInfo } from "@spindle/spindle/protocols/http";
 * function handler(_request: Request, info: ServeHandlerInfo): Response {
 *   const proxy = proxyInfoOf(info.remoteAddr)?.proxyAddr;
 *   return new Response(proxy === undefined ? "direct" : "through a proxy");
 * }
 * console.assert(typeof handler === "function");
 * ```
 */
export function proxyInfoOf(
  target: Connection | Address,
): ProxyInfo | undefined {
  return infos.get(target);
}

/**
 * A connection as the proxy's client sees it: the client's address as
 * `remoteAddr`, the address it connected to as `localAddr`; everything else
 * is the underlying connection's.
 */
class ProxiedConnection implements Connection {
  readonly #conn: Connection;
  readonly remoteAddr: Address;
  readonly localAddr: Address;

  constructor(conn: Connection, header: ProxyHeader) {
    this.#conn = conn;
    this.remoteAddr = header.source ?? conn.remoteAddr;
    this.localAddr = header.destination ?? conn.localAddr;
    const info = { header, proxyAddr: conn.remoteAddr };
    infos.set(this, info);
    // A fresh object for the own-address case too, so that it keys only this connection.
    if (header.source === undefined) this.remoteAddr = { ...conn.remoteAddr };
    infos.set(this.remoteAddr, info);
  }

  get readable(): ReadableStream<Uint8Array> {
    return this.#conn.readable;
  }
  get writable(): WritableStream<Uint8Array> {
    return this.#conn.writable;
  }
  get closed(): Promise<void> {
    return this.#conn.closed;
  }
  /** What the underlying connection has not sent yet, when it says. */
  get bufferedAmount(): number {
    return (this.#conn as Partial<{ bufferedAmount: number }>).bufferedAmount ??
      0;
  }
  read(): Promise<Uint8Array | null> {
    return this.#conn.read();
  }
  write(data: Uint8Array): Promise<void> {
    return this.#conn.write(data);
  }
  unshift(data: Uint8Array): void {
    this.#conn.unshift(data);
  }
  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }
  close(): Promise<void> {
    return this.#conn.close();
  }
  abort(reason?: unknown): void {
    this.#conn.abort(reason);
  }
  setNoDelay(noDelay?: boolean): void {
    this.#conn.setNoDelay(noDelay);
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.#conn.close();
  }
}

/** Options for {@linkcode proxied}. */
export interface ProxiedOptions extends ProxyLimits {
  /**
   * The sources allowed to send a PROXY header, as CIDR ranges (`10.0.0.0/8`,
   * `::1/128`); a connection from elsewhere is closed unserved, with a log
   * line. Default {@linkcode DEFAULT_TRUSTED} (loopback).
   */
  trusted?: readonly string[];
  /** Milliseconds the header may take. Default {@linkcode DEFAULT_HEADER_TIMEOUT}. */
  headerTimeout?: number;
  /** Where the header deadline runs. */
  clock: IReactorTime;
}

/**
 * Wraps `handler` (a function or a `Factory`) so that each connection first
 * gives its PROXY header: then it is served with the client's address as
 * `remoteAddr` (a v2 `LOCAL` or v1 `UNKNOWN` header keeps the connection's
 * own). A connection from an untrusted source, or with a missing, malformed
 * or slow header, is closed with a log line and never reaches `handler`.
 *
 * @example Usage
 * ```ts ignore
 * import { proxied } from "@spindle/spindle/protocols/haproxy";
 * import { reactor } from "@spindle/spindle/reactor";
 * await reactor.listenTCP(8080, proxied(async (conn) => {
 *   console.log("a client at", conn.remoteAddr);
 *   await conn.close();
 * }, { clock: reactor }), { interface: "127.0.0.1" });
 * ```
 */
export function proxied(
  handler: ConnectionHandler,
  options: ProxiedOptions,
): ConnectionFactory {
  const trusted = parseAddressRanges(options.trusted ?? DEFAULT_TRUSTED);
  const serve = typeof handler === "function"
    ? (conn: Connection) => handler(conn)
    : (conn: Connection, reactor: Reactor) =>
      handler.handleConnection(conn, reactor);
  return {
    doStart: () => {
      if (typeof handler !== "function") handler.doStart();
    },
    doStop: () => {
      if (typeof handler !== "function") handler.doStop();
    },
    async handleConnection(conn, reactor) {
      const from = conn.remoteAddr;
      const source = "hostname" in from ? from.hostname : formatAddress(from);
      if ("hostname" in from && !inAddressRanges(source, trusted)) {
        const error = new UntrustedProxyError(source);
        logger.warn("closed a connection from {source}: {message}", {
          source,
          message: error.message,
        });
        conn.abort(error);
        return;
      }
      let header: ProxyHeader;
      try {
        header = await readProxyHeader(conn, options);
      } catch (error) {
        logger.warn("closed a connection from {source}: {message}", {
          source: formatAddress(from),
          message: (error as Error).message,
        });
        conn.abort(error);
        return;
      }
      await serve(new ProxiedConnection(conn, header), reactor);
    },
  };
}
