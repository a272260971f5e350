/**
 * The Character Generator protocol (RFC 864): an endless stream of
 * printable characters.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";

// RFC 864's suggested pattern: 72-character lines of the 95 printable ASCII
// characters, each line starting one character later than the one before.
// After 95 lines the pattern repeats, so one cycle is built once and written
// again and again: no allocation per write.
const PRINTABLE = 95;
const LINE = 72;

function buildCycle(): Uint8Array {
  const cycle = new Uint8Array(PRINTABLE * (LINE + 2));
  let at = 0;
  for (let line = 0; line < PRINTABLE; line++) {
    for (let i = 0; i < LINE; i++) {
      cycle[at++] = 32 + (line + i) % PRINTABLE;
    }
    cycle[at++] = 13;
    cycle[at++] = 10;
  }
  return cycle;
}

/**
 * One full cycle of the chargen pattern (95 lines of 72 characters and
 * CRLF): what a TCP chargen server sends, over and over.
 *
 * @example Usage
 * ```ts
 * import { CHARGEN_CYCLE } from "@spindle/spindle/protocols/wire";
 * console.assert(CHARGEN_CYCLE.length === 95 * 74);
 * console.assert(String.fromCharCode(...CHARGEN_CYCLE.subarray(0, 3)) === ' !"');
 * ```
 */
export const CHARGEN_CYCLE: Uint8Array = buildCycle();

/**
 * Serves one connection with the Character Generator protocol (RFC 864):
 * sends {@linkcode CHARGEN_CYCLE} over and over, each write waiting until the
 * previous one was accepted (backpressure: a slow reader slows the server
 * instead of filling its memory), and drops whatever the peer sends. It stops
 * when the peer half-closes or goes away, as Twisted's `Chargen` stops at
 * connection loss.
 *
 * @example Usage
 * ```ts
 * import { chargen } from "@spindle/spindle/protocols/wire";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * const port = await reactor.listenTCP(0, chargen, { interface: "127.0.0.1" });
 * await port.stopListening();
 * ```
 */
export async function chargen(conn: Connection): Promise<void> {
  let reading = true;
  const drained = (async () => {
    try {
      while (await conn.read() !== null) {
        // Input is ignored (RFC 864); reading only notices the end.
      }
    } finally {
      reading = false;
    }
  })();
  try {
    while (reading) await conn.write(CHARGEN_CYCLE);
  } catch {
    // The peer went away mid-write: the normal end of a chargen session.
    // Aborting ends the read loop too, if the loss has not already.
    conn.abort();
  }
  await drained.catch(() => {});
}
