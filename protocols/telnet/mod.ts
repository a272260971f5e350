/**
 * Telnet (RFC 854, RFC 855; Twisted's `twisted.conch.telnet`): the stream
 * codec, option negotiation by the Q method of RFC 1143 (ECHO, SGA, NAWS,
 * TTYPE and BINARY; LINEMODE refused), {@linkcode TelnetProtocol} that hands
 * the application clean data and option events, and a line-editing server
 * with history for text UIs ({@linkcode telnetLineHandler}).
 *
 * @example A shouting server
 * ```ts ignore
 * import { telnetLineHandler } from "@spindle/spindle/protocols/telnet";
 * import { reactor } from "@spindle/spindle/reactor";
 *
 * await reactor.listenTCP(2323, telnetLineHandler((line) => line.toUpperCase()), {
 *   interface: "127.0.0.1",
 * });
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./codec.ts";
export * from "./options.ts";
export * from "./protocol.ts";
export * from "./line_editor.ts";
export * from "./server.ts";
// Types from lower floors that this entry point's signatures use, so its
// documentation is complete on its own.
export type { DecoderCore } from "../../reactor/codec.ts";
export type { ProtocolError } from "../../reactor/errors.ts";
export type {
  Address,
  Connection,
  MemoryAddr,
} from "../../reactor/interfaces.ts";
