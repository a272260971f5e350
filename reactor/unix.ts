/**
 * Unix sockets for the reactor: listeners that replace a stale socket file,
 * and connections.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import { AddressInUseError } from "./errors.ts";
import type {
  Connection,
  ConnectionHandler,
  ListeningPort,
} from "./interfaces.ts";
import type { StreamHost } from "./resources.ts";
import { connectStream } from "./stream_connect.ts";
import { listenStream } from "./stream_port.ts";

/**
 * Options for {@linkcode DenoReactor.listenUnix}.
 *
 * @example Usage
 * ```ts
 * import type { ListenUnixOptions } from "@spindle/spindle/reactor";
 * const options: ListenUnixOptions = { removeStale: false };
 * console.assert(options.removeStale === false);
 * ```
 */
export interface ListenUnixOptions {
  /** Replace a stale socket file left by a process that is gone (default `true`). */
  removeStale?: boolean;
  /**
   * Stops listening when aborted, as `stopListening()` does; an already
   * aborted signal fails the listen with its reason.
   */
  signal?: AbortSignal;
}

/**
 * Options for {@linkcode DenoReactor.connectUnix}.
 *
 * @example Usage
 * ```ts
 * import type { ConnectUnixOptions } from "@spindle/spindle/reactor";
 * const options: ConnectUnixOptions = { timeout: 1000 };
 * console.assert(options.timeout === 1000);
 * ```
 */
export interface ConnectUnixOptions {
  /** Serves the new connection, as for a listener. */
  handler?: ConnectionHandler;
  /** Milliseconds before the attempt fails with `ConnectTimeoutError`. */
  timeout?: number;
  /** Abandons the attempt when aborted before it connected. */
  signal?: AbortSignal;
}

/**
 * Listens on the Unix socket `path`. A stale socket file (nobody answers on
 * it) is replaced; a live one fails with `AddressInUseError`.
 */
export function listenUnix(
  reactor: StreamHost,
  path: string,
  handler: ConnectionHandler,
  options: ListenUnixOptions = {},
): Deferred<ListeningPort> {
  const deferred = new Deferred<ListeningPort>();
  clearUnixPath(path, options.removeStale ?? true).then(
    () => {
      listenStream(reactor, {
        open: () => Deno.listen({ transport: "unix", path }),
        address: path,
        handler,
        signal: options.signal,
      }).chainDeferred(deferred);
    },
    (error) => deferred.errback(error),
  );
  return deferred;
}

/** Connects to the Unix socket at `path`. */
export function connectUnix(
  reactor: StreamHost,
  path: string,
  options: ConnectUnixOptions = {},
): Deferred<Connection> {
  return connectStream(reactor, {
    open: () => Deno.connect({ transport: "unix", path }),
    host: path,
    port: 0,
    ...options,
  });
}

/** Makes way for a listener on `path`: removes a stale socket file, refuses a live one. */
async function clearUnixPath(
  path: string,
  removeStale: boolean,
): Promise<void> {
  try {
    await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  let live = false;
  try {
    const probe = await Deno.connect({ transport: "unix", path });
    probe.close();
    live = true;
  } catch {
    // Nobody answers: the file is stale.
  }
  if (live || !removeStale) throw new AddressInUseError(path);
  await Deno.remove(path);
}
