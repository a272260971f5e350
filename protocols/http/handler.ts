/**
 * The shape of a request handler: `Deno.serve`'s, with Spindle's protocol
 * switch (`info.upgrade()`).
 *
 * @module
 */
import type { Address, Connection } from "../../reactor/interfaces.ts";

/** What a handler learns about the exchange besides the request. */
export interface ServeHandlerInfo {
  /** The client's address. */
  readonly remoteAddr: Address;
  /** The server's address. */
  readonly localAddr: Address;
  /**
   * The `:protocol` of an HTTP/2 extended CONNECT (RFC 8441, e.g.
   * `"websocket"`): `upgrade()` then hands over the stream, answered 200.
   * Undefined on HTTP/1.1.
   */
  readonly protocol?: string;
  /**
   * Takes the connection over after a protocol switch (WebSocket, a CONNECT
   * tunnel...). Return `response` from the handler: the server answers with
   * 101 (or 200 to `CONNECT`), stops speaking HTTP, and resolves `connection`
   * with the raw connection, bytes the client already sent included.
   */
  upgrade(options?: UpgradeOptions): UpgradeResult;
}

/** Options for {@linkcode ServeHandlerInfo.upgrade}. */
export interface UpgradeOptions {
  /** Extra response headers (the `Upgrade` protocol, `Sec-WebSocket-Accept`...). */
  headers?: HeadersInit;
  /**
   * Called once if the server shuts down gracefully while it owns the
   * connection: close it as the protocol does (a WebSocket sends 1001);
   * the shutdown waits until it is closed. Default: the server closes it.
   */
  onShutdown?: () => void;
}

/** The result of {@linkcode ServeHandlerInfo.upgrade}. */
export interface UpgradeResult {
  /** The response to return from the handler. */
  response: Response;
  /** The raw connection, once the switch was sent. */
  connection: Promise<Connection>;
}

/** A `Deno.serve`-shaped request handler. */
export type ServeHandler = (
  request: Request,
  info: ServeHandlerInfo,
) => Response | Promise<Response>;
