/**
 * Relaying bytes between two connections, with backpressure and half-close.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";

/**
 * Copies `from` to `to` until `from`'s end of input, then half-closes `to`
 * (so the peer sees the end while the other direction keeps flowing). Each
 * chunk is read only once `to` accepted the one before: a slow receiver
 * slows the sender down instead of filling memory. Between two Spindle
 * connections the copy is fused (`readable.pipeTo(writable)`): two reused
 * buffers, no stream machinery and no allocation per chunk.
 *
 * @example Usage
 * ```ts
 * import { relay } from "@spindle/spindle/protocols/portforward";
 * import { connectedPair } from "@spindle/spindle/reactor";
 * const [a, fromA] = connectedPair();
 * const [toB, b] = connectedPair();
 * await a.write(new TextEncoder().encode("hi"));
 * await a.closeWrite();
 * await relay(fromA, toB);
 * console.assert(new TextDecoder().decode((await b.read())!) === "hi");
 * for (const conn of [a, fromA, toB, b]) conn.abort();
 * ```
 */
export async function relay(from: Connection, to: Connection): Promise<void> {
  await from.readable.pipeTo(to.writable);
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
 * await done;
 * await client.close();
 * await server.close();
 * ```
 */
export async function splice(a: Connection, b: Connection): Promise<void> {
  try {
    await Promise.all([relay(a, b), relay(b, a)]);
    await Promise.all([a.close(), b.close()]);
  } catch (error) {
    a.abort(error);
    b.abort(error);
    throw error;
  }
}
