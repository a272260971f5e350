/**
 * Flow control (RFC 9113 §5.2, §6.9): what the peer may still send us, given
 * back in batched WINDOW_UPDATEs as the readers take the bytes.
 *
 * @module
 */

/** The largest flow-control window (RFC 9113 §6.9.1). */
export const MAX_WINDOW = 0x7fffffff;
/** The window every stream and the connection start with (RFC 9113 §6.9.2). */
export const INITIAL_WINDOW = 65535;

/**
 * The receiving side of one window (a stream's or the connection's). The peer
 * may send `size` bytes ahead of the reader; bytes the reader took are granted
 * back once they add up to half the window, so a steady upload costs one
 * WINDOW_UPDATE per half window, not one per DATA frame.
 */
export class InboundWindow {
  /** Bytes the peer may still send. */
  available: number;
  #size: number;
  #taken = 0;

  /** A window of `size` bytes. */
  constructor(size: number) {
    this.#size = size;
    this.available = size;
  }

  /** The peer sent `n` flow-controlled bytes: false when they overflow the window. */
  receive(n: number): boolean {
    this.available -= n;
    return this.available >= 0;
  }

  /** The reader took `n` bytes: the increment to grant now (0: wait for more). */
  take(n: number): number {
    this.#taken += n;
    if (this.#taken < this.#size / 2) return 0;
    const grant = this.#taken;
    this.#taken = 0;
    this.available += grant;
    return grant;
  }
}
