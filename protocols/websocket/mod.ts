/**
 * WebSocket for Spindle (RFC 6455, with RFC 7692's permessage-deflate):
 * `upgradeWebSocket` (the shape of `Deno.upgradeWebSocket`) and
 * `webSocketStream` (the `WebSocketStream` shape) for `serveHTTP` handlers;
 * `connectWebSocket` and `connectWebSocketStream` for clients over `ws:`
 * and `wss:`; and the incremental frame and message cores.
 *
 * ```ts ignore
 * import { serveHTTP } from "@spindle/spindle/protocols/http";
 * import { upgradeWebSocket } from "@spindle/spindle/protocols/websocket";
 * await serveHTTP((request, info) => {
 *   const { socket, response } = upgradeWebSocket(request, info);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * }, { listen: "tcp:8080" });
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./message.ts";
export * from "./codec.ts";
export * from "./handshake.ts";
export { SpindleWebSocket, type WebSocketData } from "./socket.ts";
export type { WebSocketCloseInfo, WebSocketConnection } from "./_stream.ts";
export {
  upgradeWebSocket,
  type UpgradeWebSocketOptions,
  webSocketStream,
  type WebSocketStreamUpgrade,
  type WebSocketUpgrade,
} from "./server.ts";
export {
  connectWebSocket,
  type ConnectWebSocketOptions,
  connectWebSocketStream,
  type WebSocketStreamClient,
} from "./client.ts";
// The lower-floor types the signatures above use, so that this entry point
// documents them too.
export type {
  ServeHandlerInfo,
  UpgradeOptions,
  UpgradeResult,
} from "../http/handler.ts";
export type { ProtocolError } from "../../reactor/errors.ts";
export type { DecoderCore } from "../../reactor/codec.ts";
export type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
export type {
  Address,
  Connection,
  ConnectionFactory,
  ConnectionHandler,
  ConnectionHandlerFunction,
  ConnectTCPOptions,
  ConnectTLSOptions,
  ListeningPort,
  ListenTCPOptions,
  ListenTLSOptions,
  MemoryAddr,
  Reactor,
  TLSCertificate,
  TLSClientOptions,
  TLSReactor,
  TLSServerOptions,
} from "../../reactor/interfaces.ts";
export type {
  Deferred,
  ErrorType,
  Failure,
  TimeoutClock,
  TimeoutOptions,
  TrappedError,
} from "../../deferred/mod.ts";
