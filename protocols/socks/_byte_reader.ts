// Exact-length reads for the SOCKS handshakes, whose fields are counted
// bytes: what is read past the handshake goes back onto the connection
// (unshift), so relaying starts with the first byte after it.
import type { Connection } from "../../reactor/interfaces.ts";
import { concatBytes, EMPTY_BYTES } from "../../reactor/bytes.ts";
import { InvalidSocksMessageError } from "./errors.ts";

export class ByteReader {
  #conn: Connection;
  #buffered: Uint8Array = EMPTY_BYTES;

  constructor(conn: Connection) {
    this.#conn = conn;
  }

  async #fill(): Promise<void> {
    const chunk = await this.#conn.read();
    if (chunk === null) {
      throw new InvalidSocksMessageError("the peer closed mid-handshake");
    }
    this.#buffered = this.#buffered.length === 0
      ? chunk
      : concatBytes(this.#buffered, chunk);
  }

  /** The next `n` bytes. */
  async exactly(n: number): Promise<Uint8Array> {
    while (this.#buffered.length < n) await this.#fill();
    const out = this.#buffered.subarray(0, n);
    this.#buffered = this.#buffered.subarray(n);
    return out;
  }

  /** The bytes up to the next NUL (dropped), at most `max` of them. */
  async untilNul(max: number, what: string): Promise<Uint8Array> {
    for (;;) {
      const at = this.#buffered.indexOf(0);
      if (at !== -1) {
        const out = this.#buffered.subarray(0, at);
        this.#buffered = this.#buffered.subarray(at + 1);
        return out;
      }
      if (this.#buffered.length > max) {
        throw new InvalidSocksMessageError(`the ${what} is over ${max} bytes`);
      }
      await this.#fill();
    }
  }

  /** Hands the bytes read past the handshake back to the connection. */
  release(): void {
    if (this.#buffered.length > 0) this.#conn.unshift(this.#buffered);
    this.#buffered = EMPTY_BYTES;
  }
}
