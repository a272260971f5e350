/**
 * {@linkcode listenAll}: a server's one or several endpoints listening with
 * one handler, all or none.
 *
 * @module
 */
import { reactor as defaultReactor } from "../deno_reactor.ts";
import type {
  ConnectionHandler,
  EndpointReactor,
  ListeningPort,
} from "../interfaces.ts";
import type { EndpointDefaults, ServerEndpoint } from "./endpoint.ts";
import { serverFromString } from "./from_string.ts";

/**
 * Where a server listens: a stream endpoint string (`"tcp:8080"`), a server
 * endpoint, or several of either.
 */
export type ListenOn =
  | string
  | ServerEndpoint
  | readonly (string | ServerEndpoint)[];

/** Options of {@linkcode listenAll}. */
export interface ListenAllOptions {
  /** The reactor that listens on endpoint strings; default: the default reactor. */
  reactor?: EndpointReactor;
  /** Share the ports between processes (SO_REUSEPORT), for endpoint strings. */
  reusePort?: boolean;
  /** Parameter values for what an endpoint string leaves out. */
  defaults?: EndpointDefaults;
}

/**
 * Starts every endpoint of `listen`, each handing its connections to
 * `handler`, and resolves to their ports in the same order. Every string is
 * parsed before anything listens, and when one endpoint fails to listen
 * those already listening are stopped before the error is thrown, so a
 * server starts on all its endpoints or on none.
 *
 * @example Usage
 * ```ts
 * import { listenAll } from "@spindle/spindle/reactor";
 * const ports = await listenAll(
 *   ["tcp:0:interface=127.0.0.1", "tcp:0:interface=127.0.0.1"],
 *   (conn) => conn.close(),
 * );
 * console.assert(ports.length === 2);
 * await Promise.all(ports.map((port) => port.stopListening()));
 * ```
 */
export async function listenAll(
  listen: ListenOn,
  handler: ConnectionHandler,
  options: ListenAllOptions = {},
): Promise<ListeningPort[]> {
  const reactor = options.reactor ?? defaultReactor;
  const wanted = typeof listen === "string" || !Array.isArray(listen)
    ? [listen as string | ServerEndpoint]
    : listen as readonly (string | ServerEndpoint)[];
  const endpoints = wanted.map((where) =>
    typeof where === "string"
      ? serverFromString(reactor, where, {
        transport: "stream",
        reusePort: options.reusePort,
        defaults: options.defaults,
      })
      : where
  );
  const ports: ListeningPort[] = [];
  try {
    for (const endpoint of endpoints) {
      ports.push(await endpoint.listen(handler));
    }
  } catch (error) {
    await Promise.all(ports.map((port) => port.stopListening()));
    throw error;
  }
  return ports;
}
