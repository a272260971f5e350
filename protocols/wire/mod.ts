/**
 * The small services of Twisted's `twisted.protocols.wire`, the standard
 * ones every host once ran for testing and measurement: {@linkcode echo}
 * (RFC 862) for now; discard, chargen and daytime are to come.
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
export * from "./echo.ts";
// The connection type of the handlers' signatures, documented here too.
export type {
  Address,
  Connection,
  MemoryAddr,
} from "../../reactor/interfaces.ts";
