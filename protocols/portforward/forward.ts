/**
 * A port forwarder (Twisted's `twisted.protocols.portforward`): every
 * connection accepted is relayed to a target.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  type ClientEndpoint,
  clientFromString,
  type EndpointReactor,
} from "../../reactor/endpoints/mod.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { getLogger } from "../../log/mod.ts";
import { formatAddress } from "../../reactor/connection.ts";
import { splice } from "./relay.ts";

const log = getLogger("spindle.portforward");

/**
 * Options of {@linkcode portForwardHandler}.
 *
 * @example Usage
 * ```ts
 * import type { PortForwardOptions } from "@spindle/spindle/protocols/portforward";
 * const options: PortForwardOptions = {};
 * console.assert(options.reactor === undefined);
 * ```
 */
export interface PortForwardOptions {
  /** The reactor that parses a `to` string and connects; default: the default reactor. */
  reactor?: EndpointReactor;
}

/**
 * A connection handler that forwards each connection to `to` (a client
 * endpoint string such as `"tcp:example.org:80"`, or an endpoint object):
 * it connects, then {@linkcode splice}s the two, with backpressure and
 * half-close. When the target cannot be reached, the client's connection is
 * aborted and the failure logged.
 *
 * @example Usage
 * ```ts
 * import { portForwardHandler } from "@spindle/spindle/protocols/portforward";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * const handler = portForwardHandler("tcp:127.0.0.1:8080", { reactor });
 * const port = await reactor.listenTCP(0, handler, { interface: "127.0.0.1" });
 * await port.stopListening();
 * ```
 */
export function portForwardHandler(
  to: string | ClientEndpoint,
  options: PortForwardOptions = {},
): (conn: Connection) => Promise<void> {
  const target = typeof to === "string"
    ? clientFromString(options.reactor ?? defaultReactor, to)
    : to;
  return async (client) => {
    let upstream: Connection;
    try {
      upstream = await target.connect();
    } catch (error) {
      log.warn("{peer}: cannot reach {target}: {error}", {
        peer: formatAddress(client.remoteAddr),
        target: String(target),
        error,
      });
      client.abort(error);
      return;
    }
    await splice(client, upstream);
  };
}
