/**
 * Limits on concurrent connections, in total and per peer address (Twisted's
 * `LimitTotalConnectionsFactory` and `LimitConnectionsByPeer`).
 *
 * @module
 */
import { getLogger } from "../../log/mod.ts";
import type { Address, ConnectionHandler } from "../interfaces.ts";
import { formatAddress } from "../connection.ts";
import { wrapHandler, type WrappedHandler } from "./wrapper.ts";

const logger = getLogger("spindle.reactor.policies");

/** Options for {@linkcode limitConnections}. */
export interface LimitConnectionsOptions {
  /** The most connections served at once; default unlimited. */
  maxConnections?: number;
  /** The most connections served at once from one peer host; default unlimited. */
  maxPerPeer?: number;
}

/** The key connections are counted under per peer: the host, not the port. */
function peerKey(addr: Address): string {
  switch (addr.transport) {
    case "tcp":
    case "udp":
      return addr.hostname;
    default:
      return formatAddress(addr);
  }
}

/**
 * Serves at most `maxConnections` connections at once, and at most
 * `maxPerPeer` from any one host; a connection over a limit is closed at once
 * without reaching `handler`. Works for a handler function and for a factory
 * alike; a connection counts until its `closed` settles.
 *
 * @example Usage
 * ```ts ignore
 * import { Factory, limitConnections, Protocol, reactor } from "@spindle/spindle/reactor";
 * await reactor.listenTCP(
 *   8000,
 *   limitConnections(Factory.forProtocol(Protocol), { maxConnections: 1000, maxPerPeer: 10 }),
 * );
 * ```
 */
export function limitConnections<H extends ConnectionHandler>(
  handler: H,
  options: LimitConnectionsOptions,
): WrappedHandler<H> {
  const maxTotal = options.maxConnections ?? Infinity;
  const maxPerPeer = options.maxPerPeer ?? Infinity;
  let total = 0;
  const perPeer = new Map<string, number>();
  return wrapHandler(handler, (conn) => {
    const key = peerKey(conn.remoteAddr);
    const fromPeer = perPeer.get(key) ?? 0;
    if (total >= maxTotal || fromPeer >= maxPerPeer) {
      logger.debug("refused a connection from {peer}: {limit} reached", {
        peer: formatAddress(conn.remoteAddr),
        limit: total >= maxTotal ? "maxConnections" : "maxPerPeer",
      });
      conn.close().catch(() => {});
      return null;
    }
    total++;
    perPeer.set(key, fromPeer + 1);
    const release = () => {
      total--;
      const left = perPeer.get(key)! - 1;
      if (left === 0) perPeer.delete(key);
      else perPeer.set(key, left);
    };
    conn.closed.then(release, release);
    return conn;
  });
}
