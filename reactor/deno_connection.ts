/**
 * A {@linkcode Connection} over a `Deno.Conn` (TCP, Unix or TLS), built on
 * `conn.read()` / `conn.write()` rather than `conn.readable`, which closes the
 * whole socket at end of input and so breaks half-close (denoland/deno#22258).
 *
 * @module
 */
import { BaseConnection } from "./connection.ts";
import type { Address, Connection } from "./interfaces.ts";

/** Reads land in a shared pool buffer; chunks are views of it (no copy). */
const POOL_SIZE = 64 * 1024;
/** A new pool is started when less room than this is left in the current one. */
const MIN_READ_SPACE = 16 * 1024;

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
  #conn: Deno.Conn;
  #pool = new Uint8Array(POOL_SIZE);
  #offset = 0;

  /** Wraps `conn`; the connection owns it from now on. */
  constructor(conn: Deno.Conn) {
    super(conn.localAddr as Address, conn.remoteAddr as Address);
    this.#conn = conn;
  }

  /** The wrapped `Deno.Conn` (for `Deno.startTls` and the like). */
  get conn(): Deno.Conn {
    return this.#conn;
  }

  /** Reads into the pool; the chunk is a view of it. */
  protected override async rawRead(): Promise<Uint8Array | null> {
    if (POOL_SIZE - this.#offset < MIN_READ_SPACE) {
      this.#pool = new Uint8Array(POOL_SIZE);
      this.#offset = 0;
    }
    const pool = this.#pool;
    const start = this.#offset;
    const n = await this.#conn.read(pool.subarray(start));
    if (n === null) return null;
    this.#offset = start + n;
    return pool.subarray(start, start + n);
  }

  /** Writes all of `data`, looping over partial writes. */
  protected override async rawWrite(data: Uint8Array): Promise<void> {
    let written = await this.#conn.write(data);
    while (written < data.byteLength) {
      written += await this.#conn.write(data.subarray(written));
    }
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
    const conn = this.#conn as Partial<Deno.TcpConn>;
    conn.setNoDelay?.(noDelay);
  }
}
