/**
 * Outgoing stream connections (TCP, Unix, TLS): `connectStream` runs one
 * attempt with cancellation, a timeout and errors mapped to the reactor's.
 *
 * @module
 */
import { Deferred } from "../deferred/deferred.ts";
import {
  ConnectionRefusedError,
  ConnectTimeoutError,
  DNSLookupError,
} from "./errors.ts";
import type { Connection, ConnectionHandler } from "./interfaces.ts";
import type { StreamHost } from "./resources.ts";
import { type WrapConnection, wrapPlain } from "./stream_port.ts";
import type { DelayedCall } from "./time.ts";
import { stopOnAbort } from "./_abort.ts";

/** What {@linkcode connectStream} dials and what it does with the result. */
export interface StreamConnectRequest {
  /** Dials; aborting `signal` abandons a connect still in flight. */
  open: (signal: AbortSignal) => Promise<Deno.Conn>;
  /** The host dialled (a path for Unix sockets), for error messages. */
  host: string;
  /** The port dialled; 0 for a Unix socket. */
  port: number;
  /** Milliseconds before the attempt fails with `ConnectTimeoutError`. */
  timeout?: number;
  /** Serves the new connection, as for a listener. */
  handler?: ConnectionHandler;
  /** Turns the dialled socket into a connection; default plain. */
  wrap?: WrapConnection;
  /** Abandons the attempt when aborted before it connected. */
  signal?: AbortSignal;
}

/**
 * Runs one connection attempt, tracked by `host` once connected. The Deferred
 * is cancellable (the connect in flight is abandoned and its late connection
 * closed) and fails with the reactor's errors: `ConnectionRefusedError`,
 * `DNSLookupError`, `ConnectTimeoutError`.
 */
export function connectStream(
  host: StreamHost,
  request: StreamConnectRequest,
): Deferred<Connection> {
  const { timeout, signal } = request;
  let settled = false;
  let timer: DelayedCall | undefined;
  let forgetSignal = () => {};
  const abandon = new AbortController();
  /** Marks the attempt over; false when it was over already. */
  const settle = (): boolean => {
    if (settled) return false;
    settled = true;
    if (timer?.active()) timer.cancel();
    forgetSignal();
    return true;
  };
  const deferred = new Deferred<Connection>(() => {
    settle();
    abandon.abort();
  });
  if (signal?.aborted) {
    deferred.errback(signal.reason);
    return deferred;
  }
  forgetSignal = stopOnAbort(signal, () => {
    if (!settle()) return;
    abandon.abort();
    deferred.errback(signal!.reason);
  });
  if (timeout !== undefined) {
    timer = host.callLater(timeout, () => {
      if (!settle()) return;
      abandon.abort();
      deferred.errback(
        new ConnectTimeoutError(request.host, request.port, timeout),
      );
    });
  }
  dial(request, abandon.signal).then(
    (conn) => {
      if (!settle()) {
        // Abandoned (cancelled, timed out or aborted) while the connect was in flight.
        conn.abort();
        return;
      }
      host.trackConnection(conn);
      deferred.callback(conn);
      if (request.handler !== undefined) host.serve(conn, request.handler);
    },
    (error) => {
      if (!settle()) return;
      deferred.errback(connectError(error, request.host, request.port));
    },
  );
  return deferred;
}

async function dial(
  request: StreamConnectRequest,
  signal: AbortSignal,
): Promise<Connection> {
  const conn = await request.open(signal);
  try {
    return await (request.wrap ?? wrapPlain)(conn);
  } catch (error) {
    try {
      conn.close();
    } catch {
      // The wrapper may have closed it already.
    }
    throw error;
  }
}

function connectError(error: unknown, host: string, port: number): unknown {
  if (error instanceof Deno.errors.ConnectionRefused) {
    return new ConnectionRefusedError(host, port, { cause: error });
  }
  if (
    error instanceof Deno.errors.NotFound && port === 0 /* a Unix path */
  ) {
    return new ConnectionRefusedError(host, port, { cause: error });
  }
  if (
    error instanceof Error &&
    /lookup address|Name or service not known|No address associated|nodename nor servname|Temporary failure in name resolution/i
      .test(error.message)
  ) {
    return new DNSLookupError(host, { cause: error });
  }
  return error;
}
