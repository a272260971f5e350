/**
 * Finger queries (RFC 1288 §2.3) and the text of answers.
 *
 * @module
 */
import { InvalidFingerQueryError } from "./errors.ts";

/**
 * A parsed finger query.
 *
 * @example Usage
 * ```ts
 * import type { FingerQuery } from "@spindle/spindle/protocols/finger";
 * const query: FingerQuery = { user: "alice", verbose: false, hosts: [] };
 * console.assert(query.user === "alice");
 * ```
 */
export interface FingerQuery {
  /** The user asked about; `""` asks for the list of users. */
  user: string;
  /** `/W` was given: the client wants the long form. */
  verbose: boolean;
  /** The hosts of `user@host1@host2` ({Q2}), to forward the query to; mostly none. */
  hosts: string[];
}

const TOKEN = /^[^\s@]+$/;

/**
 * Parses a query line (without its CRLF): `[/W] [user][@host...]`, with
 * `/w` accepted as well, as servers do.
 *
 * @throws {InvalidFingerQueryError} When the line is not such a query.
 *
 * @example Usage
 * ```ts
 * import { parseFingerQuery } from "@spindle/spindle/protocols/finger";
 * const query = parseFingerQuery("/W alice@example.org");
 * console.assert(query.verbose && query.user === "alice");
 * console.assert(query.hosts[0] === "example.org");
 * ```
 */
export function parseFingerQuery(line: string): FingerQuery {
  let rest = line.trim();
  let verbose = false;
  if (/^\/w(\s|$)/i.test(rest)) {
    verbose = true;
    rest = rest.slice(2).trimStart();
  }
  if (rest === "") return { user: "", verbose, hosts: [] };
  const [user, ...hosts] = rest.split("@");
  if (
    /\s/.test(rest) || (user !== "" && !TOKEN.test(user!)) ||
    hosts.some((host) => !TOKEN.test(host))
  ) {
    throw new InvalidFingerQueryError(line);
  }
  return { user: user!, verbose, hosts };
}

/**
 * Formats `query` as the line a client sends, CRLF included.
 *
 * @example Usage
 * ```ts
 * import { formatFingerQuery } from "@spindle/spindle/protocols/finger";
 * console.assert(formatFingerQuery({ user: "alice", verbose: true, hosts: [] }) === "/W alice\r\n");
 * ```
 */
export function formatFingerQuery(query: FingerQuery): string {
  const target = [query.user, ...query.hosts].join("@");
  const line = query.verbose ? `/W ${target}`.trimEnd() : target;
  // Parsing the line back is the check that user and hosts are tokens.
  parseFingerQuery(line);
  return `${line}\r\n`;
}

/**
 * `text` as RFC 1288 §3.3 says a server must send it: only printable 7-bit
 * characters, tabs and CRLF line ends; anything else (escape sequences
 * that could take over the reader's terminal) is dropped, and lone LF or CR
 * become CRLF.
 *
 * @example Usage
 * ```ts
 * import { sanitizeFingerText } from "@spindle/spindle/protocols/finger";
 * console.assert(sanitizeFingerText("plan\x1b[2J\n") === "plan[2J\r\n");
 * ```
 */
export function sanitizeFingerText(text: string): string {
  return text.replace(/\r\n|\r|\n/g, "\n")
    .replace(/[^\t\n\x20-\x7e]/g, "")
    .replace(/\n/g, "\r\n");
}
