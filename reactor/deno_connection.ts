/**
 * A {@linkcode Connection} over a `Deno.Conn` (TCP, Unix or TLS), built on
 * `conn.read()` / `conn.write()` rather than `conn.readable`, which closes the
 * whole socket at end of input and so breaks half-close (denoland/deno#22258).
 *
 * @module
 */
import { BaseConnection } from "./connection.ts";
import type { Address, Connection } from "./interfaces.ts";

/*
 * Allocating an ArrayBuffer costs microseconds in Deno, far more than a read,
 * so chunks are views of larger buffers that nobody reuses (the receiver owns
 * what it is given). A connection starts small: it reads into its own 4 KiB
 * scratch buffer (what an idle connection keeps) and copies the bytes into a
 * pool shared by all connections, so one allocation serves many small reads
 * and a pending read holds no pool. Once a read fills the scratch buffer (the
 * buffer itself becomes that chunk), the connection reads straight into 64 KiB
 * pools of its own: no copy for bulk data. Larger pools would be slower: the
 * allocator maps them fresh.
 */
const SCRATCH = 4 * 1024;
const SHARED_POOL = 16 * 1024;
const LARGE_POOL = 64 * 1024;
/** Below this much room left, a large read starts a new pool. */
const LARGE_MIN_SPACE = 8 * 1024;

let shared = new ArrayBuffer(0);
let sharedOffset = 0;

/** A copy of `scratch[0, n)` in the shared pool. */
function copyToShared(scratch: Uint8Array, n: number): Uint8Array {
  if (shared.byteLength - sharedOffset < n) {
    shared = new ArrayBuffer(SHARED_POOL);
    sharedOffset = 0;
  }
  const chunk = new Uint8Array(shared, sharedOffset, n);
  chunk.set(scratch.subarray(0, n));
  sharedOffset += n;
  return chunk;
}

/**
 * The byte-level operations a {@linkcode DenoConnection} needs: what
 * `Deno.Conn` offers, and what the TLS layers over it offer too.
 */
export interface RawConn {
  /** Reads into `buffer`; the number of bytes read, or `null` at end of input. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `data`; the number of bytes written. */
  write(data: Uint8Array): Promise<number>;
  /**
   * `true` when `write` may resolve before the transport is done with
   * `data` (it keeps a reference in a queue of its own), so a caller must not
   * reuse the chunk after the write resolves.
   */
  readonly keepsChunks?: boolean;
  /** Shuts down the write direction. */
  closeWrite(): Promise<void>;
  /** Releases the connection. */
  close(): void;
}

/** What a TLS handshake settled. */
export interface TLSInfo {
  /** The application protocol chosen by ALPN, or `null`. */
  alpnProtocol: string | null;
  /** The server name the client asked for (SNI), when known. */
  serverName: string | null;
}

/**
 * A connection over a `Deno.Conn`.
 *
 * @example Usage
 * ```ts ignore
 * import { DenoConnection } from "@spindle/spindle/reactor";
 * const conn = new DenoConnection(await Deno.connect({ port: 7 }));
 * await conn.write(new TextEncoder().encode("hello"));
 * await conn.close();
 * ```
 */
export class DenoConnection extends BaseConnection implements Connection {
  #conn: RawConn;
  #socket: Deno.Conn;
  #tls: Promise<TLSInfo> | undefined;
  #scratch: Uint8Array | undefined;
  #pool = new Uint8Array(0);
  #offset = 0;
  #large = false;

  /** Wraps `conn`; the connection owns it from now on. */
  constructor(conn: Deno.Conn) {
    super(conn.localAddr as Address, conn.remoteAddr as Address);
    this.#conn = conn;
    this.#socket = conn;
  }

  /** The `Deno.Conn` underneath (TLS layers may sit between it and the bytes). */
  get conn(): Deno.Conn {
    return this.#socket;
  }

  /**
   * What the TLS handshake settled (waiting for it to finish), or `null` when
   * the connection is not encrypted.
   */
  handshake(): Promise<TLSInfo | null> {
    if (this.#tls === undefined && isTlsConn(this.#socket)) {
      this.#tls = tlsInfoOf(this.#socket);
    }
    return this.#tls ?? Promise.resolve(null);
  }

  /**
   * Moves the connection onto a new transport (STARTTLS): `upgrade` gets the
   * current one and the bytes received but not yet read, and returns the new
   * transport and its handshake. Reading and writing go on through the same
   * connection object.
   */
  async upgrade(
    upgrade: (
      current: RawConn,
      socket: Deno.Conn,
      pending: Uint8Array[],
    ) => Promise<{ conn: RawConn; socket?: Deno.Conn; tls: Promise<TLSInfo> }>,
  ): Promise<TLSInfo> {
    const pending = await this.quiesce();
    const next = await upgrade(this.#conn, this.#socket, pending);
    this.#conn = next.conn;
    if (next.socket !== undefined) this.#socket = next.socket;
    this.#tls = next.tls;
    next.tls.catch(() => {});
    return await next.tls;
  }

  /** Reads the next chunk: a view of a pool (see above). */
  protected override rawRead(): Promise<Uint8Array | null> {
    return this.rawReadCount().then((n) =>
      n === null ? null : this.rawReadChunk(n)
    );
  }

  /** Reads into the scratch buffer or the large pool (see above). */
  protected override rawReadCount(): Promise<number | null> {
    if (!this.#large) {
      return this.#conn.read(this.#scratch ??= new Uint8Array(SCRATCH));
    }
    const pool = this.#pool;
    const start = this.#offset;
    if (pool.byteLength - start >= LARGE_MIN_SPACE) {
      return this.#conn.read(pool.subarray(start));
    }
    this.#pool = new Uint8Array(LARGE_POOL);
    this.#offset = 0;
    return this.#conn.read(this.#pool);
  }

  /** The bytes just read, as a chunk the reader owns. */
  protected override rawReadChunk(n: number): Uint8Array {
    if (this.#large) {
      const start = this.#offset;
      this.#offset = start + n;
      return this.#pool.subarray(start, start + n);
    }
    const scratch = this.#scratch as Uint8Array;
    if (n < scratch.byteLength) return copyToShared(scratch, n);
    this.#large = true;
    this.#scratch = undefined;
    return scratch;
  }

  /** Reads straight into `buffer`. */
  protected override rawReadInto(buffer: Uint8Array): Promise<number | null> {
    return this.#conn.read(buffer);
  }

  /** Writes some of `data`; the connection writes the rest. */
  protected override rawWrite(data: Uint8Array): Promise<number> {
    return this.#conn.write(data);
  }

  /** Whether the transport (a `node:tls` socket, say) queues chunks by reference. */
  protected override get rawWriteKeepsChunks(): boolean {
    return this.#conn.keepsChunks === true;
  }

  /** Shuts down the socket's write direction. */
  protected override rawCloseWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  /** Closes the socket. */
  protected override rawClose(): void {
    this.#conn.close();
  }

  /** Disables (or re-enables) Nagle's algorithm on TCP. */
  override setNoDelay(noDelay = true): void {
    const socket = this.#socket as Partial<Deno.TcpConn>;
    socket.setNoDelay?.(noDelay);
  }
}

/** Writes all of `data` to `conn`, looping over partial writes. */
export async function writeAll(conn: RawConn, data: Uint8Array): Promise<void> {
  let written = await conn.write(data);
  while (written < data.byteLength) {
    written += await conn.write(data.subarray(written));
  }
}

function isTlsConn(conn: Deno.Conn): conn is Deno.TlsConn {
  return typeof (conn as Partial<Deno.TlsConn>).handshake === "function";
}

async function tlsInfoOf(conn: Deno.TlsConn): Promise<TLSInfo> {
  const info = await conn.handshake();
  return { alpnProtocol: info.alpnProtocol, serverName: null };
}
