/**
 * `connectProtocol`: a client endpoint and a Twisted-style protocol, joined.
 *
 * @module
 */
import type { Deferred } from "../../deferred/deferred.ts";
import type { IProtocol } from "../protocol_interfaces.ts";
import { runProtocol } from "../transport.ts";
import type { ClientEndpoint } from "./endpoint.ts";

/**
 * Connects `endpoint` and runs `protocol` on the connection; resolves to the
 * protocol once its `connectionMade` has run (Twisted's `connectProtocol`).
 *
 * @example Usage
 * ```ts ignore
 * import { clientFromString, connectProtocol, Protocol, reactor } from "@spindle/spindle/reactor";
 * class Hello extends Protocol {
 *   override connectionMade(): void {
 *     this.transport.write("hello\n");
 *     this.transport.loseConnection();
 *   }
 * }
 * await connectProtocol(clientFromString(reactor, "tcp:127.0.0.1:8000"), new Hello());
 * ```
 */
export function connectProtocol<P extends IProtocol>(
  endpoint: ClientEndpoint,
  protocol: P,
): Deferred<P> {
  return endpoint.connect().addCallback((conn) => {
    runProtocol(protocol, conn, { reactor: endpoint.reactor });
    return protocol;
  });
}
