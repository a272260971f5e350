/**
 * The small services of Twisted's `twisted.protocols.wire`, the standard
 * ones every host once ran for testing and measurement, over TCP (connection
 * handlers) and UDP ({@linkcode inetdDatagramHandler}): {@linkcode echo}
 * (RFC 862), {@linkcode discard} (863), {@linkcode chargen} (864, with
 * backpressure), {@linkcode qotd} (865), {@linkcode daytime} (867) and
 * {@linkcode time} (868). `spindle inetd` serves them all.
 *
 * @example An echo server
 * ```ts ignore
 * import { echo } from "@spindle/spindle/protocols/wire";
 * import { reactor } from "@spindle/spindle/reactor";
 *
 * await reactor.listenTCP(7000, echo, { interface: "127.0.0.1" });
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./echo.ts";
export * from "./discard.ts";
export * from "./chargen.ts";
export * from "./daytime.ts";
export * from "./time.ts";
export * from "./qotd.ts";
export * from "./datagram.ts";
// Types from lower floors that this entry point's signatures use, so its
// documentation is complete on its own.
export type {
  Address,
  Connection,
  DatagramHandler,
  DatagramTransport,
  ListeningPort,
  MemoryAddr,
} from "../../reactor/interfaces.ts";
export type {
  Deferred,
  TimeoutClock,
  TimeoutOptions,
} from "../../deferred/deferred.ts";
export type {
  ErrorType,
  Failure,
  TrappedError,
} from "../../deferred/failure.ts";
