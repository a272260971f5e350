/**
 * The errors of FTP.
 *
 * @module
 */
import { ProtocolError } from "../../reactor/errors.ts";

/**
 * The FTP server answered a command with a failure (4xx or 5xx).
 *
 * @example Usage
 * ```ts
 * import { FTPReplyError } from "@spindle/spindle/protocols/ftp";
 * const error = new FTPReplyError("RETR x", 550, "No such file");
 * console.assert(error.code === 550);
 * ```
 */
export class FTPReplyError extends Error {
  /** The reply code. */
  readonly code: number;
  /** Creates the error for `command` and the server's reply. */
  constructor(command: string, code: number, text: string) {
    super(`The FTP server answered ${command} with ${code} ${text}`);
    this.name = "FTPReplyError";
    this.code = code;
  }
}

/**
 * The FTP server's reply was not `NNN text` lines (RFC 959 §4.2).
 *
 * @example Usage
 * ```ts
 * import { MalformedFTPReplyError } from "@spindle/spindle/protocols/ftp";
 * console.assert(new MalformedFTPReplyError("hi").message.includes("hi"));
 * ```
 */
export class MalformedFTPReplyError extends ProtocolError {
  /** Creates the error for the line received. */
  constructor(line: string) {
    super(
      `The FTP server sent ${
        JSON.stringify(line.slice(0, 80))
      }, which is not a reply (RFC 959 §4.2): the connection was closed`,
    );
  }
}
