/**
 * The Discard protocol (RFC 863): everything received is thrown away.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";

/**
 * Serves one connection with the Discard protocol (RFC 863): reads and drops
 * every byte until the peer half-closes; sends nothing.
 *
 * @example Usage
 * ```ts
 * import { discard } from "@spindle/spindle/protocols/wire";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * const port = await reactor.listenTCP(0, discard, { interface: "127.0.0.1" });
 * await port.stopListening();
 * ```
 */
export async function discard(conn: Connection): Promise<void> {
  while (await conn.read() !== null) {
    // Dropped: that is the service.
  }
}
