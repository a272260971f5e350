/**
 * The errors of Telnet.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * A subnegotiation longer than `MAX_SUBNEGOTIATION` bytes, or a
 * command byte that Telnet does not have after IAC.
 *
 * @example Usage
 * ```ts
 * import { InvalidTelnetStreamError } from "@spindle/spindle/protocols/telnet";
 * console.assert(new InvalidTelnetStreamError("x").message.includes("x"));
 * ```
 */
export class InvalidTelnetStreamError extends ProtocolError {
  /** Creates the error, saying what was wrong. */
  constructor(reason: string) {
    super(
      `The Telnet stream is malformed: ${reason}; the connection was closed`,
    );
  }
}
