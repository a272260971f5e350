/**
 * Error types raised by connections, listeners and protocols.
 *
 * @module
 */

/**
 * The base of every error raised because a peer sent something malformed or
 * over a limit. The connection it came from is closed; its listener goes on.
 *
 * @example Usage
 * ```ts
 * import { ProtocolError } from "@spindle/spindle/reactor";
 * class BadGreetingError extends ProtocolError {}
 * const error = new BadGreetingError("the peer's greeting was not HELLO: close the connection");
 * console.assert(error instanceof ProtocolError);
 * ```
 */
export class ProtocolError extends Error {
  /** Creates the error with a message that says what happened and what to do. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
