/**
 * The errors of finger: bad queries, oversized answers and timeouts.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * A query line that is not RFC 1288's `[/W] [user][@host...]`.
 *
 * @example Usage
 * ```ts
 * import { InvalidFingerQueryError, parseFingerQuery } from "@spindle/spindle/protocols/finger";
 * try {
 *   parseFingerQuery("alice bob");
 * } catch (error) {
 *   console.assert(error instanceof InvalidFingerQueryError);
 * }
 * ```
 */
export class InvalidFingerQueryError extends ProtocolError {
  /** Creates the error for the query `query`. */
  constructor(query: string) {
    super(
      `The finger query ${
        JSON.stringify(query.slice(0, 80))
      } is not [/W] [user][@host...] (RFC 1288 §2.3): send one user name, or none to list users`,
    );
  }
}

/**
 * The server's answer grew past the client's `maxResponseSize`.
 *
 * @example Usage
 * ```ts
 * import { FingerResponseTooLargeError } from "@spindle/spindle/protocols/finger";
 * const error = new FingerResponseTooLargeError(1024);
 * console.assert(error.maxResponseSize === 1024);
 * ```
 */
export class FingerResponseTooLargeError extends ProtocolError {
  /** The limit that was passed, in bytes. */
  readonly maxResponseSize: number;
  /** Creates the error for a limit of `maxResponseSize` bytes. */
  constructor(maxResponseSize: number) {
    super(
      `The finger server sent more than ${maxResponseSize} bytes: raise maxResponseSize if this server is trusted`,
    );
    this.maxResponseSize = maxResponseSize;
  }
}

/**
 * A client connected but sent no query line in time; the server closed it.
 *
 * @example Usage
 * ```ts
 * import { FingerQueryTimeoutError } from "@spindle/spindle/protocols/finger";
 * console.assert(new FingerQueryTimeoutError(10_000).message.includes("10000 ms"));
 * ```
 */
export class FingerQueryTimeoutError extends ProtocolError {
  /** Creates the error for a wait of `ms` milliseconds. */
  constructor(ms: number) {
    super(
      `The finger client sent no query within ${ms} ms: the connection was closed; clients send their query line at once`,
    );
  }
}
