/**
 * Ident queries and replies (RFC 1413), parsed strictly.
 *
 * @module
 */
import { IDENT_ERRORS } from "./constants.ts";
import { InvalidIdentLineError } from "./errors.ts";
import { MAX_USER_ID_LENGTH } from "./limits.ts";

/**
 * A query: which connection to name, by its two ports.
 *
 * @example Usage
 * ```ts
 * import type { IdentQuery } from "@spindle/spindle/protocols/ident";
 * const query: IdentQuery = { serverPort: 6193, clientPort: 23 };
 * console.assert(query.clientPort === 23);
 * ```
 */
export interface IdentQuery {
  /** The port of the connection on the ident server's host. */
  serverPort: number;
  /** The port of the connection on the asking host. */
  clientPort: number;
}

/**
 * A reply: the owner of the connection, or an error code.
 *
 * @example Usage
 * ```ts
 * import type { IdentReply } from "@spindle/spindle/protocols/ident";
 * const reply: IdentReply = {
 *   serverPort: 6193,
 *   clientPort: 23,
 *   userId: "stjohns",
 *   opsys: "UNIX",
 * };
 * console.assert(reply.userId === "stjohns");
 * ```
 */
export type IdentReply =
  & IdentQuery
  & (
    | {
      /** The owner's user id. */
      userId: string;
      /** The operating system token (`UNIX`, `OTHER`...), with `,charset` if any. */
      opsys: string;
      error?: undefined;
    }
    | {
      /** The error code: one of {@linkcode IDENT_ERRORS} or an `X...` code. */
      error: string;
      userId?: undefined;
      opsys?: undefined;
    }
  );

const PORT = /^\s*(\d{1,5})\s*$/;
const TOKEN = /^[\x21-\x7e]{1,64}$/;

function port(text: string, line: string): number {
  const match = PORT.exec(text);
  const value = match === null ? NaN : Number(match[1]);
  if (!(value >= 1 && value <= 65535)) {
    throw new InvalidIdentLineError(line, "has a port that is not 1 to 65535");
  }
  return value;
}

function ports(text: string, line: string): IdentQuery {
  const parts = text.split(",");
  if (parts.length !== 2) {
    throw new InvalidIdentLineError(line, "does not start with two ports");
  }
  return {
    serverPort: port(parts[0]!, line),
    clientPort: port(parts[1]!, line),
  };
}

/**
 * Parses a query line (without its CRLF): `port , port`.
 *
 * @throws {InvalidIdentLineError} When it is not two ports from 1 to 65535.
 *
 * @example Usage
 * ```ts
 * import { parseIdentQuery } from "@spindle/spindle/protocols/ident";
 * console.assert(parseIdentQuery("6193, 23").serverPort === 6193);
 * ```
 */
export function parseIdentQuery(line: string): IdentQuery {
  return ports(line, line);
}

/**
 * Parses a reply line (without its CRLF) strictly: the two ports, then
 * `USERID : opsys[,charset] : user-id` or `ERROR : code`, with a known code
 * or an `X` one, and a user id of 1 to 512 octets without NUL, CR or LF.
 * The user id is kept as sent: RFC 1413 lets it hold spaces and colons.
 *
 * @throws {InvalidIdentLineError} When the line breaks any of that.
 *
 * @example Usage
 * ```ts
 * import { parseIdentReply } from "@spindle/spindle/protocols/ident";
 * const reply = parseIdentReply("6193, 23 : USERID : UNIX : stjohns");
 * console.assert(reply.userId === "stjohns" && reply.opsys === "UNIX");
 * ```
 */
export function parseIdentReply(line: string): IdentReply {
  const first = line.indexOf(":");
  const second = first === -1 ? -1 : line.indexOf(":", first + 1);
  if (second === -1) {
    throw new InvalidIdentLineError(line, "lacks its ':'-separated fields");
  }
  const query = ports(line.slice(0, first), line);
  const type = line.slice(first + 1, second).trim();
  if (type === "ERROR") {
    const error = line.slice(second + 1).trim();
    if (
      !(IDENT_ERRORS as readonly string[]).includes(error) &&
      !(error.startsWith("X") && TOKEN.test(error))
    ) {
      throw new InvalidIdentLineError(line, "has an unknown error code");
    }
    return { ...query, error };
  }
  if (type !== "USERID") {
    throw new InvalidIdentLineError(line, "is neither USERID nor ERROR");
  }
  const third = line.indexOf(":", second + 1);
  if (third === -1) {
    throw new InvalidIdentLineError(line, "lacks the user id");
  }
  const opsys = line.slice(second + 1, third).trim();
  if (!/^[A-Za-z0-9_\-/]{1,40}(\s*,\s*[A-Za-z0-9_\-]{1,40})?$/.test(opsys)) {
    throw new InvalidIdentLineError(line, "has a malformed operating system");
  }
  // The user id runs to the end of the line; only leading spaces are the
  // field separator's.
  const userId = line.slice(third + 1).replace(/^ +/, "");
  if (
    userId === "" || new TextEncoder().encode(userId).length >
      MAX_USER_ID_LENGTH ||
    /[\0\r\n]/.test(userId)
  ) {
    throw new InvalidIdentLineError(
      line,
      `has a user id that is empty, over ${MAX_USER_ID_LENGTH} octets or holds NUL, CR or LF`,
    );
  }
  return { ...query, userId, opsys };
}

/**
 * Formats `reply` as the line a server sends, CRLF included.
 *
 * @throws {InvalidIdentLineError} When the reply could not be parsed back.
 *
 * @example Usage
 * ```ts
 * import { formatIdentReply } from "@spindle/spindle/protocols/ident";
 * const line = formatIdentReply({ serverPort: 6195, clientPort: 23, error: "NO-USER" });
 * console.assert(line === "6195, 23 : ERROR : NO-USER\r\n");
 * ```
 */
export function formatIdentReply(reply: IdentReply): string {
  const head = `${reply.serverPort}, ${reply.clientPort}`;
  const line = reply.error !== undefined
    ? `${head} : ERROR : ${reply.error}`
    : `${head} : USERID : ${reply.opsys} : ${reply.userId}`;
  parseIdentReply(line);
  return `${line}\r\n`;
}
