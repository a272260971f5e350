/**
 * The Echo protocol (RFC 862): every byte received is sent back.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";

/**
 * Serves one connection with the Echo protocol (RFC 862): sends back every
 * byte it reads, waiting for each write (backpressure), until the peer
 * half-closes. A connection handler for `listenTCP` or an endpoint service.
 *
 * @example Usage
 * ```ts
 * import { echo } from "@spindle/spindle/protocols/wire";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * const port = await reactor.listenTCP(0, echo, { interface: "127.0.0.1" });
 * await port.stopListening();
 * ```
 */
export async function echo(conn: Connection): Promise<void> {
  for (;;) {
    const chunk = await conn.read();
    if (chunk === null) return;
    await conn.write(chunk);
  }
}
