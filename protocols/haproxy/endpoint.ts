/**
 * The `haproxy:` endpoint wrapper (Twisted's spelling): any stream server
 * endpoint whose connections start with a PROXY header,
 * `haproxy:tcp:8080:interface=127.0.0.1:trusted=10.0.0.0/8,192.168.0.0/16`.
 * Loading this module registers the kind.
 *
 * @module
 */
import type { Deferred } from "../../deferred/deferred.ts";
import type {
  ConnectionHandler,
  ListeningPort,
} from "../../reactor/interfaces.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import {
  describeEndpoint,
  formatSeconds,
} from "../../reactor/endpoints/grammar.ts";
import { registerServerEndpointKind } from "../../reactor/endpoints/registry.ts";
import { EndpointTransportError } from "../../reactor/endpoints/errors.ts";
import type { ServerEndpoint } from "../../reactor/endpoints/endpoint.ts";
import { proxied } from "./server.ts";
import { parseAddressRanges } from "../../reactor/address_ranges.ts";

/** Options for {@linkcode HAProxyServerEndpoint}. */
export interface HAProxyServerEndpointOptions {
  /** The trusted sources, as CIDR ranges; default loopback (`DEFAULT_TRUSTED`). */
  trusted?: readonly string[];
  /** Milliseconds the header may take; default `DEFAULT_HEADER_TIMEOUT` (5 s). */
  headerTimeout?: number;
  /** Where the header deadline runs. */
  clock: IReactorTime;
}

/**
 * A server endpoint whose connections come through a proxy that sends the
 * PROXY protocol (HAProxy's `send-proxy` / `send-proxy-v2`): handlers see
 * the client's real address as `remoteAddr`.
 *
 * @example Usage
 * ```ts
 * import "@spindle/spindle/protocols/haproxy";
 * import { DenoReactor, serverFromString } from "@spindle/spindle/reactor";
 * const endpoint = serverFromString(
 *   new DenoReactor(),
 *   "haproxy:tcp:8080:interface=127.0.0.1:trusted=10.0.0.0/8",
 *   { transport: "stream" },
 * );
 * console.assert(endpoint.kind === "haproxy");
 * ```
 */
export class HAProxyServerEndpoint implements ServerEndpoint {
  /** Always `"haproxy"`. */
  readonly kind = "haproxy" as const;
  /** Always `"stream"`. */
  readonly transport = "stream" as const;
  readonly #inner: ServerEndpoint;
  readonly #options: HAProxyServerEndpointOptions;

  /** Wraps `inner`; throws a `TypeError` for a bad trusted range. */
  constructor(inner: ServerEndpoint, options: HAProxyServerEndpointOptions) {
    if (options.trusted !== undefined) parseAddressRanges(options.trusted);
    this.#inner = inner;
    this.#options = options;
  }

  /** Whether the wrapped endpoint is TLS. */
  get secure(): boolean {
    return this.#inner.secure;
  }

  /** Listens on the wrapped endpoint, reading each connection's PROXY header first. */
  listen(handler: ConnectionHandler): Deferred<ListeningPort> {
    return this.#inner.listen(proxied(handler, this.#options));
  }

  /** This endpoint around the wrapped one with its port pinned. */
  pinPort(): Deferred<HAProxyServerEndpoint> {
    return this.#inner.pinPort().addCallback((inner) =>
      new HAProxyServerEndpoint(inner, this.#options)
    );
  }

  /** The description, such as `haproxy:tcp:8080:trusted=10.0.0.0/8`. */
  toString(): string {
    const own = describeEndpoint({
      kind: "haproxy",
      named: {
        trusted: this.#options.trusted?.join(","),
        headerTimeout: formatSeconds(this.#options.headerTimeout),
      },
    });
    const [kind, ...named] = own.split(":");
    return [kind, this.#inner.toString(), ...named].join(":");
  }
}

registerServerEndpointKind("haproxy", {
  wraps: true,
  named: ["trusted", "headerTimeout"],
  create: (p, { inner, reactor }) => {
    if (inner.transport !== "stream") {
      throw new EndpointTransportError(p.description, "stream");
    }
    const trusted = p.list("trusted");
    if (trusted !== undefined) {
      try {
        parseAddressRanges(trusted);
      } catch (error) {
        p.fail("trusted", (error as Error).message);
      }
    }
    return new HAProxyServerEndpoint(inner, {
      trusted,
      headerTimeout: p.seconds("headerTimeout"),
      clock: reactor,
    });
  },
});
