/**
 * The Daytime protocol (RFC 867): the date and time as a line of text.
 *
 * @module
 */
import type { Connection } from "../../reactor/interfaces.ts";

/**
 * Options of {@linkcode daytime}, {@linkcode time} and the datagram
 * services: where the time comes from.
 *
 * @example Usage
 * ```ts
 * import type { ClockOptions } from "@spindle/spindle/protocols/wire";
 * const options: ClockOptions = { now: () => 0 };
 * console.assert(options.now?.() === 0);
 * ```
 */
export interface ClockOptions {
  /** The current time in milliseconds since 1970 (UTC); default `Date.now`. */
  now?: () => number;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

/**
 * The daytime text for `ms` since 1970: C's `asctime` of the UTC time and
 * CRLF, as Twisted's `Daytime` sends (RFC 867 leaves the format free and
 * suggests one line).
 *
 * @example Usage
 * ```ts
 * import { formatDaytime } from "@spindle/spindle/protocols/wire";
 * console.assert(formatDaytime(0) === "Thu Jan  1 00:00:00 1970\r\n");
 * ```
 */
export function formatDaytime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${
    String(d.getUTCDate()).padStart(2, " ")
  } ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${
    two(d.getUTCSeconds())
  } ${d.getUTCFullYear()}\r\n`;
}

/**
 * Serves one connection with the Daytime protocol (RFC 867): sends the date
 * and time ({@linkcode formatDaytime}) and ends; the caller (the reactor)
 * closes the connection when it returns.
 *
 * @example Usage
 * ```ts
 * import { daytime } from "@spindle/spindle/protocols/wire";
 * import { DenoReactor } from "@spindle/spindle/reactor";
 *
 * const reactor = new DenoReactor();
 * const port = await reactor.listenTCP(0, (conn) => daytime(conn), {
 *   interface: "127.0.0.1",
 * });
 * await port.stopListening();
 * ```
 */
export async function daytime(
  conn: Connection,
  options: ClockOptions = {},
): Promise<void> {
  const text = formatDaytime((options.now ?? Date.now)());
  await conn.write(new TextEncoder().encode(text));
}
