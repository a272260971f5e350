// TYPE A (RFC 959 3.1.1.1): text crosses the data connection with CRLF line
// ends (NVT-ASCII) and is stored with the local LF. Both conversions work
// chunk by chunk, so a CRLF split between two chunks is still one line end.

const CR = 13;
const LF = 10;

/** Local text to the wire: a bare LF becomes CRLF; a CRLF stays as it is. */
export class ToNetworkLines {
  #lastWasCR = false;

  /** `chunk` with its bare LFs made CRLF (a new array when any were). */
  convert(chunk: Uint8Array): Uint8Array {
    let bare = 0;
    let previousCR = this.#lastWasCR;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === LF && !previousCR) bare++;
      previousCR = byte === CR;
    }
    const lastWasCR = this.#lastWasCR;
    this.#lastWasCR = previousCR;
    if (bare === 0) return chunk;
    const out = new Uint8Array(chunk.length + bare);
    let at = 0;
    previousCR = lastWasCR;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === LF && !previousCR) out[at++] = CR;
      out[at++] = byte;
      previousCR = byte === CR;
    }
    return out;
  }
}

/** The wire to local text: CRLF becomes LF; a CR alone is kept. */
export class FromNetworkLines {
  // A CR that ended the last chunk: a line end if the next starts with LF.
  #heldCR = false;

  /** `chunk` with its CRLFs made LF. */
  convert(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length + 1);
    let at = 0;
    let i = 0;
    if (this.#heldCR) {
      this.#heldCR = false;
      if (chunk[0] !== LF) out[at++] = CR;
    }
    for (; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte !== CR) out[at++] = byte;
      else if (i + 1 === chunk.length) this.#heldCR = true;
      else if (chunk[i + 1] !== LF) out[at++] = CR;
    }
    return out.subarray(0, at);
  }

  /** What is still held at the end of the data: a last lone CR. */
  end(): Uint8Array {
    const held = this.#heldCR;
    this.#heldCR = false;
    return held ? new Uint8Array([CR]) : new Uint8Array(0);
  }
}
