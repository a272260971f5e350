/**
 * The service library (Twisted's `twisted.application`): {@linkcode Service},
 * {@linkcode MultiService}, {@linkcode Application}, services that listen on
 * endpoint strings or run a timer, {@linkcode runApplication} to run an
 * application in a program of your own, and the {@linkcode Plugin} contract
 * of the `spindle` runner's commands. The runner itself is `app/cli.ts`
 * (`@spindle/spindle/app/cli`); the structured logger is
 * `@spindle/spindle/log`.
 *
 * @example Usage
 * ```ts
 * import { Application, Service } from "@spindle/spindle/app";
 * const application = new Application("demo");
 * new Service("db").setServiceParent(application);
 * await application.startService();
 * await application.stopService();
 * ```
 *
 * @module
 */
export * from "./service.ts";
export * from "./multi_service.ts";
export * from "./application.ts";
export * from "./listening_service.ts";
export * from "./endpoint_service.ts";
export * from "./datagram_service.ts";
export * from "./timer_service.ts";
export * from "./run_application.ts";
export * from "./worker_id.ts";
export * from "./plugin.ts";
export * from "./options.ts";
export * from "./pidfile.ts";
// The types of lower floors that the signatures above use, so that this
// entry point documents them too.
export type {
  Deferred,
  ErrorType,
  Failure,
  TimeoutClock,
  TimeoutOptions,
  TrappedError,
} from "../deferred/mod.ts";
export type {
  Address,
  Connection,
  ConnectionFactory,
  ConnectionHandler,
  ConnectionHandlerFunction,
  ConnectTCPOptions,
  ConnectTLSOptions,
  DatagramHandler,
  DatagramTransport,
  ListeningPort,
  ListenTCPOptions,
  ListenTLSOptions,
  ListenUDPOptions,
  MemoryAddr,
  Reactor,
  TLSCertificate,
  TLSClientOptions,
  TLSReactor,
  TLSServerOptions,
  UDPReactor,
  UnixReactor,
} from "../reactor/interfaces.ts";
export type { ConnectionLostError } from "../reactor/errors.ts";
export type {
  EndpointDefaults,
  EndpointReactor,
} from "../reactor/endpoints/mod.ts";
export type { DelayedCall, IReactorTime } from "../reactor/time.ts";
