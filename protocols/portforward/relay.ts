/**
 * Relaying bytes between two connections, with backpressure and half-close.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";

/**
 * Copies `from` to `to` until `from`'s end of input, then half-closes `to`
 * (so the peer sees the end while the other direction keeps flowing), and
 * resolves to the number of bytes copied. Each chunk is read only once the
 * previous one was accepted by `to`: a slow receiver slows the sender down
 * instead of filling memory.
 *
 * @example Usage
 * ```ts
 * import { relay } from "@spindle/spindle/protocols/portforward";
 * import { connectedPair } from "@spindle/spindle/reactor";
 * const [a, fromA] = connectedPair();
 * const [toB, b] = connectedPair();
 * await a.write(new TextEncoder().encode("hi"));
 * await a.closeWrite();
 * console.assert(await relay(fromA, toB) === 2);
 * for (const conn of [a, fromA, toB, b]) conn.abort();
 * ```
 */
export async function relay(from: Connection, to: Connection): Promise<number> {
  let bytes = 0;
  for (;;) {
    const chunk = await from.read();
    if (chunk === null) break;
    bytes += chunk.byteLength;
    await to.write(chunk);
  }
  await to.closeWrite();
  return bytes;
}

/**
 * The bytes each way of a finished {@linkcode splice}.
 *
 * @example Usage
 * ```ts
 * import type { SpliceResult } from "@spindle/spindle/protocols/portforward";
 * const result: SpliceResult = { sent: 10, received: 20 };
 * console.assert(result.sent + result.received === 30);
 * ```
 */
export interface SpliceResult {
  /** Bytes from the first connection to the second. */
  sent: number;
  /** Bytes from the second connection to the first. */
  received: number;
}

/**
 * Relays `a` and `b` both ways ({@linkcode relay}) until both directions
 * have ended, then closes both. When either side fails (a reset, a
 * timeout), the other cannot be finished cleanly, so both are aborted and
 * the error is thrown.
 *
 * @example Usage
 * ```ts
 * import { splice } from "@spindle/spindle/protocols/portforward";
 * import { connectedPair } from "@spindle/spindle/reactor";
 * const [client, a] = connectedPair();
 * const [b, server] = connectedPair();
 * const done = splice(a, b);
 * await client.closeWrite();
 * await server.closeWrite();
 * console.assert((await done).sent === 0);
 * await client.close();
 * await server.close();
 * ```
 */
export async function splice(
  a: Connection,
  b: Connection,
): Promise<SpliceResult> {
  try {
    const [sent, received] = await Promise.all([relay(a, b), relay(b, a)]);
    await Promise.all([a.close(), b.close()]);
    return { sent, received };
  } catch (error) {
    a.abort(error);
    b.abort(error);
    throw error;
  }
}
