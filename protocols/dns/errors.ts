/**
 * The errors raised by the DNS codec, server, client and resolver: malformed
 * wire input ({@linkcode DNSFormatError}, a `ProtocolError`), answers that
 * say a lookup failed ({@linkcode DNSNameError}, {@linkcode DNSServerError}),
 * no answer in time ({@linkcode DNSQueryTimeoutError}) and bad zone files
 * ({@linkcode ZoneFileError}).
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * The base of the DNS errors that are not about malformed wire input: a
 * lookup that failed, a query that timed out, a zone file that is wrong.
 * Catch it to handle any of them.
 *
 * @example Usage
 * ```ts
 * import { DNSError, DNSQueryTimeoutError } from "@spindle/spindle/protocols/dns";
 * const error = new DNSQueryTimeoutError("no answer for example.org. A after 3 tries");
 * console.assert(error instanceof DNSError && error.name === "DNSQueryTimeoutError");
 * ```
 */
export class DNSError extends Error {
  /** Creates the error with a message that says what happened and what to do. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A DNS message (or a name or record in it) is malformed, breaks a wire-format
 * limit (label over 63 bytes, name over 255 bytes, message over 65535 bytes) or
 * a configured decoder limit. A server answers such a query with FORMERR.
 *
 * @example Usage
 * ```ts
 * import { decodeMessage, DNSFormatError } from "@spindle/spindle/protocols/dns";
 * try {
 *   decodeMessage(new Uint8Array(5));
 * } catch (error) {
 *   console.assert(error instanceof DNSFormatError);
 * }
 * ```
 */
export class DNSFormatError extends ProtocolError {}

/**
 * A lookup failed because the name does not exist (NXDOMAIN).
 *
 * @example Usage
 * ```ts
 * import { DNSNameError } from "@spindle/spindle/protocols/dns";
 * const error = new DNSNameError("nowhere.example. does not exist");
 * console.assert(error.name === "DNSNameError");
 * ```
 */
export class DNSNameError extends DNSError {}

/**
 * A server answered a lookup with an error code (SERVFAIL, REFUSED, FORMERR,
 * NOTIMP...), or every server failed.
 *
 * @example Usage
 * ```ts
 * import { DNSServerError, Rcode } from "@spindle/spindle/protocols/dns";
 * const error = new DNSServerError("127.0.0.1:53 answered REFUSED", Rcode.REFUSED);
 * console.assert(error.rcode === 5);
 * ```
 */
export class DNSServerError extends DNSError {
  /** The response code the server sent (`-1` when there was no answer to take one from). */
  readonly rcode: number;
  /** Creates the error with a message and the server's response code. */
  constructor(message: string, rcode: number, options?: ErrorOptions) {
    super(message, options);
    this.rcode = rcode;
  }
}

/**
 * No server answered a lookup within its timeouts, after every retry. A
 * timeout, not a parse error: it is no `ProtocolError`.
 *
 * @example Usage
 * ```ts
 * import { DNSQueryTimeoutError } from "@spindle/spindle/protocols/dns";
 * const error = new DNSQueryTimeoutError("no answer for example.org. A after 3 tries");
 * console.assert(error instanceof Error);
 * ```
 */
export class DNSQueryTimeoutError extends DNSError {}

/**
 * A zone file could not be parsed; the message names the file and line.
 *
 * @example Usage
 * ```ts
 * import { parseZone, ZoneFileError } from "@spindle/spindle/protocols/dns";
 * try {
 *   parseZone("www IN A not-an-address\n", { origin: "example.org", fileName: "db.example" });
 * } catch (error) {
 *   console.assert(error instanceof ZoneFileError && error.line === 1);
 * }
 * ```
 */
export class ZoneFileError extends DNSError {
  /** The file name given to the parser (or `"<zone>"`). */
  readonly fileName: string;
  /** The 1-based line where the bad entry starts. */
  readonly line: number;
  /** Creates the error; the message is prefixed with `file:line: `. */
  constructor(
    fileName: string,
    line: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${fileName}:${line}: ${message}`, options);
    this.fileName = fileName;
    this.line = line;
  }
}
